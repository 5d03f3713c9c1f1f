"""Learning routes (/leerroutes): list, detail, form, CSV export and import."""
from portal.routes.learning_routes import csv_io, rio, views  # noqa: F401  (registers the views)
