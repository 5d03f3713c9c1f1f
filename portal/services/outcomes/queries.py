"""Reading route outcomes: the phases a route's outcomes are recorded in, a
route's figures per year (in full for its parties and staff, suppressed for
the public) and an agreement's promise against what happened."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.domain import outcomes as rules
from portal.domain.school_year import current_school_year, school_years_between
from portal.models import Agreement, LearningRoute, RouteOutcome, agreement_routes
from portal.services.agreements.queries import in_force_in


def guarantee_agreement(session: Session, route: LearningRoute, school_year: str) -> Agreement | None:
    """The agreement whose overstapgarantie applies to the route in that year:
    the one in force then, else the newest one covering the route. One
    statement, with the phases, whether or not there is an agreement."""
    agreements = list(session.scalars(
        select(Agreement).join(agreement_routes, agreement_routes.c.agreement_id == Agreement.id)
        .where(agreement_routes.c.route_id == route.id, Agreement.archived_at.is_(None))
        .options(joinedload(Agreement.guarantee_phases)).order_by(Agreement.id.desc())).unique())
    return next((a for a in agreements if in_force_in(a, school_year)), agreements[0] if agreements else None)


def phase_choices(session: Session, route: LearningRoute, school_year: str) -> list[tuple[int, int, int]]:
    """(from_month, to_month, max_wait_days) of each phase of that guarantee."""
    agreement = guarantee_agreement(session, route, school_year)
    if agreement is None:
        return []
    return [(p.from_month, p.to_month, p.max_wait_days) for p in agreement.guarantee_phases]


def recordable_years(route: LearningRoute) -> list[str]:
    """The school years outcomes may be recorded for: the route's period up to
    this school year, newest first."""
    current = current_school_year()
    end = min(route.last_school_year, current) if route.last_school_year else current
    if route.first_school_year > end:
        return []
    return list(reversed(school_years_between(route.first_school_year, end)))


def outcome_for(session: Session, route_id: int, school_year: str) -> RouteOutcome | None:
    """The route-year with its leavers (one statement, recorded or not)."""
    return session.scalars(select(RouteOutcome).where(RouteOutcome.route_id == route_id,
                                                      RouteOutcome.school_year == school_year)
                           .options(joinedload(RouteOutcome.leavers))).unique().first()


def outcomes_of_route(session: Session, route_id: int) -> list[RouteOutcome]:
    """Every recorded year of the route, newest first, with the leavers (one statement)."""
    return list(session.scalars(select(RouteOutcome).where(RouteOutcome.route_id == route_id)
                                .options(joinedload(RouteOutcome.leavers))
                                .order_by(RouteOutcome.school_year.desc())).unique())


def groups_of(outcome: RouteOutcome) -> list[rules.LeaverGroup]:
    return [rules.LeaverGroup(g.phase_from_month, g.phase_to_month, g.destination, tuple(g.waits))
            for g in outcome.leavers]


@dataclass
class PublicYear:
    """A route-year as the public sees it: every count through the suppression."""
    school_year: str
    started: str
    left: str
    diplomas_vmbo: str
    diplomas_mbo: str
    destinations: dict[str, str] = field(default_factory=dict)


def public_year(outcome: RouteOutcome) -> PublicYear:
    """The one public form of a route-year (the route page; any export or API
    must use this too): counts under 5 as "<5", and the destinations as a
    breakdown of the shown total, with secondary suppression."""
    by_destination: dict[str, int] = {}
    for group in outcome.leavers:
        by_destination[group.destination] = by_destination.get(group.destination, 0) + len(group.waits)
    left = sum(by_destination.values())
    shown = rules.suppress_group(by_destination, left)
    return PublicYear(outcome.school_year, rules.suppress(outcome.started), rules.suppress(left),
                      rules.suppress(outcome.diplomas_vmbo), rules.suppress(outcome.diplomas_mbo),
                      {code: str(shown[code]) for code in rules.OUTCOME_DESTINATIONS if code in shown})


@dataclass
class RouteYearWaits:
    """One route-year of an agreement: its phases against the promise."""
    route: LearningRoute
    school_year: str
    phases: list[rules.PhaseWaits]

    @property
    def beyond(self) -> int:
        return sum(p.beyond for p in self.phases)


def agreement_waits(session: Session, agreement: Agreement) -> list[RouteYearWaits]:
    """Per route of the agreement and school year with outcomes: the waits
    compared with this agreement's promised maximum per phase."""
    promised = [(p.from_month, p.to_month, p.max_wait_days) for p in agreement.guarantee_phases]
    route_ids = [r.id for r in agreement.routes]
    if not route_ids:
        return []
    outcomes = session.scalars(select(RouteOutcome).where(RouteOutcome.route_id.in_(route_ids))
                               .options(joinedload(RouteOutcome.leavers), joinedload(RouteOutcome.route))
                               .order_by(RouteOutcome.route_id, RouteOutcome.school_year.desc())).unique()
    return [RouteYearWaits(o.route, o.school_year, rules.compare_waits(promised, groups_of(o)))
            for o in outcomes if o.leavers]
