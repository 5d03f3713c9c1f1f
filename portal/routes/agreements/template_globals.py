"""What every template may use from the agreements area: the status as of
today, the agreements about to expire and those covering a route (template
globals), and the agreement vocabularies (a context processor)."""
from __future__ import annotations

from flask_login import current_user

from portal.domain import agreements as dom
from portal.domain import funding as funding_rules
from portal.domain import transfer_guarantee as guarantee_rules
from portal.extensions import db
from portal.models.agreement import Agreement
from portal.permissions import can_see_agreement, can_view_agreement_details, is_staff
from portal.routes.agreements.blueprint import bp
from portal.services.agreements import queries


@bp.app_template_global("agreement_status")
def agreement_status(agreement: Agreement) -> str:
    return queries.current_status(agreement)


@bp.app_template_global("agreement_facts")
def agreement_facts(agreement: Agreement) -> dict:
    """What a visitor is shown of an agreement: its parties and staff see the
    working text with an honest status ("getekend, versie N in werking,
    addendum in voorbereiding"); everybody else sees the version in force
    while an addendum waits (its title, period and parties, from its snapshot)."""
    details = can_view_agreement_details(current_user, agreement)
    status = queries.current_status(agreement)
    facts = {"status": status, "label": queries.status_label(agreement, show_addendum=details),
             "title": agreement.title, "start_date": agreement.start_date, "end_date": agreement.end_date,
             "party_lines": None, "routes": None}  # routes: None = the agreement's own (loaded only when shown)
    if queries.has_addendum(agreement):
        facts["status"] = "getekend" if status in ("concept", "ter_ondertekening") else status
        if not details and (snapshot := queries.public_snapshot(agreement)) is not None:
            facts.update(title=snapshot.get("title") or agreement.title, party_lines=snapshot.get("parties") or [],
                         start_date=agreement.in_force_start_date, end_date=agreement.in_force_end_date,
                         routes=agreement.in_force_routes)
    return facts


@bp.app_template_global("addendum_on_save")
def addendum_on_save(agreement: Agreement | None) -> int | None:
    """The number of the addendum a save would make (somebody has signed the
    current version), for the warning before saving; None when a save does not."""
    if agreement is None or not any(p.is_signed for p in agreement.parties):
        return None
    return agreement.revision + 1


@bp.app_template_global("expiring_agreements_for")
def expiring_agreements_for(user) -> list[Agreement]:
    """For any overview page: {% with expiring = expiring_agreements_for(current_user) %}
    {% include "agreements/_expiring.html" %}{% endwith %} (staff: all; coordinator: their own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if is_staff(user):
        return queries.list_expiring(db.session)
    if user.role == "coordinator" and user.organisation_id:
        return queries.list_expiring(db.session, organisation_id=user.organisation_id)
    return []


@bp.app_template_global("agreements_for_route")
def agreements_for_route(route) -> list[Agreement]:
    """For the route detail page: the agreements covering it that the visitor
    may see (existence is public, except for a concept)."""
    return [a for a in queries.agreements_for_route(db.session, route.id) if can_see_agreement(current_user, a)]


@bp.app_context_processor
def agreement_vocab():
    return {"AGREEMENT_STATUSES": dom.STATUSES, "AGREEMENT_ROLES": dom.PARTY_ROLES,
            "FUNDING_STREAMS": funding_rules.FUNDING_STREAMS, "DESTINATIONS": guarantee_rules.DESTINATIONS,
            "fmt_decimal": funding_rules.format_decimal}
