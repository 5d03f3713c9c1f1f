"""Coverage figures per arbeidsmarktregio, computed by SQL aggregation.

Every function here issues a fixed number of queries, whatever the number of
routes, schools or regions: figures are GROUP BY aggregates, lists are one
query each. The route selection is always the one of the route list
(portal.services.route_filters), so map, exports, dashboard and API agree.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from portal.domain import coverage as rules
from portal.models import (
    LearningRoute, MunicipalityRegion, Organisation, Region, RouteParty, organisation_profiles,
    route_profiles,
)
from portal.services.route_filters import (
    RouteFilters, filtered_routes, route_region_pairs, visibility_clause,
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
    result.school_year = school_year or result.school_year or rules.current_school_year()
    return result


def selected_route_ids(filters: RouteFilters, user, year: int | None):
    """Subquery of the ids of the routes in the selection."""
    return filtered_routes(filters, user, year).with_only_columns(LearningRoute.id)


def _pairs(year: int | None, route_ids=None):
    """route_region_pairs, restricted to known route ids when given (lets the
    database push the restriction into the DISTINCT subquery)."""
    pairs = route_region_pairs(year)
    if route_ids is None:
        return pairs
    return select(pairs).where(pairs.c.route_id.in_(route_ids)).subquery("route_regions_of")


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
    Six queries."""
    region_query = select(Region.id, Region.code, Region.name).where(Region.year == (year or 0))
    if region_codes:
        region_query = region_query.where(Region.code.in_(region_codes))
    figures = {row.id: RegionFigures(row.id, row.code, row.name)
               for row in session.execute(region_query.order_by(Region.code))}
    if not figures:
        return []
    region_ids = list(figures)
    ids = selected_route_ids(filters, user, year) if route_ids is None else route_ids
    pairs = _pairs(year, route_ids)

    # 1. routes per region, kind and level
    rows = session.execute(
        select(pairs.c.region_id, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               func.count(LearningRoute.id), func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
        .join(LearningRoute, LearningRoute.id == pairs.c.route_id)
        .where(LearningRoute.id.in_(ids), pairs.c.region_id.in_(region_ids))
        .group_by(pairs.c.region_id, LearningRoute.kind_code, LearningRoute.mbo_level_code)
    )
    for region_id, kind, level, count, pupils in rows:
        item = figures[region_id]
        item.routes += count
        item.by_kind[kind] = item.by_kind.get(kind, 0) + count
        item.pupils_in_routes += int(pupils or 0)
        if level:
            item.levels.add(level)

    # 2. vmbo schools and mbo institutions per region
    in_region = and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                     MunicipalityRegion.year == (year or 0))
    rows = session.execute(
        select(MunicipalityRegion.region_id, Organisation.kind, func.count(Organisation.id),
               func.sum(Organisation.pupils))
        .join(MunicipalityRegion, in_region)
        .where(Organisation.kind.in_(("vmbo", "mbo")), MunicipalityRegion.region_id.in_(region_ids))
        .group_by(MunicipalityRegion.region_id, Organisation.kind)
    )
    for region_id, kind, count, pupils in rows:
        item = figures[region_id]
        if kind == "vmbo":
            item.vmbo_schools = count
            item.vmbo_pupils = int(pupils) if pupils is not None else None
        else:
            item.mbo_institutions = count

    # 3. vmbo schools that take part in a selected route
    rows = session.execute(
        select(MunicipalityRegion.region_id, func.count(Organisation.id.distinct()))
        .select_from(RouteParty)
        .join(Organisation, Organisation.id == RouteParty.organisation_id)
        .join(MunicipalityRegion, in_region)
        .where(RouteParty.role == "vmbo", RouteParty.route_id.in_(ids),
               MunicipalityRegion.region_id.in_(region_ids))
        .group_by(MunicipalityRegion.region_id)
    )
    for region_id, count in rows:
        figures[region_id].vmbo_schools_with_route = count

    # 4. profielen offered by the region's vmbo schools
    rows = session.execute(
        select(MunicipalityRegion.region_id, organisation_profiles.c.profile_code).distinct()
        .select_from(Organisation)
        .join(organisation_profiles, organisation_profiles.c.organisation_id == Organisation.id)
        .join(MunicipalityRegion, in_region)
        .where(Organisation.kind == "vmbo", MunicipalityRegion.region_id.in_(region_ids))
    )
    for region_id, profile in rows:
        figures[region_id].profiles_offered.add(profile)

    # 5. profielen of the selected routes per region
    rows = session.execute(
        select(pairs.c.region_id, route_profiles.c.profile_code).distinct()
        .join(route_profiles, route_profiles.c.route_id == pairs.c.route_id)
        .where(pairs.c.route_id.in_(ids), pairs.c.region_id.in_(region_ids))
    )
    for region_id, profile in rows:
        figures[region_id].route_profiles.add(profile)
    return list(figures.values())


