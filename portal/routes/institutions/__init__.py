"""Staff's list of mbo institutions (/beheer/mbo-instellingen): locations and bekostigd."""
from portal.routes.institutions import views  # noqa: F401  (registers the views)
