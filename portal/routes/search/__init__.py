"""Search behind the pickers (/zoeken): organisations and routes as listbox options."""
from portal.routes.search import views  # noqa: F401  (registers the views)
