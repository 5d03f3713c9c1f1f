"""Everything /kaart shows about a selection, read in one pass.

The map needs the figures of every region, the national counters, a pin per
vmbo school with its routes, the number of schools without a route and the
first routes of the list. Asked separately (coverage.region_figures,
selection_totals, school_pins, count_schools_without_route) every part
re-evaluates the selection and derives the routes' regions again: at
national scale some 20 statements and most of the page's time.

Here the selected routes, their parties (with the region of each party's
gemeente) and their profielen are read once, and the figures are counted in
Python from those rows, by the same rules as the SQL of coverage.py: a
route lies in the regions of its vmbo parties, or, without a vmbo party, in
those of its other parties (route_filters.route_region_pairs_select). A test
compares both on generated data (tests/services/test_map_data.py), so the
map and the GeoJSON, exports and dashboard (which keep the SQL) agree.
Eight statements, whatever the number of routes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.models import LearningRoute, MunicipalityRegion, Organisation, Region, RouteParty, route_profiles
from portal.services.coverage.figures import (
    PinRoute,
    RegionFigures,
    SchoolPin,
    Totals,
    add_organisation_figures,
    count_schools_without_route,
    selected_route_ids,
)
from portal.services.learning_routes.filters import RouteFilters, audience


@dataclass
class MapData:
    figures: list[RegionFigures]
    totals: Totals
    pins: list[SchoolPin]
    without_count: int
    routes: list = field(default_factory=list)  # the first `route_limit` routes in title order


def map_data(session: Session, filters: RouteFilters, user, year: int | None, route_limit: int = 50) -> MapData:
    """The map's figures, counters, pins and route list for the selection,
    kept per aggregates version (core/aggregates) and audience."""
    key = ("map_data", filters.key(), audience(user), year, route_limit)
    return kept(session, key, lambda: _map_data(session, filters, user, year, route_limit))


def _map_data(session: Session, filters: RouteFilters, user, year: int | None, route_limit: int) -> MapData:  # noqa: C901  one pass over the selection's rows on purpose (speed); split into parties/regions/totals/pins later
    ids = selected_route_ids(filters, user, year)
    rows = session.execute(  # (through the session first: it flushes what is pending)
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.status, LearningRoute.first_school_year, LearningRoute.pupils_per_cohort)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id)).all()
    # The other statements select columns only: run on the session's connection (its transaction), so
    # their rows skip the ORM's result processing (a third of the time at national scale).
    connection = session.connection()
    routes = {row.id: PinRoute(row.id, row.title, row.kind_code, row.mbo_level_code, [], []) for row in rows}
    pupils = {row.id: int(row.pupils_per_cohort or 0) for row in rows}
    position = {route_id: index for index, route_id in enumerate(routes)}

    regions = {row.id: RegionFigures(row.id, row.code, row.name) for row in connection.execute(
        select(Region.id, Region.code, Region.name).where(Region.year == (year or 0)).order_by(Region.code))}

    # Parties: (route, organisation, role, kind of the organisation, region of its gemeente or None)
    # (the school's name, place and coordinates come along: a vmbo party's pin needs them)
    parties = connection.execute(
        select(RouteParty.route_id, RouteParty.organisation_id, RouteParty.role, Organisation.kind,
               MunicipalityRegion.region_id, Organisation.name, Organisation.city, Organisation.lat,
               Organisation.lon)
        .join(Organisation, Organisation.id == RouteParty.organisation_id)
        .outerjoin(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                            MunicipalityRegion.year == (year or 0)))
        .where(RouteParty.route_id.in_(ids))
        .order_by(Organisation.name, Organisation.id)).all()  # the pins in the database's name order
    vmbo_regions: dict[int, set[int]] = {}
    other_regions: dict[int, set[int]] = {}
    school_links: dict[int, list[int]] = {}
    school_region: dict[int, int] = {}
    vmbo_with_route: set[int] = set()
    schools: dict[int, tuple] = {}  # vmbo party with coordinates -> (id, name, city, lat, lon)
    for route_id, organisation_id, role, kind, region_id, name, city, lat, lon in parties:
        if route_id not in routes:  # (a route made between the statements is left out)
            continue
        if kind == "vmbo":
            vmbo_with_route.add(organisation_id)
        if role == "vmbo":
            found = vmbo_regions.setdefault(route_id, set())
            school_links.setdefault(organisation_id, []).append(route_id)
            if lat is not None and lon is not None:
                schools[organisation_id] = (organisation_id, name, city, lat, lon)
            if region_id is not None:
                found.add(region_id)
                school_region[organisation_id] = region_id
        elif region_id is not None:
            other_regions.setdefault(route_id, set()).add(region_id)

    for route_id, profile in connection.execute(
            select(route_profiles.c.route_id, route_profiles.c.profile_code)
            .where(route_profiles.c.route_id.in_(ids)).order_by(route_profiles.c.profile_code)):
        if route_id in routes:
            routes[route_id].profiles.append(profile)

    # Figures per region: each route in each of its regions.
    for route_id, route in routes.items():
        in_regions = vmbo_regions[route_id] if route_id in vmbo_regions else other_regions.get(route_id, ())
        for region_id in sorted(in_regions, key=lambda r: regions[r].code if r in regions else ""):
            item = regions.get(region_id)
            if item is None:
                continue
            route.regions.append((item.code, item.name))
            item.routes += 1
            item.by_kind[route.kind] = item.by_kind.get(route.kind, 0) + 1
            item.pupils_in_routes += pupils[route_id]
            if route.level:
                item.levels.add(route.level)
            item.route_profiles.update(route.profiles)
    for region_id in school_region.values():
        if region_id in regions:
            regions[region_id].vmbo_schools_with_route += 1
    if regions:
        add_organisation_figures(session, regions, year)
    figures = list(regions.values())

    totals = Totals(regions=len(figures))
    for route_id, route in routes.items():
        totals.routes += 1
        totals.by_kind[route.kind] = totals.by_kind.get(route.kind, 0) + 1
        totals.pupils_in_routes += pupils[route_id]
    totals.regions_with_route = sum(1 for f in figures if f.routes)
    totals.schools_with_route = sum(f.vmbo_schools_with_route for f in figures)

    pins = []
    for pin in schools.values():  # in the parties' order: by name (the database's collation), id
        linked = sorted(set(school_links[pin[0]]), key=position.__getitem__)
        pins.append(SchoolPin(*pin, routes=[routes[route_id] for route_id in linked]))

    if filters.region:
        without = count_schools_without_route(session, filters, user, year)
    else:
        all_vmbo = session.scalar(select(func.count(Organisation.id)).where(Organisation.kind == "vmbo")) or 0
        without = all_vmbo - len(vmbo_with_route)
    return MapData(figures=figures, totals=totals, pins=pins, without_count=without, routes=rows[:route_limit])