@dataclass
class Totals:
    routes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    pupils_in_routes: int = 0
    regions_with_route: int = 0
    regions: int = 0
    schools_with_route: int = 0


def selection_totals(session: Session, filters: RouteFilters, user, year: int | None,
                     figures: list[RegionFigures]) -> Totals:
    """National counters of the selection; a route in two regions counts once.
    One query."""
    ids = selected_route_ids(filters, user, year)
    totals = Totals(regions=len(figures))
    for kind, count, pupils in session.execute(
        select(LearningRoute.kind_code, func.count(LearningRoute.id),
               func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
        .where(LearningRoute.id.in_(ids)).group_by(LearningRoute.kind_code)
    ):
        totals.by_kind[kind] = count
        totals.routes += count
        totals.pupils_in_routes += int(pupils or 0)
    totals.regions_with_route = sum(1 for f in figures if f.routes)
    totals.schools_with_route = sum(f.vmbo_schools_with_route for f in figures)
    return totals


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


def school_pins(session: Session, filters: RouteFilters, user, year: int | None) -> list[SchoolPin]:
    """One pin per vmbo school taking part in a selected route. Three queries."""
    ids = selected_route_ids(filters, user, year)
    pins: dict[int, SchoolPin] = {}
    routes: dict[int, list[PinRoute]] = defaultdict(list)
    for row in session.execute(
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.lat, Organisation.lon,
               LearningRoute.id.label("route_id"), LearningRoute.title, LearningRoute.kind_code,
               LearningRoute.mbo_level_code)
        .select_from(RouteParty)
        .join(Organisation, Organisation.id == RouteParty.organisation_id)
        .join(LearningRoute, LearningRoute.id == RouteParty.route_id)
        .where(RouteParty.role == "vmbo", LearningRoute.id.in_(ids),
               Organisation.lat.is_not(None), Organisation.lon.is_not(None))
        .order_by(Organisation.name, LearningRoute.title, LearningRoute.id)
    ):
        pin = pins.get(row.id)
        if pin is None:
            pin = pins[row.id] = SchoolPin(row.id, row.name, row.city, row.lat, row.lon)
        route = PinRoute(row.route_id, row.title, row.kind_code, row.mbo_level_code)
        pin.routes.append(route)
        routes[row.route_id].append(route)
    if not pins:
        return []
    for route_id, profile in session.execute(
        select(route_profiles.c.route_id, route_profiles.c.profile_code)
        .where(route_profiles.c.route_id.in_(ids)).order_by(route_profiles.c.profile_code)
    ):
        for route in routes.get(route_id, ()):
            route.profiles.append(profile)
    pairs = route_region_pairs(year)
    for route_id, code, name in session.execute(
        select(pairs.c.route_id, Region.code, Region.name)
        .join(Region, Region.id == pairs.c.region_id)
        .where(pairs.c.route_id.in_(ids)).order_by(Region.code)
    ):
        for route in routes.get(route_id, ()):
            route.regions.append((code, name))
    return list(pins.values())


def schools_without_route(session: Session, filters: RouteFilters, user, year: int | None,
                          region_codes: list[str] | None = None, route_ids: list[int] | None = None,
                          ) -> list[tuple]:
    """vmbo schools (with coordinates) that take part in none of the selected
    routes; limited to the filtered regions. One query.
    Rows: (id, name, city, lat, lon, region code)."""
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
    return list(session.execute(query))


def region_geometries(session: Session, year: int | None) -> list[tuple[str, str, str | None]]:
    """(code, name, GeoJSON geometry text) of the year's regions. One query."""
    return list(session.execute(
        select(Region.code, Region.name, Region.geometry).where(Region.year == (year or 0))
        .order_by(Region.code)))


