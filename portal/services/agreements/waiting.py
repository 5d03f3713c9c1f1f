"""What waits for a coordinator's organisation in its agreements (the to-do
list, the list filters and "Mijn leerroutes"): the states computed from the
agreements as they are, nothing stored. Reads only."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.domain import agreements as dom
from portal.domain import funding as funding_rules
from portal.domain.route_state import ACTIVE
from portal.models import LearningRoute, RouteParty
from portal.models.agreement import Agreement, AgreementParty, agreement_in_force_routes, agreement_routes
from portal.services.agreements import queries

EXPIRY_DAYS = 90
SIGNED_STATUSES = ("getekend", "verlopen", "opgezegd")


def _of_organisation(session: Session, organisation_id: int) -> list[Agreement]:
    return list(session.scalars(
        select(Agreement).where(Agreement.archived_at.is_(None),
                                Agreement.parties.any(AgreementParty.organisation_id == organisation_id))
        .options(selectinload(Agreement.parties).joinedload(AgreementParty.organisation),
                 selectinload(Agreement.funding_shares))
        .order_by(Agreement.end_date, Agreement.id)))


def awaits_signature_of(agreement: Agreement, organisation_id: int, on: date | None = None) -> bool:
    """Out for signature and this organisation's party has not signed yet."""
    party = agreement.party_for(organisation_id)
    return (party is not None and not party.is_signed
            and queries.current_status(agreement, on) == "ter_ondertekening")


def addendum_waits_for_other_party(agreement: Agreement, organisation_id: int, on: date | None = None) -> bool:
    """An addendum (a version after the first) that this organisation signed
    and another party has not yet."""
    party = agreement.party_for(organisation_id)
    return (agreement.revision > 1 and party is not None and party.is_signed
            and not queries.is_fully_signed(agreement)
            and queries.current_status(agreement, on) == "ter_ondertekening")


def expires_soon(agreement: Agreement, on: date | None = None, days: int = EXPIRY_DAYS) -> bool:
    return (queries.current_status(agreement, on) == "getekend"
            and dom.expiring_within(agreement.end_date, on or queries.today(), days))


def missing_funding_years(agreement: Agreement) -> list[str]:
    """Per stream, the school years of the period without a funding split
    ("Lumpsum vo: geen verdeling voor schooljaar 2030-2031."), for agreements
    that are signed or on their way to it (a concept shows it on its checklist)."""
    if queries.current_status(agreement) not in ("ter_ondertekening", "getekend"):
        return []
    return funding_rules.missing_years_messages(funding_rules.missing_school_years(
        queries.share_lines(agreement), agreement.start_date, agreement.end_date))


# The list filters ("wacht op mijn handtekening", "verloopt binnen 90 dagen"):
# URL value -> Dutch label.
FILTERS = {"handtekening": "Wacht op mijn handtekening", "verloopt": "Verloopt binnen 90 dagen"}


def matches_filter(agreement: Agreement, organisation_id: int | None, name: str, on: date | None = None) -> bool:
    """The agreement is in the state the list filter `name` names, for this
    organisation (no organisation: nothing waits for it)."""
    if organisation_id is None or agreement.party_for(organisation_id) is None:
        return False
    if name == "handtekening":
        return awaits_signature_of(agreement, organisation_id, on)
    if name == "verloopt":
        return expires_soon(agreement, on)
    return True


def route_ids_in_filter(session: Session, organisation_id: int, name: str, on: date | None = None) -> set[int]:
    """The routes covered by an agreement of the organisation in the filter's state."""
    chosen = [a for a in _of_organisation(session, organisation_id) if matches_filter(a, organisation_id, name, on)]
    return route_ids_covered_by(chosen, session)


def for_organisation(session: Session, organisation_id: int, on: date | None = None) -> dict[str, list[Agreement]]:
    """The organisation's agreements per waiting state."""
    out: dict[str, list[Agreement]] = {"sign": [], "expiring": [], "funding": [], "addendum": []}
    for agreement in _of_organisation(session, organisation_id):
        if awaits_signature_of(agreement, organisation_id, on):
            out["sign"].append(agreement)
        if addendum_waits_for_other_party(agreement, organisation_id, on):
            out["addendum"].append(agreement)
        if expires_soon(agreement, on):
            out["expiring"].append(agreement)
        if missing_funding_years(agreement):
            out["funding"].append(agreement)
    return out


def _covering(session: Session, route_ids: list[int]) -> dict[int, list[Agreement]]:
    rows = session.execute(
        select(agreement_in_force_routes.c.route_id, Agreement)
        .join(Agreement, Agreement.id == agreement_in_force_routes.c.agreement_id)
        .where(agreement_in_force_routes.c.route_id.in_(route_ids), Agreement.archived_at.is_(None))).all()
    out: dict[int, list[Agreement]] = {}
    for route_id, agreement in rows:
        out.setdefault(route_id, []).append(agreement)
    return out


def _valid_in(agreement: Agreement, school_year: str, on: date) -> bool:
    """The activation rule of queries.activation_errors, for reading (no lock): the version in force
    overlaps the school year and has not ended by `on`."""
    period = queries.in_force(agreement)
    return period is not None and period.overlaps_school_year(school_year) and period.end_date >= on


def route_states(session: Session, organisation_id: int, on: date | None = None) -> dict[str, list[LearningRoute]]:
    """Routes of the organisation that could now become actief (a DLR or GLR
    in concept or voorbereiding that a signed agreement covers in the school
    year it would start) or must stop (actief, but every agreement that
    covered it has ended)."""
    on = on or queries.today()
    routes = list(session.scalars(
        select(LearningRoute).where(LearningRoute.archived_at.is_(None),
                                    LearningRoute.kind_code.in_(sorted(queries.COVERAGE_KINDS)),
                                    LearningRoute.parties.any(RouteParty.organisation_id == organisation_id))
        .order_by(LearningRoute.title, LearningRoute.id)))
    covering = _covering(session, [r.id for r in routes])
    out: dict[str, list[LearningRoute]] = {"activate": [], "stop": []}
    for route in routes:
        agreements = covering.get(route.id, [])
        year = queries.activation_school_year(route.first_school_year, on)
        if route.status in ("concept", "voorbereiding"):
            if any(_valid_in(a, year, on) for a in agreements):
                out["activate"].append(route)
        elif (route.status == ACTIVE and not any(_valid_in(a, year, on) for a in agreements)
              and any(queries.current_status(a, on) in ("verlopen", "opgezegd") for a in agreements)):
            out["stop"].append(route)
    return out


def route_ids_covered_by(agreements: list[Agreement], session: Session) -> set[int]:
    ids = [a.id for a in agreements]
    if not ids:
        return set()
    return set(session.scalars(select(agreement_routes.c.route_id)
                               .where(agreement_routes.c.agreement_id.in_(ids))))
