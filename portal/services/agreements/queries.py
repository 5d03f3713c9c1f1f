"""Reading agreements: the status as of today, checklist, funding allocations,
lists, version diffs and the route activation rule. No writes (those are in
operations, lifecycle and funding)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.core.locking import locks_enabled
from portal.domain import agreements as dom
from portal.domain import funding as funding_rules
from portal.domain import in_force as in_force_rules
from portal.domain import transfer_guarantee as guarantee_rules
from portal.domain.identifiers import school_year_error
from portal.domain.school_year import school_year_bounds, school_year_of
from portal.models import LearningRoute, RouteParty
from portal.models.agreement import Agreement, AgreementParty, agreement_in_force_routes, agreement_routes

COVERAGE_KINDS = frozenset({"dlr", "glr"})
CLAUSE_FIELDS = (
    "facilities_use", "cooperation_form", "governance", "design", "complaints_procedure", "sector",
    "employer_role", "team_qualification_description", "participation", "transfer_option",
    "funding_purpose",
)


def today() -> date:
    return date.today()


def current_status(agreement: Agreement, on: date | None = None) -> str:
    """The status as of today: a signed agreement past its end date is
    verlopen, also while an addendum of it waits (its version in force ended)."""
    on = on or today()
    if (agreement.in_force_end_date is not None and agreement.status in dom.EDITABLE_STATUSES
            and on > agreement.in_force_end_date):
        return "verlopen"
    return dom.effective_status(agreement.status, agreement.end_date, on)


# --- the version in force (domain/in_force.py) --------------------------------

def in_force(agreement: Agreement) -> in_force_rules.InForce | None:
    """The signed version in force and its period (cut short by a termination),
    or None when no version was ever signed by all parties. Every "is it
    signed / valid" check reads this (or its SQL form in_force_on), never the
    draft's status: a draft addendum leaves the version in force as it is."""
    return in_force_of(agreement.archived_at, agreement.in_force_revision, agreement.in_force_start_date,
                       agreement.in_force_end_date, agreement.status, agreement.terminated_on)


# The columns in_force_of reads, in its order: select them to read many agreements without ORM objects.
IN_FORCE_COLUMNS = (Agreement.archived_at, Agreement.in_force_revision, Agreement.in_force_start_date,
                    Agreement.in_force_end_date, Agreement.status, Agreement.terminated_on)


def in_force_of(archived_at: datetime | None, revision: int | None, start_date: date | None,
                end_date: date | None, status: str, terminated_on: date | None) -> in_force_rules.InForce | None:
    """in_force from the agreement's columns (IN_FORCE_COLUMNS): an archived
    agreement has none."""
    if archived_at is not None:
        return None
    return in_force_rules.in_force(revision, start_date, end_date, status, terminated_on)


def in_force_on(on) -> ColumnElement[bool]:
    """in_force(agreement).covers(on) as a WHERE clause (`on` a date or a bound
    parameter): not archived, a signed version, `on` within its period."""
    return and_(Agreement.archived_at.is_(None), Agreement.in_force_revision.is_not(None),
                Agreement.in_force_start_date <= on, Agreement.in_force_end_date >= on,
                or_(Agreement.status != "opgezegd", Agreement.terminated_on.is_(None),
                    Agreement.terminated_on > on))


def has_addendum(agreement: Agreement) -> bool:
    return in_force_rules.has_addendum(agreement.status, agreement.in_force_revision, agreement.revision)


def status_label(agreement: Agreement, *, show_addendum: bool) -> str:
    status = current_status(agreement)
    return in_force_rules.status_label(status, dom.STATUSES[status], agreement.in_force_revision,
                                       agreement.revision, show_addendum=show_addendum)


def public_snapshot(agreement: Agreement) -> dict | None:
    """What the public sees of an agreement whose addendum is being prepared:
    the snapshot of the version in force (None when there is no addendum)."""
    if not has_addendum(agreement):
        return None
    return next((v.snapshot for v in agreement.versions if v.number == agreement.in_force_revision), None)


def addendum_diff(agreement: Agreement) -> list[dom.DiffEntry]:
    """What the draft addendum changes in the content of the version in force
    (its status and signatures aside: those are shown on their own)."""
    by_number = {v.number: v for v in agreement.versions}
    old, new = by_number.get(agreement.in_force_revision or 0), by_number.get(agreement.revision)
    if old is None or new is None:
        return []
    ignore = ("status", "signatures", "document")
    return dom.diff_snapshots({k: v for k, v in old.snapshot.items() if k not in ignore},
                              {k: v for k, v in new.snapshot.items() if k not in ignore})


def unsigned_parties(agreement: Agreement) -> list[AgreementParty]:
    """The parties that still have to sign the current version."""
    return [p for p in agreement.parties if not p.is_signed]