# --- trend ------------------------------------------------------------------------

def _public_routes():
    return visibility_clause(None)


def first_school_year(session: Session) -> str | None:
    """The first school year with a public, active or ended route. One query."""
    return session.scalar(
        select(func.min(LearningRoute.first_school_year))
        .where(_public_routes(), LearningRoute.status.in_(("actief", "beeindigd"))))


def _years_table(years: list[str]):
    selects = [select(literal(y).label("school_year")) for y in years]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("years")


def _active_in_year(years, current: str):
    """A route counts in a year it ran in: an active route, or an ended route in
    the years before the current one (it was active then)."""
    return and_(
        LearningRoute.first_school_year <= years.c.school_year,
        or_(LearningRoute.last_school_year.is_(None), LearningRoute.last_school_year >= years.c.school_year),
        or_(LearningRoute.status == "actief",
            and_(LearningRoute.status == "beeindigd", years.c.school_year < current)),
    )


@dataclass
class YearFigures:
    school_year: str
    routes: int = 0
    pupils_in_routes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    # region code -> kinds and levels with a route in that year
    region_kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    region_levels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def regions_with_kind(self, group: str) -> int:
        return sum(1 for kinds in self.region_kinds.values()
                   if any(rules.kind_group(k) == group for k in kinds))

    @property
    def regions_with_route(self) -> int:
        return sum(1 for kinds in self.region_kinds.values() if kinds)

    @property
    def regions_all_levels(self) -> int:
        return sum(1 for levels in self.region_levels.values()
                   if set(rules.MBO_LEVEL_CODES) <= levels)


def trend(session: Session, year: int | None, region_code: str | None = None,
          until: str | None = None, route_ids: list[int] | None = None) -> list[YearFigures]:
    """Per school year, from the first year with data to the current (or
    `until`) year: public figures nationally or for one region (`route_ids`:
    the region's routes, if already known). Three queries."""
    current = rules.current_school_year()
    last = max(current, until or current)
    first = first_school_year(session) or last
    years = rules.school_years_between(min(first, last), last)
    result = {y: YearFigures(y) for y in years}
    table = _years_table(years)
    pairs = _pairs(year, route_ids)

    per_region = (
        select(table.c.school_year, Region.code, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               func.count(LearningRoute.id))
        .select_from(table)
        .join(LearningRoute, _active_in_year(table, current))
        .join(pairs, pairs.c.route_id == LearningRoute.id)
        .join(Region, Region.id == pairs.c.region_id)
        .where(_public_routes())
        .group_by(table.c.school_year, Region.code, LearningRoute.kind_code, LearningRoute.mbo_level_code)
    )
    totals = (
        select(table.c.school_year, LearningRoute.kind_code, func.count(LearningRoute.id),
               func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
        .select_from(table)
        .join(LearningRoute, _active_in_year(table, current))
        .where(_public_routes())
        .group_by(table.c.school_year, LearningRoute.kind_code)
    )
    if route_ids is not None:
        per_region = per_region.where(LearningRoute.id.in_(route_ids))
        totals = totals.where(LearningRoute.id.in_(route_ids))
    if region_code:
        per_region = per_region.where(Region.code == region_code)
        if route_ids is None:
            in_region = (select(pairs.c.route_id).join(Region, Region.id == pairs.c.region_id)
                         .where(Region.code == region_code))
            totals = totals.where(LearningRoute.id.in_(in_region))
    for school_year, code, kind, level, _count in session.execute(per_region):
        item = result[school_year]
        item.region_kinds[code].add(kind)
        if level:
            item.region_levels[code].add(level)
    for school_year, kind, count, pupils in session.execute(totals):
        item = result[school_year]
        item.routes += count
        item.by_kind[kind] = item.by_kind.get(kind, 0) + count
        item.pupils_in_routes += int(pupils or 0)
    return [result[y] for y in years]


# --- one region -------------------------------------------------------------------

@dataclass
class RegionDetail:
    figures: RegionFigures
    filters: RouteFilters
    matrix: dict[tuple[str, str], int]
    gap_profiles: list[str]
    gap_levels: list[str]
    schools_without_route: list[tuple]
    routes: list
    organisations: list
    trend: list[YearFigures]
    route_ids: list[int] = field(default_factory=list)


def region_detail(session: Session, region: Region, school_year: str | None = None) -> RegionDetail:
    """Everything the region page shows, public figures. A fixed number of queries."""
    filters = selection_filters(school_year=school_year, region=region.code)
    year = region.year
    # The region's routes (any status, for the trend) and its selected routes,
    # once each; the other queries use these id lists. Selecting by region id
    # is the route list's region filter for one region, in a form the database
    # can push into the DISTINCT pairs subquery.
    pairs = route_region_pairs(year)
    in_region = list(session.scalars(select(pairs.c.route_id).where(pairs.c.region_id == region.id)))
    without_region = dataclasses.replace(filters, region=[])
    ids = list(session.scalars(
        selected_route_ids(without_region, None, year).where(LearningRoute.id.in_(in_region))))
    figures = region_figures(session, filters, None, year, [region.code], route_ids=ids)[0]
    matrix = {
        (profile, level): count
        for profile, level, count in session.execute(
            select(route_profiles.c.profile_code, LearningRoute.mbo_level_code,
                   func.count(LearningRoute.id))
            .join(route_profiles, route_profiles.c.route_id == LearningRoute.id)
            .where(LearningRoute.id.in_(ids))
            .group_by(route_profiles.c.profile_code, LearningRoute.mbo_level_code))
        if level
    }
    routes = list(session.execute(
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.first_school_year, LearningRoute.last_school_year,
               LearningRoute.pupils_per_cohort)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id)))
    organisations = list(session.execute(
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role,
               func.count(RouteParty.route_id).label("routes"))
        .join(RouteParty, RouteParty.organisation_id == Organisation.id)
        .where(RouteParty.route_id.in_(ids))
        .group_by(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role)
        .order_by(RouteParty.role, Organisation.name)))
    from portal.domain import vocab
    profile_order = [t.code for t in vocab.PROFILES]
    return RegionDetail(
        figures=figures, filters=filters, matrix=matrix,
        gap_profiles=[p for p in profile_order if p in figures.profiles_offered - figures.route_profiles],
        gap_levels=[lv for lv in rules.MBO_LEVEL_CODES if lv not in figures.levels],
        schools_without_route=schools_without_route(session, filters, None, year, [region.code], ids),
        routes=routes, organisations=organisations,
        trend=trend(session, year, region.code, until=filters.school_year, route_ids=in_region),
        route_ids=ids,
    )


