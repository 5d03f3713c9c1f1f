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

After a write the figures are patched, not counted again (core/aggregates
kept with patch=...): when only routes changed since the kept figures were read,
the changed routes are read again (whether they are still selected, and
what they now are), the rest comes from the kept rows, and the fold below
runs over them. Anything else that changed (an organisation, a region, an
agreement, a bulk statement) reads everything again. The fold is the same
for both, so a patched map equals a counted one
(tests/services/test_map_data_patch.py compares them after random writes).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple

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


class ListedRoute(NamedTuple):
    """A selected route as the map's list shows it."""
    id: int
    title: str
    kind_code: str
    mbo_level_code: str | None
    status: str
    first_school_year: str
    pupils_per_cohort: int | None


@dataclass(frozen=True)
class RouteFacts:
    """What the map counts of one selected route: its row, profielen (in code
    order) and parties, each (organisation id, role, kind of the organisation,
    region of its gemeente or None, name, place, lat, lon)."""
    row: ListedRoute
    profiles: tuple[str, ...]
    parties: tuple[tuple, ...]


@dataclass(frozen=True)
class MapContext:
    """What the map shows that does not depend on the routes: the regions
    (id, code, name, in code order) with their organisations' figures, the
    number of vmbo schools, and the place of each organisation seen in the
    database's name order (the pins' order)."""
    regions: tuple[RegionFigures, ...]
    all_vmbo: int
    school_rank: dict[int, int]


@dataclass
class MapData:
    figures: list[RegionFigures]
    totals: Totals
    pins: list[SchoolPin]
    without_count: int
    routes: list = field(default_factory=list)  # the first `route_limit` routes in title order
    # What a patch starts from (not shown, not compared): the selected routes in title order, and the context.
    facts: dict[int, RouteFacts] = field(default_factory=dict, repr=False, compare=False)
    context: MapContext | None = field(default=None, repr=False, compare=False)
    counted: dict = field(default_factory=dict, repr=False, compare=False)  # _fold's per route


def map_data(session: Session, filters: RouteFilters, user, year: int | None, route_limit: int = 50) -> MapData:
    """The map's figures, counters, pins and route list for the selection,
    kept per aggregates version (core/aggregates) and audience, and patched
    after a write that changed only routes."""
    key = ("map_data", filters.key(), audience(user), year, route_limit)
    return kept(session, key, lambda: _map_data(session, filters, user, year, route_limit),
                patch=lambda old, changed: _patch(session, old, changed, filters, user, year, route_limit))


def _map_data(session: Session, filters: RouteFilters, user, year: int | None, route_limit: int) -> MapData:
    facts, rank = _read_facts(session, selected_route_ids(filters, user, year), year)
    context = _read_context(session, year, rank)
    return _fold(session, facts, context, filters, user, year, route_limit)


def _patch(session: Session, old: MapData, changed: frozenset[int], filters: RouteFilters, user,
           year: int | None, route_limit: int) -> MapData | None:
    """`old` brought up to date for the routes in `changed` (those whose rows
    changed since it was read), or None when a full read is needed: a party
    the old map never saw (its place in the pins' order is not known)."""
    if old.context is None:
        return None
    facts = old.facts
    if changed:
        selected = selected_route_ids(filters, user, year).where(LearningRoute.id.in_(sorted(changed)))
        fresh, _rank = _read_facts(session, selected, year)
        rank = old.context.school_rank
        if any(party[0] not in rank for item in fresh.values() for party in item.parties):
            return None
        moved = any(route_id not in facts or facts[route_id].row.title != item.row.title
                    for route_id, item in fresh.items())
        if moved:  # a title changed or a route came into the selection: its place from the database
            merged = {route_id: item for route_id, item in facts.items() if route_id not in changed} | fresh
            order = session.scalars(
                select(LearningRoute.id).where(LearningRoute.id.in_(selected_route_ids(filters, user, year)))
                .order_by(LearningRoute.title, LearningRoute.id)).all()
            if len(order) != len(merged) or not all(route_id in merged for route_id in order):
                return None
            facts = {route_id: merged[route_id] for route_id in order}
        else:
            facts = {route_id: fresh[route_id] if route_id in changed else item
                     for route_id, item in facts.items() if route_id not in changed or route_id in fresh}
    return _fold(session, facts, old.context, filters, user, year, route_limit, old.counted)


