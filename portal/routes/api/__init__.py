"""The open API (/api/v1) and its OpenAPI document."""
from portal.routes.api import coverage_profiles, organisations, views  # noqa: F401  (registers the views)
