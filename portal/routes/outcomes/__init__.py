"""Route outcomes: the form, and what the route and agreement pages show."""
from portal.routes.outcomes import template_globals, views  # noqa: F401  (registers the views and globals)
