"""The good-practice library (/bibliotheek)."""
from portal.routes.practices import editing, views  # noqa: F401  (registers the views)
