"""Registration of routes in DUO's register (RIO), per route and vmbo party:
recording it (a coordinator of that school or staff, on the route page),
marking many at once (the staff comparison with DUO's list), and the active
DLR/GLR that are not registered. "Active" is the one definition
(filters.active_in = domain/route_state.is_active_in). Flush, never commit."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.locking import lock_for_write
from portal.domain import rio
from portal.domain.route_state import is_active_in
from portal.models import LearningRoute, Organisation, RouteParty
from portal.services.learning_routes.filters import active_in
from portal.services.learning_routes.snapshots import AUDIT_TYPE

AUDIT_ACTION = "duo_registration"


def describe(party: RouteParty) -> str:
    """The registration as the history tab and the audit log show it."""
    name = party.organisation.display_name if party.organisation else str(party.organisation_id)
    if not party.rio_registered:
        return f"{name}: niet geregistreerd bij DUO"
    text = f"{name}: geregistreerd bij DUO"
    if party.rio_registered_on:
        text += f" op {party.rio_registered_on:%d-%m-%Y}"
    if party.rio_code:
        text += f", RIO-code {party.rio_code}"
    return text


def vmbo_party(route: LearningRoute, organisation_id: int) -> RouteParty | None:
    return next((p for p in route.parties if p.role == "vmbo" and p.organisation_id == organisation_id), None)


def set_registration(session: Session, route: LearningRoute, organisation_id: int, registered: bool,
                     registered_on: date | None, code: str | None, actor, *, today: date | None = None) -> RouteParty:
    """Record the vmbo school's registration of the route at DUO, under the
    route's lock, checked (domain/rio.py) and audited on the route."""
    lock_for_write(session, route)
    if route.archived_at is not None:
        raise ServiceError("Deze leerroute is gearchiveerd.")
    party = vmbo_party(route, organisation_id)
    if party is None:
        raise ServiceError("Deze school is geen vmbo-partij van de leerroute.")
    value = rio.Registration(registered, registered_on, rio.normalise_code(code))
    errors = rio.check_registration(value, today or date.today())
    if errors:
        raise ServiceError(errors)
    _write(session, route, party, value, actor)
    return party


def _write(session: Session, route: LearningRoute, party: RouteParty, value: rio.Registration, actor) -> bool:
    before = describe(party)
    party.rio_registered = value.registered
    party.rio_registered_on = value.registered_on
    party.rio_code = value.code
    session.flush()
    after = describe(party)
    if before == after:
        return False
    record(session, actor, AUDIT_TYPE, route.id, AUDIT_ACTION,
           before={AUDIT_ACTION: before}, after={AUDIT_ACTION: after})
    return True


def mark_registered(session: Session, matches: Iterable[tuple[int, int, str]], actor, on: date) -> int:
    """Mark (route id, vmbo organisation id, school year) matches as registered
    on `on` (the staff comparison's confirmation), each under its route's
    lock and audited. A match that is no longer an active DLR/GLR of that
    school in that school year, or is registered already, is left as it is.
    Returns how many changed."""
    wanted: dict[int, set[tuple[int, str]]] = {}
    for route_id, organisation_id, school_year in matches:
        wanted.setdefault(route_id, set()).add((organisation_id, school_year))
    changed = 0
    for route in session.scalars(select(LearningRoute).where(LearningRoute.id.in_(wanted))
                                 .order_by(LearningRoute.id)):
        lock_for_write(session, route)
        if route.archived_at is not None or route.kind_code not in rio.RIO_KINDS:
            continue
        for organisation_id, school_year in sorted(wanted[route.id]):
            party = vmbo_party(route, organisation_id)
            if not _is_active(route, school_year):
                continue
            if party is None or party.rio_registered:
                continue
            if _write(session, route, party, rio.Registration(True, on, party.rio_code), actor):
                changed += 1
    return changed


def _is_active(route: LearningRoute, school_year: str) -> bool:
    return is_active_in(route.status, route.first_school_year, route.last_school_year, school_year)


# --- reading ---------------------------------------------------------------------

@dataclass(frozen=True)
class Unregistered:
    """An active DLR/GLR that a vmbo school has not registered at DUO."""
    school: Organisation
    route: LearningRoute


def active_rio_parties(school_year: str, organisation_id: int | None = None):
    """SELECT (RouteParty joined to its route) of the vmbo parties of the
    visible DLR/GLR that are actief in the school year."""
    stmt = (select(RouteParty).join(RouteParty.route)
            .where(RouteParty.role == "vmbo", LearningRoute.archived_at.is_(None),
                   LearningRoute.kind_code.in_(rio.RIO_KINDS), active_in(school_year)))
    if organisation_id is not None:
        stmt = stmt.where(RouteParty.organisation_id == organisation_id)
    return stmt


def unregistered(session: Session, school_year: str, organisation_id: int | None = None) -> list[Unregistered]:
    """The active DLR/GLR not registered at DUO, per school (by school name, then route title)."""
    stmt = (active_rio_parties(school_year, organisation_id).where(RouteParty.rio_registered.is_(False))
            .join(RouteParty.organisation)
            .options(contains_eager(RouteParty.route), contains_eager(RouteParty.organisation))
            .order_by(Organisation.name, Organisation.id, LearningRoute.title, LearningRoute.id))
    return [Unregistered(p.organisation, p.route) for p in session.scalars(stmt)]


def unregistered_route_ids(session: Session, organisation_id: int, school_year: str) -> set[int]:
    """The routes of one vmbo school that it still has to register ('Mijn leerroutes')."""
    stmt = active_rio_parties(school_year, organisation_id).where(RouteParty.rio_registered.is_(False))
    return set(session.scalars(stmt.with_only_columns(RouteParty.route_id)))


def unregistered_rows(items: list[Unregistered], school_year: str) -> list[list]:
    """The staff list as CSV rows (header first)."""
    rows: list[list] = [["vestigingscode", "school", "plaats", "route_id", "titel", "soort", "crebo",
                         "eerste_schooljaar", "schooljaar", "peildatum"]]
    for item in items:
        rows.append([item.school.vestigingscode or "", item.school.name, item.school.city or "", item.route.id,
                     item.route.title, item.route.kind_code.upper(), item.route.crebo or "",
                     item.route.first_school_year, school_year, rio.count_date(school_year).isoformat()])
    return rows
