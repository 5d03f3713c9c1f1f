"""/regioplannen: plan regions, plans, their assessment and follow-up."""
from portal.routes.plans import (  # noqa: F401  (register the views)
    assessment,
    attachments,
    editors,
    followup,
    overview,
    template_globals,
    views,
)