# --- optional neighbours ------------------------------------------------------------

EXPIRING_DAYS = 90  # as the agreements overview (services.agreements.list_expiring)


def agreement_figures(session: Session, region: Region, school_year: str | None = None,
                      route_ids: list[int] | None = None) -> dict | None:
    """For the region's active routes: signed agreements in force, those of them
    ending within 90 days, and routes without a signed agreement in force.
    None while the agreements model is not available. Two queries."""
    try:
        from portal.models.agreement import Agreement, agreement_routes
    except ImportError:
        return None
    from datetime import date, timedelta
    today = date.today()
    filters = selection_filters(school_year=school_year, region=region.code)
    ids = selected_route_ids(filters, None, region.year) if route_ids is None else route_ids
    in_force = and_(Agreement.archived_at.is_(None), Agreement.status == "getekend",
                    Agreement.start_date <= today, Agreement.end_date >= today)
    linked = select(agreement_routes.c.agreement_id).where(agreement_routes.c.route_id.in_(ids))
    signed, expiring = session.execute(
        select(func.count(Agreement.id),
               func.count(case((Agreement.end_date <= today + timedelta(days=EXPIRING_DAYS), Agreement.id))))
        .where(in_force, Agreement.id.in_(linked))).one()
    covered = (select(agreement_routes.c.route_id)
               .join(Agreement, Agreement.id == agreement_routes.c.agreement_id).where(in_force))
    missing = session.scalar(
        select(func.count(LearningRoute.id)).where(LearningRoute.id.in_(ids), LearningRoute.id.not_in(covered)))
    return {"signed": signed, "expiring": expiring, "missing": missing or 0}


def practices_for_region(session: Session, region_code: str, limit: int = 5) -> list | None:
    """The library's good practices linked to the region, or None without a library."""
    try:
        from portal.services.practices import practices_for_region as find
    except ImportError:
        return None
    return find(session, region_code, limit=limit)
