"""The digitale landkaart: figures, region pages, trend, map data, exports."""
