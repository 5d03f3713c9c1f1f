"""A vmbo school's own offer (/organisaties/<id>/aanbod)."""
from portal.routes.offer import views  # noqa: F401  (registers the views)
