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
    tally: _Tally | None = field(default=None, repr=False, compare=False)  # _fold's sums, for the next patch


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
    facts, moved = old.facts, False
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
    return _fold(session, facts, old.context, filters, user, year, route_limit, old, changed, reordered=moved)


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
          year: int | None, route_limit: int, old: MapData | None = None,
          changed: frozenset[int] = frozenset(), reordered: bool = True) -> MapData:
    """Figures, totals and pins of the selected routes (`facts`, in title
    order). Without `old`: every route counted into a fresh _Tally. With `old`
    (a patch): its tally, less the old share and plus the new share of each
    route in `changed`; the pins of the schools those routes name are made
    again, the others kept (all of them when `reordered`: a title changed or a
    route came in, so the order of a pin's routes may have too). Both ways give
    the same map (tests/services/test_map_data_patch.py)."""
    base = {item.id: item for item in context.regions}
    if old is None or old.tally is None:
        tally, now = _Tally(), {}
        for route_id, item in facts.items():
            now[route_id] = found = _count(item, base)
            tally.add(found, 1)
        touched: set[int] | None = None
    else:
        tally, now = old.tally.copy(), dict(old.counted)
        touched = set()
        for route_id in changed:
            before = now.pop(route_id, None)
            if before is not None:
                tally.add(before, -1)
                touched.update(organisation_id for organisation_id, _, _ in before.vmbo_role)
            item = facts.get(route_id)
            if item is not None:
                now[route_id] = found = _count(item, base)
                tally.add(found, 1)
                touched.update(organisation_id for organisation_id, _, _ in found.vmbo_role)

    figures = [dataclasses.replace(
        item, routes=tally.region_routes.get(item.id, 0), by_kind=dict(tally.region_kinds.get(item.id, {})),
        levels=set(tally.region_levels.get(item.id, ())), pupils_in_routes=tally.region_pupils.get(item.id, 0),
        route_profiles=set(tally.region_profiles.get(item.id, ())), profiles_offered=set(item.profiles_offered),
        vmbo_schools_with_route=tally.region_schools.get(item.id, 0)) for item in context.regions]
    totals = Totals(routes=tally.routes, by_kind=dict(tally.by_kind), pupils_in_routes=tally.pupils,
                    regions=len(figures), regions_with_route=sum(1 for f in figures if f.routes),
                    schools_with_route=sum(f.vmbo_schools_with_route for f in figures))

    rank = context.school_rank
    if touched is None or reordered or old is None:
        links: dict[int, list[PinRoute]] = {}
        for found in now.values() if touched is None else (now[route_id] for route_id in facts):
            for organisation_id, _, _ in found.vmbo_role:
                routes_of = links.setdefault(organisation_id, [])
                if not routes_of or routes_of[-1] is not found.route:
                    routes_of.append(found.route)
        pins = [SchoolPin(*pin, routes=links[pin[0]])
                for pin in sorted(tally.pins.values(), key=lambda pin: rank[pin[0]])]
    else:
        position = {route_id: n for n, route_id in enumerate(facts)}
        fresh = {organisation_id: SchoolPin(*tally.pins[organisation_id], routes=[
            now[route_id].route for route_id in sorted(tally.links[organisation_id], key=position.__getitem__)])
            for organisation_id in touched if organisation_id in tally.pins}
        pins = [fresh.pop(pin.id) if pin.id in touched else pin for pin in old.pins
                if pin.id not in touched or pin.id in fresh]
        if fresh:  # schools that got their first route
            pins = sorted(pins + list(fresh.values()), key=lambda pin: rank[pin.id])

    without = (count_schools_without_route(session, filters, user, year) if filters.region
               else context.all_vmbo - len(tally.vmbo_kind))
    listed = [item.row for _, item in zip(range(route_limit), facts.values(), strict=False)]
    return MapData(figures=figures, totals=totals, pins=pins, without_count=without, routes=listed,
                   facts=facts, context=context, counted=now, tally=tally)


