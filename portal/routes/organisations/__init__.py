"""/organisaties: organisation pages, the list and its export, adding partners and merging (staff)."""
from portal.routes.organisations import adding, merging, views  # noqa: F401  (registers the views)
