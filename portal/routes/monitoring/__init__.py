"""Programme monitoring: targets (/beheer/doelen) and the year report (/kaart/rapportage)."""
from portal.routes.monitoring import report, targets  # noqa: F401  (registers the views)