def is_fully_signed(agreement: Agreement) -> bool:
    """Every party has signed the current version."""
    return bool(agreement.parties) and all(p.is_signed for p in agreement.parties)


def share_lines(agreement: Agreement) -> list[funding_rules.ShareLine]:
    return [funding_rules.ShareLine(s.stream, s.school_year, s.party_id, Decimal(s.percentage))
            for s in agreement.funding_shares]


def needs_full_coverage(agreement: Agreement) -> bool:
    return any(r.kind_code in COVERAGE_KINDS for r in agreement.routes)


def guarantee_check(agreement: Agreement) -> guarantee_rules.GuaranteeCheck:
    phases = [guarantee_rules.Phase(p.from_month, p.to_month, p.destination, p.responsible_party_id, p.max_wait_days,
                        p.description or "", p.entree_reason or "") for p in agreement.guarantee_phases]
    return guarantee_rules.check_transfer_guarantee(phases, agreement.route_duration_months,
                                        full_coverage=needs_full_coverage(agreement))


def checklist(agreement: Agreement) -> list[dom.ChecklistItem]:
    examining = agreement.party_for(agreement.examining_organisation_id) \
        if agreement.examining_organisation_id else None
    lines = share_lines(agreement)
    facts = dom.AgreementFacts(
        title=agreement.title or "", route_count=len(agreement.routes),
        start_date=agreement.start_date, end_date=agreement.end_date,
        parties=[(p.role, p.governing_body_name) for p in agreement.parties],
        examining_role=(examining.role if examining else ("extern" if agreement.examining_organisation_id else None)),
        clauses={k: getattr(agreement, k) or "" for k in CLAUSE_FIELDS},
        mbo_domain=agreement.mbo_domain_code, team_qualification=agreement.team_qualification,
        funding=funding_rules.check_funding_shares(lines), funding_lines=len(lines),
        funding_missing_years=funding_rules.missing_school_years(lines, agreement.start_date, agreement.end_date),
        guarantee=guarantee_check(agreement),
    )
    return dom.completeness(facts)


def allocations(agreement: Agreement) -> list[dict[str, Any]]:
    """Per stream and year with a total: the amount per party and the transfers."""
    shares: dict[tuple[str, str], list[tuple[int, Decimal]]] = {}
    for s in agreement.funding_shares:
        shares.setdefault((s.stream, s.school_year), []).append((s.party_id, Decimal(s.percentage)))
    out = []
    for total in agreement.funding_totals:
        group = shares.get((total.stream, total.school_year), [])
        if sum((p for _, p in group), Decimal(0)) != funding_rules.HUNDRED:
            continue
        amounts = funding_rules.allocate(Decimal(total.amount), group)
        transfers = funding_rules.derive_transfers(total.stream, total.school_year, Decimal(total.amount),
                                         total.recipient_party_id, group, total.purpose or "")
        out.append({"total": total, "amounts": amounts, "transfers": transfers})
    return out


def list_agreements(session: Session, organisation_id: int | None = None) -> list[Agreement]:
    query = (select(Agreement).where(Agreement.archived_at.is_(None))
             .options(selectinload(Agreement.parties).joinedload(AgreementParty.organisation),
                      selectinload(Agreement.routes).selectinload(LearningRoute.parties))
             .order_by(Agreement.end_date.desc(), Agreement.id))
    if organisation_id:
        query = query.where(Agreement.parties.any(AgreementParty.organisation_id == organisation_id))
    return list(session.scalars(query))


def list_expiring(session: Session, on: date | None = None, organisation_id: int | None = None,
                  days: int = 90) -> list[Agreement]:
    """Signed agreements that end within `days` days (coordinator and staff overviews)."""
    on = on or today()
    query = (select(Agreement)
             .where(in_force_on(on), Agreement.in_force_end_date <= on + timedelta(days=days))
             .order_by(Agreement.in_force_end_date))
    if organisation_id:
        query = query.where(Agreement.parties.any(AgreementParty.organisation_id == organisation_id))
    return list(session.scalars(query))


def list_archived(session: Session) -> list[Agreement]:
    """Archived agreements, most recently archived first (staff restore them)."""
    return list(session.scalars(
        select(Agreement).where(Agreement.archived_at.is_not(None))
        .options(selectinload(Agreement.parties).joinedload(AgreementParty.organisation))
        .order_by(Agreement.archived_at.desc(), Agreement.id.desc())))


