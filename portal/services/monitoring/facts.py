"""What the indicators are computed from, read from the database: the public
routes that counted per school year (portal.domain.route_state.counted_in),
their pathways, regions, vmbo parties and agreement coverage, and the vmbo
vestigingen per region. A fixed number of queries (seven), whatever the number
of routes or school years."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import route_state
from portal.domain.monitoring import CountedRoute
from portal.domain.school_year import current_school_year
from portal.models import (
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    Region,
    RouteParty,
    route_pathways,
)
from portal.services.agreements.queries import routes_covered_in
from portal.services.learning_routes.filters import route_region_pairs, visibility_clause

COUNTED_STATUSES = ("actief", "beeindigd")


@dataclass
class RouteRow:
    """A public route that may count, with what a snapshot keeps of it."""

    id: int
    title: str
    kind: str
    level: str | None
    status: str
    first: str
    last: str | None
    teaching_location: str
    pupils: int | None
    pathways: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    vmbo_ids: set[int] = field(default_factory=set)
    parties: list[str] = field(default_factory=list)


@dataclass
class Facts:
    region_codes: list[str]
    region_names: dict[str, str]
    vmbo_regions: dict[int, str | None]
    routes: list[RouteRow]
    covered: dict[str, set[int]]
    current: str

    def counted(self, school_year: str) -> list[RouteRow]:
        return [r for r in self.routes
                if route_state.counted_in(r.status, r.first, r.last, school_year, self.current)]

    def counted_routes(self, school_year: str) -> list[CountedRoute]:
        covered = self.covered.get(school_year, set())
        return [CountedRoute(id=r.id, kind=r.kind, level=r.level, teaching_location=r.teaching_location,
                             pathways=frozenset(r.pathways), regions=frozenset(r.regions), pupils=r.pupils,
                             covered=r.id in covered, vmbo_ids=frozenset(r.vmbo_ids))
                for r in self.counted(school_year)]


def load_facts(session: Session, region_year: int | None, school_years: list[str]) -> Facts:
    """Everything the indicators of these school years need. Seven queries."""
    year = region_year or 0
    regions = session.execute(select(Region.code, Region.name).where(Region.year == year)
                              .order_by(Region.code)).all()
    last = max(school_years) if school_years else current_school_year()
    public = (select(LearningRoute.id)
              .where(visibility_clause(None), LearningRoute.status.in_(COUNTED_STATUSES),
                     LearningRoute.first_school_year <= last))
    routes = {row.id: RouteRow(row.id, row.title, row.kind_code, row.mbo_level_code, row.status,
                               row.first_school_year, row.last_school_year, row.teaching_location,
                               row.pupils_per_cohort)
              for row in session.execute(
                  select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code,
                         LearningRoute.mbo_level_code, LearningRoute.status, LearningRoute.first_school_year,
                         LearningRoute.last_school_year, LearningRoute.teaching_location,
                         LearningRoute.pupils_per_cohort)
                  .where(LearningRoute.id.in_(public)).order_by(LearningRoute.id))}
    for route_id, pathway in session.execute(
            select(route_pathways.c.route_id, route_pathways.c.pathway_code)
            .where(route_pathways.c.route_id.in_(public))):
        routes[route_id].pathways.add(pathway)
    pairs = route_region_pairs(year, public)
    for route_id, code in session.execute(
            select(pairs.c.route_id, Region.code).join(Region, Region.id == pairs.c.region_id)):
        if route_id in routes:
            routes[route_id].regions.add(code)
    for route_id, role, organisation_id, name in session.execute(
            select(RouteParty.route_id, RouteParty.role, RouteParty.organisation_id, Organisation.name)
            .join(Organisation, Organisation.id == RouteParty.organisation_id)
            .where(RouteParty.route_id.in_(public)).order_by(RouteParty.id)):
        if route_id in routes:
            routes[route_id].parties.append(name)
            if role == "vmbo":
                routes[route_id].vmbo_ids.add(organisation_id)
    vmbo_regions: dict[int, str | None] = {}
    for school_id, code in session.execute(
            select(Organisation.id, Region.code)
            .select_from(Organisation)
            .join(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                  & (MunicipalityRegion.year == year), isouter=True)
            .join(Region, Region.id == MunicipalityRegion.region_id, isouter=True)
            .where(Organisation.kind == "vmbo")):
        vmbo_regions[school_id] = code
    return Facts(region_codes=[r.code for r in regions], region_names={r.code: r.name for r in regions},
                 vmbo_regions=vmbo_regions, routes=list(routes.values()),
                 covered=routes_covered_in(session, school_years), current=current_school_year())