def _read_facts(session: Session, ids, year: int | None) -> tuple[dict[int, RouteFacts], dict[int, int]]:
    """The facts of the routes in `ids` (a subquery or list) in title order,
    and each party organisation's place in the database's name order."""
    rows = session.execute(  # (through the session first: it flushes what is pending)
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.status, LearningRoute.first_school_year, LearningRoute.pupils_per_cohort)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id)).all()
    # The other statements select columns only: run on the session's connection (its transaction), so
    # their rows skip the ORM's result processing (a third of the time at national scale).
    connection = session.connection()
    parties: dict[int, list[tuple]] = {row[0]: [] for row in rows}
    rank: dict[int, int] = {}
    for route_id, *party in connection.execute(
            select(RouteParty.route_id, RouteParty.organisation_id, RouteParty.role, Organisation.kind,
                   MunicipalityRegion.region_id, Organisation.name, Organisation.city, Organisation.lat,
                   Organisation.lon)
            .join(Organisation, Organisation.id == RouteParty.organisation_id)
            .outerjoin(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                                MunicipalityRegion.year == (year or 0)))
            .where(RouteParty.route_id.in_(ids))
            .order_by(Organisation.name, Organisation.id)):  # the pins in the database's name order
        found = parties.get(route_id)
        if found is None:  # (a route made between the statements is left out)
            continue
        found.append(tuple(party))
        rank.setdefault(party[0], len(rank))
    profiles: dict[int, list[str]] = {}
    for route_id, profile in connection.execute(
            select(route_profiles.c.route_id, route_profiles.c.profile_code)
            .where(route_profiles.c.route_id.in_(ids)).order_by(route_profiles.c.profile_code)):
        profiles.setdefault(route_id, []).append(profile)
    facts = {row[0]: RouteFacts(ListedRoute(*row), tuple(profiles.get(row[0], ())), tuple(parties[row[0]]))
             for row in rows}
    return facts, rank


def _read_context(session: Session, year: int | None, rank: dict[int, int]) -> MapContext:
    regions = {row.id: RegionFigures(row.id, row.code, row.name) for row in session.connection().execute(
        select(Region.id, Region.code, Region.name).where(Region.year == (year or 0)).order_by(Region.code))}
    if regions:
        add_organisation_figures(session, regions, year)
    all_vmbo = session.scalar(select(func.count(Organisation.id)).where(Organisation.kind == "vmbo")) or 0
    return MapContext(tuple(regions.values()), all_vmbo, rank)


@dataclass(frozen=True)
class _Counted:
    """What the fold takes of one route, derived once from its facts (and
    reused by the next fold while the facts are the same object): its pin
    entry, its regions in code order, the vmbo schools among its parties and
    its vmbo parties (organisation, region, pin data or None)."""
    facts: RouteFacts
    route: PinRoute
    regions: tuple[RegionFigures, ...]
    vmbo_kind: tuple[int, ...]
    vmbo_role: tuple[tuple[int, int | None, tuple | None], ...]