def _bump(table: dict, key, by: int) -> None:
    left = table.get(key, 0) + by
    if left:
        table[key] = left
    else:
        del table[key]


@dataclass
class _Tally:
    """The fold's running sums over the selected routes, so that a patch can
    take a changed route's old share out and put its new share in. Counts, not
    sets, wherever a route may share a value with another (a level, a profiel,
    a school): the value leaves when its count does. A tally read by one
    request is never changed: copy() copies the outer tables, and add() copies
    an inner one before its first change (`_own`)."""
    routes: int = 0
    pupils: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    region_routes: dict[int, int] = field(default_factory=dict)
    region_pupils: dict[int, int] = field(default_factory=dict)
    region_kinds: dict[int, dict[str, int]] = field(default_factory=dict)
    region_levels: dict[int, dict[str, int]] = field(default_factory=dict)
    region_profiles: dict[int, dict[str, int]] = field(default_factory=dict)
    region_schools: dict[int, int] = field(default_factory=dict)  # vmbo-role schools with a route, per region
    vmbo_kind: dict[int, int] = field(default_factory=dict)  # vmbo school (kind) -> routes naming it
    links: dict[int, frozenset[int]] = field(default_factory=dict)  # vmbo-role school -> its routes
    pins: dict[int, tuple] = field(default_factory=dict)  # vmbo-role school with coordinates -> pin data
    school_region: dict[int, int] = field(default_factory=dict)  # vmbo-role school -> its region
    _own: set[tuple[str, int]] | None = field(default=None, repr=False)  # None: every inner table is this tally's

    def copy(self) -> _Tally:
        return _Tally(self.routes, self.pupils, dict(self.by_kind), dict(self.region_routes),
                      dict(self.region_pupils), dict(self.region_kinds), dict(self.region_levels),
                      dict(self.region_profiles), dict(self.region_schools), dict(self.vmbo_kind), dict(self.links),
                      dict(self.pins), dict(self.school_region), set())

    def _inner(self, name: str, region_id: int) -> dict:
        table = getattr(self, name)
        inner = table.get(region_id)
        if inner is None:
            inner = table[region_id] = {}
        elif self._own is not None and (name, region_id) not in self._own:
            inner = table[region_id] = dict(inner)
        if self._own is not None:
            self._own.add((name, region_id))
        return inner

    def add(self, found: _Counted, sign: int) -> None:
        route = found.route
        kind, level = route.kind, route.level
        pupils = int(found.facts.row.pupils_per_cohort or 0)
        self.routes += sign
        self.pupils += sign * pupils
        _bump(self.by_kind, kind, sign)
        for shown in found.regions:
            region_id = shown.id
            _bump(self.region_routes, region_id, sign)
            if pupils:
                _bump(self.region_pupils, region_id, sign * pupils)
            _bump(self._inner("region_kinds", region_id), kind, sign)
            if level:
                _bump(self._inner("region_levels", region_id), level, sign)
            if route.profiles:
                profiles = self._inner("region_profiles", region_id)
                for profile in route.profiles:
                    _bump(profiles, profile, sign)
        for organisation_id in found.vmbo_kind:
            _bump(self.vmbo_kind, organisation_id, sign)
        for organisation_id, region_id, pin in found.vmbo_role:
            routes = self.links.get(organisation_id, frozenset())
            now = routes | {route.id} if sign > 0 else routes - {route.id}
            if now == routes:
                continue
            if now:
                self.links[organisation_id] = now
            else:
                del self.links[organisation_id]
            if sign > 0 and not routes:  # the school's first route
                if pin is not None:
                    self.pins[organisation_id] = pin
                if region_id is not None:
                    self.school_region[organisation_id] = region_id
                    _bump(self.region_schools, region_id, 1)
            elif not now:  # its last one
                self.pins.pop(organisation_id, None)
                gone = self.school_region.pop(organisation_id, None)
                if gone is not None:
                    _bump(self.region_schools, gone, -1)
