"""/account/te-doen: what waits for the user."""
from portal.routes.todo import views  # noqa: F401  (registers the views)