def agreements_for_route(session: Session, route_id: int) -> list[Agreement]:
    """The (not archived) agreements that cover a route, newest first."""
    return list(session.scalars(
        select(Agreement).join(agreement_routes, agreement_routes.c.agreement_id == Agreement.id)
        .where(agreement_routes.c.route_id == route_id, Agreement.archived_at.is_(None))
        .order_by(Agreement.end_date.desc())
    ))


def routes_for(session: Session, organisation_id: int) -> list[LearningRoute]:
    """Routes a coordinator may cover: those where their organisation is a party."""
    return list(session.scalars(
        select(LearningRoute)
        .where(LearningRoute.archived_at.is_(None),
               LearningRoute.parties.any(RouteParty.organisation_id == organisation_id))
        .order_by(LearningRoute.title)
    ))


def version_diff(agreement: Agreement, a: int, b: int) -> list[dom.DiffEntry]:
    by_number = {v.number: v for v in agreement.versions}
    if a not in by_number or b not in by_number:
        raise LookupError("onbekende versie")
    return dom.diff_snapshots(by_number[a].snapshot, by_number[b].snapshot)


# --- the activation rule (used by the route service) ------------------------

def activation_school_year(first_school_year: str | None, on: date | None = None) -> str:
    """The school year a route becomes actief in: the current one, or its first
    school year when that lies ahead."""
    current = school_year_of(on or today())
    if first_school_year and not school_year_error(first_school_year) and first_school_year > current:
        return first_school_year
    return current


def activation_errors(session: Session, route: LearningRoute | None, school_year: str,
                      kind: str | None = None) -> list[str]:
    """A DLR or GLR can be actief in a school year only when a signed agreement
    that is valid in that year covers it. `kind` overrides the stored kind (a
    change of kind and status in one update)."""
    if (kind or getattr(route, "kind_code", None)) not in COVERAGE_KINDS:
        return []
    if route is None or route.id is None:  # a new route: no agreement can cover it yet
        return [f"Deze leerroute kan voor schooljaar {school_year} pas actief worden als een getekende "
                f"samenwerkingsovereenkomst die in dat schooljaar geldt, deze route dekt."]
    if school_year_error(school_year):
        return [school_year_error(school_year)]
    query = (select(Agreement)
             .join(agreement_in_force_routes, agreement_in_force_routes.c.agreement_id == Agreement.id)
             .where(agreement_in_force_routes.c.route_id == route.id, Agreement.archived_at.is_(None),
                    Agreement.in_force_revision.is_not(None)))
    if locks_enabled():
        # The covering agreements as committed, held until the route's write
        # commits (PostgreSQL FOR SHARE): a termination or addendum of one of
        # them waits for the activation, or the activation for it.
        query = query.with_for_update(read=True, of=Agreement)
    candidates = session.scalars(query.execution_options(populate_existing=True))
    for agreement in candidates:
        if in_force_in(agreement, school_year, not_ended_on=today()):
            return []
    return [f"Deze leerroute kan voor schooljaar {school_year} pas actief worden als een getekende "
            f"samenwerkingsovereenkomst die in dat schooljaar geldt, deze route dekt."]


def in_force_in(agreement: Agreement, school_year: str, not_ended_on: date | None = None) -> bool:
    """The version in force covers (part of) the school year: the one rule for "a signed agreement covers a
    route in a school year" (the monitoring indicators, also of past years). For activation, pass
    `not_ended_on` (today): a termination or expiry earlier in the year ends the basis (route_basis.py)."""
    period = in_force(agreement)
    return (period is not None and period.overlaps_school_year(school_year)
            and (not_ended_on is None or period.end_date >= not_ended_on))


def routes_covered_in(session: Session, school_years: list[str]) -> dict[str, set[int]]:
    """Per school year, the ids of the routes covered by a signed agreement in
    force in that year (in_force_in). One query, whatever the number of years.
    Read as columns; the years a period in force overlaps are worked out once
    per distinct period, not once per route and year."""
    rows = session.execute(
        select(agreement_in_force_routes.c.route_id, *IN_FORCE_COLUMNS)
        .join(Agreement, Agreement.id == agreement_in_force_routes.c.agreement_id)
        .where(Agreement.archived_at.is_(None), Agreement.in_force_revision.is_not(None)))
    covered: dict[str, set[int]] = {year: set() for year in school_years}
    bounds = [(covered[year], school_year_bounds(year)) for year in school_years]
    years_of: dict[tuple, list[set[int]]] = {}  # in-force columns -> the covered sets of the years in force
    for route_id, *columns in rows:
        key = tuple(columns)
        sets = years_of.get(key)
        if sets is None:
            period = in_force_of(*columns)
            sets = years_of[key] = [] if period is None else [
                ids for ids, (first_day, last_day) in bounds if period.overlaps(first_day, last_day)]
        for ids in sets:
            ids.add(route_id)
    return covered