def _count(item: RouteFacts, regions: dict[int, RegionFigures]) -> _Counted:
    row = item.row
    vmbo_regions: set[int] | None = None
    other_regions: set[int] = set()
    vmbo_kind, vmbo_role = [], []
    for organisation_id, role, kind, region_id, name, city, lat, lon in item.parties:
        if kind == "vmbo":
            vmbo_kind.append(organisation_id)
        if role == "vmbo":
            vmbo_regions = set() if vmbo_regions is None else vmbo_regions
            pin = (organisation_id, name, city, lat, lon) if lat is not None and lon is not None else None
            vmbo_role.append((organisation_id, region_id, pin))
            if region_id is not None:
                vmbo_regions.add(region_id)
        elif region_id is not None:
            other_regions.add(region_id)
    # A route lies in the regions of its vmbo parties, or, without a vmbo party, in those of the others.
    in_regions = vmbo_regions if vmbo_regions is not None else other_regions
    ordered = tuple(sorted((regions[r] for r in in_regions if r in regions), key=lambda figure: figure.code))
    route = PinRoute(row.id, row.title, row.kind_code, row.mbo_level_code, list(item.profiles),
                     [(figure.code, figure.name) for figure in ordered])
    return _Counted(item, route, ordered, tuple(vmbo_kind), tuple(vmbo_role))


def _fold(session: Session, facts: dict[int, RouteFacts], context: MapContext, filters: RouteFilters, user,
          year: int | None, route_limit: int, counted: dict[int, _Counted] | None = None) -> MapData:
    """Figures, totals and pins of the selected routes (`facts`, in title
    order). `counted`: the previous fold's, for routes whose facts did not change."""
    base = {item.id: item for item in context.regions}
    # (fresh containers: the context is shared with the kept map it came from)
    regions = {item.id: dataclasses.replace(item, by_kind={}, levels=set(), route_profiles=set(),
                                            profiles_offered=set(item.profiles_offered))
               for item in context.regions}
    now: dict[int, _Counted] = {}
    school_links: dict[int, dict[int, None]] = {}
    school_region: dict[int, int] = {}
    vmbo_with_route: set[int] = set()
    schools: dict[int, tuple] = {}  # vmbo party with coordinates -> (id, name, city, lat, lon)
    totals = Totals(regions=len(regions))
    by_kind = totals.by_kind
    for route_id, item in facts.items():
        found = counted.get(route_id) if counted is not None else None
        if found is None or found.facts is not item:
            found = _count(item, base)
        now[route_id] = found
        route = found.route
        kind, level, profiles = route.kind, route.level, route.profiles
        pupils = int(item.row.pupils_per_cohort or 0)
        vmbo_with_route.update(found.vmbo_kind)
        for organisation_id, region_id, pin in found.vmbo_role:
            school_links.setdefault(organisation_id, {})[route_id] = None
            if pin is not None:
                schools[organisation_id] = pin
            if region_id is not None:
                school_region[organisation_id] = region_id
        for shown in found.regions:
            figure = regions[shown.id]
            figure.routes += 1
            figure.by_kind[kind] = figure.by_kind.get(kind, 0) + 1
            figure.pupils_in_routes += pupils
            if level:
                figure.levels.add(level)
            figure.route_profiles.update(profiles)
        totals.routes += 1
        by_kind[kind] = by_kind.get(kind, 0) + 1
        totals.pupils_in_routes += pupils
    for region_id in school_region.values():
        if region_id in regions:
            regions[region_id].vmbo_schools_with_route += 1
    figures = list(regions.values())
    totals.regions_with_route = sum(1 for f in figures if f.routes)
    totals.schools_with_route = sum(f.vmbo_schools_with_route for f in figures)
    routes = {route_id: found.route for route_id, found in now.items()}

    rank = context.school_rank
    pins = [SchoolPin(*pin, routes=[routes[route_id] for route_id in school_links[pin[0]]])
            for pin in sorted(schools.values(), key=lambda pin: rank[pin[0]])]

    without = (count_schools_without_route(session, filters, user, year) if filters.region
               else context.all_vmbo - len(vmbo_with_route))
    listed = [item.row for _, item in zip(range(route_limit), facts.values(), strict=False)]
    return MapData(figures=figures, totals=totals, pins=pins, without_count=without, routes=listed,
                   facts=facts, context=context, counted=now)
