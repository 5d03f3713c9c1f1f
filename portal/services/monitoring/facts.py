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


@dataclass(slots=True)
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
    # Built when first asked for, then shared by every school year (and, kept, by every reader: never
    # changed). Index: covered (False 0, True 1).
    _counted: list[CountedRoute | None] = field(default_factory=lambda: [None, None], repr=False, compare=False)
    _rows: list[dict | None] = field(default_factory=lambda: [None, None], repr=False, compare=False)

    def counted_route(self, covered: bool, shared: dict[frozenset, frozenset]) -> CountedRoute:
        """The route as the indicators count it (domain.monitoring), uncovered or
        covered. `shared`: equal sets of pathways, regions and schools as one
        object (many routes have the same ones; fewer objects to build and collect)."""
        route = self._counted[covered]
        if route is None:
            route = self._counted[covered] = CountedRoute(
                id=self.id, kind=self.kind, level=self.level, teaching_location=self.teaching_location,
                pathways=shared.setdefault(frozenset(self.pathways), frozenset(self.pathways)),
                regions=shared.setdefault(frozenset(self.regions), frozenset(self.regions)),
                pupils=self.pupils, covered=covered,
                vmbo_ids=shared.setdefault(frozenset(self.vmbo_ids), frozenset(self.vmbo_ids)))
        return route

    def snapshot_row(self, covered: bool) -> dict:
        """The route as a snapshot keeps it (snapshots.route_rows), uncovered or covered."""
        row = self._rows[covered]
        if row is None:
            row = self._rows[covered] = {
                "id": self.id, "title": self.title, "kind": self.kind, "level": self.level, "status": self.status,
                "teaching_location": self.teaching_location, "pathways": sorted(self.pathways),
                "pupils": self.pupils, "covered": covered, "parties": self.parties, "regions": sorted(self.regions)}
        return row


@dataclass
class Facts:
    region_codes: list[str]
    region_names: dict[str, str]
    vmbo_regions: dict[int, str | None]
    routes: list[RouteRow]
    covered: dict[str, set[int]]
    current: str
    _counted: dict[str, list[RouteRow]] = field(default_factory=dict, repr=False)
    _shared: dict[frozenset, frozenset] = field(default_factory=dict, repr=False)

    def counted(self, school_year: str) -> list[RouteRow]:
        """The routes that counted in the school year (route_state.counted_in),
        in id order. The rule is asked once per (status, span) in the year, not
        per route: many routes share a span."""
        if school_year not in self._counted:
            verdicts: dict[tuple[str, str, str | None], bool] = {}
            rows = []
            for r in self.routes:
                span = (r.status, r.first, r.last)
                counts = verdicts.get(span)
                if counts is None:
                    counts = verdicts[span] = route_state.counted_in(*span, school_year, self.current)
                if counts:
                    rows.append(r)
            self._counted[school_year] = rows
        return self._counted[school_year]

    def counted_routes(self, school_year: str) -> list[CountedRoute]:
        covered = self.covered.get(school_year, set())
        return [r.counted_route(r.id in covered, self._shared) for r in self.counted(school_year)]


def load_facts(session: Session, region_year: int | None, school_years: list[str]) -> Facts:
    """Everything the indicators of these school years need. Seven queries."""
    year = region_year or 0
    regions = session.execute(  # (through the session first: it flushes what is pending)
        select(Region.code, Region.name).where(Region.year == year).order_by(Region.code)).all()
    # The other statements select columns only: run on the session's connection (its transaction), so
    # their rows skip the ORM's result processing (as coverage/map_data does).
    connection = session.connection()
    last = max(school_years) if school_years else current_school_year()
    may_count = (visibility_clause(None), LearningRoute.status.in_(COUNTED_STATUSES),
                 LearningRoute.first_school_year <= last)
    public = select(LearningRoute.id).where(*may_count)
    routes = {row[0]: RouteRow(*row)  # the columns in RouteRow's order
              for row in connection.execute(
                  select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code,
                         LearningRoute.mbo_level_code, LearningRoute.status, LearningRoute.first_school_year,
                         LearningRoute.last_school_year, LearningRoute.teaching_location,
                         LearningRoute.pupils_per_cohort)
                  .where(*may_count).order_by(LearningRoute.id))}
    # Pathways and parties: every row, kept for the routes above. Most routes may count, and a plain
    # scan costs the database less than a lookup per route of `public` (and no sort for the parties).
    for route_id, pathway in connection.execute(select(route_pathways.c.route_id, route_pathways.c.pathway_code)):
        if route_id in routes:
            routes[route_id].pathways.add(pathway)
    pairs = route_region_pairs(year, public)
    for route_id, code in connection.execute(
            select(pairs.c.route_id, Region.code).join(Region, Region.id == pairs.c.region_id)):
        if route_id in routes:
            routes[route_id].regions.add(code)
    for route_id, role, organisation_id, name in connection.execute(
            select(RouteParty.route_id, RouteParty.role, RouteParty.organisation_id, Organisation.name)
            .join(Organisation, Organisation.id == RouteParty.organisation_id).order_by(RouteParty.id)):
        if route_id in routes:
            routes[route_id].parties.append(name)
            if role == "vmbo":
                routes[route_id].vmbo_ids.add(organisation_id)
    vmbo_regions: dict[int, str | None] = {}
    for school_id, code in connection.execute(
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

