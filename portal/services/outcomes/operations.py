"""Recording a route's outcomes for a school year (audited). One row per route
and year: the route's row lock serialises two writers, the version check
refuses a stale form, and the unique constraint catches whatever slips past."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import outcomes as rules
from portal.domain.school_year import current_school_year
from portal.models import LearningRoute, RouteOutcome, RouteOutcomeLeavers, User
from portal.models.base import utcnow
from portal.services.outcomes.queries import phase_choices

OBJECT_TYPE = "route_outcome"


@dataclass
class OutcomeData:
    started: int | None
    diplomas_vmbo: int | None
    diplomas_mbo: int | None
    groups: list[rules.LeaverGroup] = field(default_factory=list)


def _merged(groups: list[rules.LeaverGroup]) -> list[rules.LeaverGroup]:
    """Groups of the same phase and destination become one."""
    merged: dict[tuple, list[int]] = {}
    phases: dict[tuple, tuple[int | None, int | None]] = {}
    for group in groups:
        key = (group.phase_from, group.destination)
        merged.setdefault(key, []).extend(group.waits)
        phases[key] = (group.phase_from, group.phase_to)
    return [rules.LeaverGroup(*phases[key], key[1], tuple(sorted(waits)))
            for key, waits in merged.items() if waits]


def _values(outcome: RouteOutcome) -> dict:
    return {"school_year": outcome.school_year, "started": outcome.started,
            "diplomas_vmbo": outcome.diplomas_vmbo, "diplomas_mbo": outcome.diplomas_mbo,
            "leavers": [f"{rules.phase_label(g.phase_from_month, g.phase_to_month)}, "
                        f"{rules.OUTCOME_DESTINATIONS[g.destination]}: wachttijden {list(g.waits)}"
                        for g in outcome.leavers],
            "version_id": outcome.version_id}


def _conflict(school_year: str, current: RouteOutcome) -> ConflictError:
    error = ConflictError(f"Iemand anders heeft de uitkomsten van schooljaar {school_year} intussen "
                          f"vastgelegd; je invoer is niet opgeslagen. Je invoer staat hieronder nog: bekijk de "
                          f"cijfers van de ander en sla opnieuw op.")
    error.changes = []
    error.current_version = current.version_id  # type: ignore[attr-defined]
    return error


def save_outcome(session: Session, route: LearningRoute, school_year: str, data: OutcomeData,
                 actor: User | None, expected_version: int | None = None) -> RouteOutcome:
    """Record (or correct) the route's figures for `school_year`.
    `expected_version`: the version the form was opened at; None for a form
    opened when nothing was recorded yet."""
    lock_for_write(session, route)
    if route.archived_at is not None:
        raise ServiceError("Deze leerroute is gearchiveerd; haar uitkomsten kunnen niet meer worden gewijzigd.")
    if error := rules.school_year_in_route(school_year, route.first_school_year, route.last_school_year,
                                           current_school_year()):
        raise ServiceError({"school_year": [error]})
    existing = session.scalar(select(RouteOutcome).where(RouteOutcome.route_id == route.id,
                                                         RouteOutcome.school_year == school_year))
    if existing is not None and (expected_version is None or expected_version != existing.version_id):
        raise _conflict(school_year, existing)
    groups = _merged(data.groups)
    phases = [(start, end) for start, end, _max in phase_choices(session, route, school_year)]
    errors = rules.outcome_errors(data.started, data.diplomas_vmbo, data.diplomas_mbo, groups, phases)
    if errors:
        raise ServiceError({name: [message] for name, message in errors.items()})
    assert data.started is not None and data.diplomas_vmbo is not None and data.diplomas_mbo is not None
    rows = [RouteOutcomeLeavers(phase_from_month=g.phase_from, phase_to_month=g.phase_to,
                                destination=g.destination, waits=list(g.waits)) for g in groups]
    if existing is None:
        outcome = RouteOutcome(route_id=route.id, school_year=school_year, started=data.started,
                               diplomas_vmbo=data.diplomas_vmbo, diplomas_mbo=data.diplomas_mbo, leavers=rows)
        try:
            with session.begin_nested():
                session.add(outcome)
                session.flush()
        except IntegrityError as exc:  # another writer recorded the same route and year first
            current = session.scalar(select(RouteOutcome).where(RouteOutcome.route_id == route.id,
                                                                RouteOutcome.school_year == school_year))
            if current is None:
                raise
            raise _conflict(school_year, current) from exc
        record(session, actor, OBJECT_TYPE, outcome.id, "create", after=_values(outcome))
        return outcome
    before = _values(existing)
    existing.leavers.clear()
    session.flush()
    existing.started, existing.diplomas_vmbo, existing.diplomas_mbo = (data.started, data.diplomas_vmbo,
                                                                       data.diplomas_mbo)
    existing.leavers = rows
    existing.updated_at = utcnow()  # a change of the leavers alone is a new version too
    session.flush()
    record(session, actor, OBJECT_TYPE, existing.id, "update", before=before, after=_values(existing))
    return existing
