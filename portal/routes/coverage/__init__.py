"""The digitale landkaart: the map and dashboard (/kaart) and the region pages (/regio)."""
from portal.routes.coverage import maps, profiles, regions  # noqa: F401  (registers the views)
