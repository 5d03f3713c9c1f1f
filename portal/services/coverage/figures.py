"""Coverage figures per arbeidsmarktregio, computed by SQL aggregation.

Every function here issues a fixed number of queries, whatever the number of
routes, schools or regions: figures are GROUP BY aggregates, lists are one
query each. The route selection is always the one of the route list
(portal.services.learning_routes.filters), so map, exports, dashboard and API agree.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import and_, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.domain import coverage as rules
from portal.domain.school_year import current_school_year
from portal.models import (
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    Region,
    RouteParty,
    organisation_profiles,
    route_profiles,
)
from portal.services.coverage.mbo_presence import mbo_count_per_region
from portal.services.learning_routes.filters import (
    RouteFilters,
    audience,
    filtered_routes,
    route_region_pairs,
    route_region_pairs_select,
)

# --- the selection ---------------------------------------------------------------

def selection_filters(filters: RouteFilters | None = None, *, school_year: str | None = None,
                      region: str | None = None) -> RouteFilters:
    """The filters of a coverage view: unless chosen otherwise, the active
    routes (status actief) running in the current school year."""
    result = dataclasses.replace(filters) if filters is not None else RouteFilters()
    result.region = list(result.region)
    if region:
        result.region = [region]
    if not result.status:
        result.status = ["actief"]
    result.school_year = school_year or result.school_year or current_school_year()
    return result


def selected_route_ids(filters: RouteFilters, user, year: int | None):
    """Subquery of the ids of the routes in the selection."""
    return filtered_routes(filters, user, year).with_only_columns(LearningRoute.id)


def region_pairs(year: int | None, route_ids=None):
    """route_region_pairs, restricted to known route ids when given (lets the
    database push the restriction into the DISTINCT subquery)."""
    return route_region_pairs(year, route_ids)


def is_active_selection(filters: RouteFilters) -> bool:
    return filters.status == ["actief"]


# --- figures per region ---------------------------------------------------------

@dataclass
class RegionFigures:
    id: int
    code: str
    name: str
    routes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    levels: set[str] = field(default_factory=set)
    pupils_in_routes: int = 0
    vmbo_schools: int = 0
    vmbo_schools_with_route: int = 0
    vmbo_pupils: int | None = None
    mbo_institutions: int = 0
    profiles_offered: set[str] = field(default_factory=set)
    route_profiles: set[str] = field(default_factory=set)

    @property
    def niveaus_covered(self) -> int:
        return len(self.levels)

    @property
    def profiles_covered(self) -> set[str]:
        return self.profiles_offered & self.route_profiles

    @property
    def profile_share(self) -> float | None:
        return rules.profile_share(self.profiles_offered, self.route_profiles)

    @property
    def routes_per_1000_pupils(self) -> float | None:
        return rules.routes_per_thousand(self.routes, self.vmbo_pupils)

    def kind_count(self, group: str) -> int:
        return sum(n for kind, n in self.by_kind.items() if rules.kind_group(kind) == group)

    def measure_value(self, measure: rules.Measure) -> float | None:
        return {
            "routes": self.routes, "levels": self.niveaus_covered,
            "profiles": self.profile_share, "pupils": self.routes_per_1000_pupils,
        }[measure.code]


def region_figures(session: Session, filters: RouteFilters, user, year: int | None,
                   region_codes: list[str] | None = None, route_ids: list[int] | None = None,
                   ) -> list[RegionFigures]:
    """Figures of every region of the year's indeling (or only the given codes)
    for the routes in the selection (or the already selected `route_ids`).
    Five queries; kept per aggregates version unless `route_ids` are given."""
    if route_ids is not None:
        return _region_figures(session, filters, user, year, region_codes, route_ids)
    key = ("region_figures", filters.key(), audience(user), year, tuple(region_codes or ()))
    return kept(session, key, lambda: _region_figures(session, filters, user, year, region_codes, None))


def _region_figures(session: Session, filters: RouteFilters, user, year: int | None,
                    region_codes: list[str] | None, route_ids: list[int] | None) -> list[RegionFigures]:
    region_query = select(Region.id, Region.code, Region.name).where(Region.year == (year or 0))
    if region_codes:
        region_query = region_query.where(Region.code.in_(region_codes))
    figures = {row.id: RegionFigures(row.id, row.code, row.name)
               for row in session.execute(region_query.order_by(Region.code))}
    if not figures:
        return []
    region_ids = list(figures)
    ids = selected_route_ids(filters, user, year) if route_ids is None else route_ids
    # The pairs of the selected routes in these regions only (the restriction
    # inside the DISTINCT: no other route's regions are derived), derived once
    # for both parts of the one statement below (a CTE used twice is
    # materialised by SQLite and PostgreSQL).
    pairs = route_region_pairs_select(year, ids, region_ids if region_codes else None).cte("selected_pairs")
    # 1. routes per region, kind and level; 5. profielen of the routes per region
    per_kind = (
        select(literal_column("'k'").label("part"), pairs.c.region_id, LearningRoute.kind_code.label("code"),
               LearningRoute.mbo_level_code.label("level"), func.count(LearningRoute.id).label("routes"),
               func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0).label("pupils"))
        .select_from(pairs).join(LearningRoute, LearningRoute.id == pairs.c.route_id)
        .group_by(pairs.c.region_id, LearningRoute.kind_code, LearningRoute.mbo_level_code))
    per_profile = (
        select(literal_column("'p'"), pairs.c.region_id, route_profiles.c.profile_code, null(), null(), null())
        .select_from(pairs).join(route_profiles, route_profiles.c.route_id == pairs.c.route_id)
        .group_by(pairs.c.region_id, route_profiles.c.profile_code))
    for part, region_id, code, level, count, pupils in session.execute(union_all(per_kind, per_profile)):
        item = figures.get(region_id)
        if item is None:
            continue
        if part == "p":
            item.route_profiles.add(code)
            continue
        item.routes += count
        item.by_kind[code] = item.by_kind.get(code, 0) + count
        item.pupils_in_routes += int(pupils or 0)
        if level:
            item.levels.add(level)

    add_organisation_figures(session, figures, year)

    # 3. vmbo schools that take part in a selected route (the schools first:
    # a plan that starts from the route ids stays quick without statistics)
    rows = session.execute(
        select(MunicipalityRegion.region_id, func.count(Organisation.id))
        .select_from(Organisation).join(MunicipalityRegion, _in_region(year))
        .where(MunicipalityRegion.region_id.in_(region_ids), Organisation.id.in_(vmbo_parties(ids)))
        .group_by(MunicipalityRegion.region_id)
    )
    for region_id, count in rows:
        figures[region_id].vmbo_schools_with_route = count

    return list(figures.values())


def _in_region(year: int | None):
    return and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                MunicipalityRegion.year == (year or 0))


def vmbo_parties(route_ids):
    """Ids of the vmbo schools taking part in the given routes."""
    return select(RouteParty.organisation_id).where(RouteParty.role == "vmbo", RouteParty.route_id.in_(route_ids))


def add_organisation_figures(session: Session, figures: dict[int, RegionFigures], year: int | None) -> None:
    """The figures of the regions' organisations, whatever the selection: vmbo
    schools, their pupils and profielen, mbo institutions (by their locations,
    coverage.mbo_presence). Three queries."""
    region_ids = list(figures)
    rows = session.execute(
        select(MunicipalityRegion.region_id, Organisation.kind, func.count(Organisation.id),
               func.sum(Organisation.pupils))
        .select_from(Organisation).join(MunicipalityRegion, _in_region(year))
        .where(Organisation.kind == "vmbo", MunicipalityRegion.region_id.in_(region_ids))
        .group_by(MunicipalityRegion.region_id, Organisation.kind)
    )
    for region_id, _kind, count, pupils in rows:
        item = figures[region_id]
        item.vmbo_schools = count
        item.vmbo_pupils = int(pupils) if pupils is not None else None
    for region_id, count in session.execute(mbo_count_per_region(year or 0)):
        if region_id in figures:
            figures[region_id].mbo_institutions = count
    rows = session.execute(
        select(MunicipalityRegion.region_id, organisation_profiles.c.profile_code).distinct()
        .select_from(Organisation)
        .join(organisation_profiles, organisation_profiles.c.organisation_id == Organisation.id)
        .join(MunicipalityRegion, _in_region(year))
        .where(Organisation.kind == "vmbo", MunicipalityRegion.region_id.in_(region_ids))
    )
    for region_id, profile in rows:
        figures[region_id].profiles_offered.add(profile)


@dataclass
class Totals:
    routes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    pupils_in_routes: int = 0
    regions_with_route: int = 0
    regions: int = 0
    schools_with_route: int = 0


# --- pins -----------------------------------------------------------------------

@dataclass
class PinRoute:
    id: int
    title: str
    kind: str
    level: str | None
    profiles: list[str] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SchoolPin:
    id: int
    name: str
    city: str | None
    lat: float
    lon: float
    routes: list[PinRoute] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        order = list(rules.MAIN_KINDS) + list(rules.OTHER_KINDS)
        return sorted({r.kind for r in self.routes}, key=order.index)


def _schools_without_route_query(filters: RouteFilters, user, year: int | None,
                                 region_codes: list[str] | None, route_ids: list[int] | None):
    ids = selected_route_ids(filters, user, year) if route_ids is None else route_ids
    with_route = select(RouteParty.organisation_id).where(RouteParty.route_id.in_(ids))
    query = (
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.lat, Organisation.lon,
               Region.code)
        .join(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                       MunicipalityRegion.year == (year or 0)), isouter=True)
        .join(Region, Region.id == MunicipalityRegion.region_id, isouter=True)
        .where(Organisation.kind == "vmbo", Organisation.id.not_in(with_route))
        .order_by(Organisation.name, Organisation.id)
    )
    codes = region_codes if region_codes is not None else filters.region
    if codes:
        query = query.where(Region.code.in_(codes))
    return query


def schools_without_route(session: Session, filters: RouteFilters, user, year: int | None,
                          region_codes: list[str] | None = None, route_ids: list[int] | None = None,
                          ) -> list[tuple]:
    """vmbo schools (with coordinates) that take part in none of the selected
    routes; limited to the filtered regions. One query.
    Rows: (id, name, city, lat, lon, region code)."""
    return list(session.execute(_schools_without_route_query(filters, user, year, region_codes, route_ids)))


def count_schools_without_route(session: Session, filters: RouteFilters, user, year: int | None) -> int:
    """How many rows schools_without_route would give. One query."""
    if filters.region:
        query = _schools_without_route_query(filters, user, year, None, None).order_by(None)
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # A municipality lies in one region a year, so the region join adds no rows.
    with_route = select(RouteParty.organisation_id).where(
        RouteParty.route_id.in_(selected_route_ids(filters, user, year)))
    return session.scalar(select(func.count(Organisation.id))
                          .where(Organisation.kind == "vmbo", Organisation.id.not_in(with_route))) or 0


def region_geometries(session: Session, year: int | None) -> list[tuple[str, str, str | None]]:
    """(code, name, GeoJSON geometry text) of the year's regions. One query."""
    return list(session.execute(
        select(Region.code, Region.name, Region.geometry).where(Region.year == (year or 0))
        .order_by(Region.code)))
