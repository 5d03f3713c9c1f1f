"""/account/meldingen: notification choices, the user's notifications, unsubscribing."""
from portal.routes.notifications import views  # noqa: F401  (registers the views)
