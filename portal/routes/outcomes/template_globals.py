"""What the route and agreement pages show of the outcomes (template
globals, so that those areas need not import this one)."""
from __future__ import annotations

from flask_login import current_user

from portal.domain.outcomes import OUTCOME_DESTINATIONS, phase_label
from portal.extensions import db
from portal.models import Agreement, LearningRoute
from portal.permissions import can_record_outcomes, can_see_outcome_details, can_view_agreement_details
from portal.routes.outcomes.blueprint import bp
from portal.services.outcomes import queries

bp.add_app_template_global(OUTCOME_DESTINATIONS, "OUTCOME_DESTINATIONS")
bp.add_app_template_global(phase_label, "outcome_phase_label")


@bp.app_template_global("route_outcomes")
def route_outcomes(route: LearningRoute) -> dict:
    """The route page's outcomes: every figure for the parties and staff; for
    everybody else the public form, with counts under 5 as "<5"."""
    details = can_see_outcome_details(current_user, route)
    outcomes = queries.outcomes_of_route(db.session, route.id)
    return {"details": details, "can_record": can_record_outcomes(current_user, route),
            "years": outcomes if details else [queries.public_year(o) for o in outcomes]}


@bp.app_template_global("agreement_outcome_waits")
def agreement_outcome_waits(agreement: Agreement) -> list[queries.RouteYearWaits]:
    """The agreement page: the promised maximum waits against what happened
    (its parties and staff only)."""
    if not can_view_agreement_details(current_user, agreement):
        return []
    return queries.agreement_waits(db.session, agreement)
