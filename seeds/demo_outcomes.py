"""Demo route outcomes (issue 17): a few school years of the demo routes that
run under a signed demo agreement, recorded by a party's coordinator through
the outcomes service, as the form at /leerroutes/<id>/uitkomsten does. The
figures are demo: they belong to demo routes (is_demo) and are removed with
them. One pupil of Het Perron's Kok route waited longer than the Perron
agreement promises, so that the agreement page's comparison of the promise
with what happened shows a wait beyond the maximum.

Safe to rerun: a route-year that has outcomes is left as it is. Creates
nothing when a route, its coordinator or its agreement's phases are missing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.outcomes import LeaverGroup
from portal.models import LearningRoute
from portal.services.outcomes import operations, queries

# Years fixed, so that the demo reads the same every time; both lie inside
# the demo agreements' periods and before the current school year.
# route title, coordinator who records, school year, started, diplomas vmbo, diplomas mbo,
# leavers: (index of the agreement's guarantee phase, destination, waits in school days).
DEMO_OUTCOMES: tuple[dict, ...] = (
    dict(route="Het Perron vakmanschaproute Kok", by="coordinator.perron@demo.leerroutes.nl",
         year="2024-2025", started=12, vmbo=10, mbo=8,
         leavers=((0, "vmbo_bb", (0, 3)), (1, "mbo2", (4,)))),
    # The promise broken: phase 2 of the Perron agreement promises at most 10
    # school days; one pupil waited 14.
    dict(route="Het Perron vakmanschaproute Kok", by="coordinator.a12@demo.leerroutes.nl",
         year="2025-2026", started=12, vmbo=11, mbo=9,
         leavers=((0, "vmbo_bb", (2,)), (1, "mbo2", (6, 14)))),
    dict(route="Het Perron vakmanschaproute Verkoper", by="coordinator.perron@demo.leerroutes.nl",
         year="2025-2026", started=10, vmbo=9, mbo=7,
         leavers=((0, "vmbo_bb", (1,)), (0, "elders", (0,)))),
    dict(route="Profijt Achterhoek", by="coordinator.schaersvoorde@demo.leerroutes.nl",
         year="2025-2026", started=25, vmbo=22, mbo=19,
         leavers=((0, "vmbo_bb", (0, 2, 3, 5)), (1, "mbo2", (7,)))),
)


def seed(session: Session, result) -> None:
    for spec in DEMO_OUTCOMES:
        route = session.scalar(select(LearningRoute).where(LearningRoute.title == spec["route"],
                                                          LearningRoute.is_demo.is_(True),
                                                          LearningRoute.archived_at.is_(None)))
        actor = result.users.get(spec["by"])
        if route is None or actor is None or queries.outcome_for(session, route.id, spec["year"]) is not None:
            continue
        phases = queries.phase_choices(session, route, spec["year"])
        if len(phases) <= max(index for index, _destination, _waits in spec["leavers"]):
            continue
        groups = [LeaverGroup(phases[index][0], phases[index][1], destination, waits)
                  for index, destination, waits in spec["leavers"]]
        operations.save_outcome(session, route, spec["year"], operations.OutcomeData(
            started=spec["started"], diplomas_vmbo=spec["vmbo"], diplomas_mbo=spec["mbo"], groups=groups), actor)
    session.flush()
