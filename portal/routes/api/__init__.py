"""The open API (/api/v1) and its OpenAPI document."""
from portal.routes.api import (  # noqa: F401  (registers the views)
    coverage_exams,
    coverage_profiles,
    organisations,
    views,
)
