"""Names the /regioplannen templates use."""
from __future__ import annotations

from portal.domain.funding import format_decimal
from portal.routes.plans.blueprint import bp


@bp.context_processor
def plan_helpers():
    return {"fmt_decimal": format_decimal}
