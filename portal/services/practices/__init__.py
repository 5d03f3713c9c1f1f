"""The good-practice library: writes, queries and full-text search."""
