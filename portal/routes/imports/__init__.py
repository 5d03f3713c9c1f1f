"""/beheer/imports: the import runs and their errors (staff)."""
from portal.routes.imports import views  # noqa: F401  (registers the views)
