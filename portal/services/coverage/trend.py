"""Coverage per school year (the trend of the region page and the dashboard),
by SQL aggregation: a fixed number of queries whatever the data size."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.domain import coverage as rules
from portal.domain import route_state
from portal.domain.school_year import current_school_year, school_years_between
from portal.models import LearningRoute, Region
from portal.services.coverage.figures import region_pairs
from portal.services.learning_routes.filters import visibility_clause

# --- trend ------------------------------------------------------------------------

def _public_routes():
    return visibility_clause(None)


def _counted_routes():
    return and_(_public_routes(), LearningRoute.status.in_(("actief", "beeindigd")))


def first_school_year(session: Session) -> str | None:
    """The first school year with a public, active or ended route. One query,
    kept per aggregates version; after a save of some routes, patched from the
    kept one by two index lookups instead of a pass over every route."""
    return kept(session, ("first_school_year",),
                lambda: session.scalar(select(func.min(LearningRoute.first_school_year)).where(_counted_routes())),
                patch=lambda old, changed: _first_school_year_after(session, old, changed))


def _first_school_year_after(session: Session, old: str | None, changed: frozenset[int]) -> str | None:
    """The first school year after the routes in `changed` changed, from the
    one before: earlier if a changed route now starts earlier; the same if a
    route still starts in it. None (count again) when no route starts in it
    any more: a changed route that started there may have gone."""
    if old is None:
        return None
    earliest = session.scalar(select(func.min(LearningRoute.first_school_year))
                              .where(_counted_routes(), LearningRoute.id.in_(sorted(changed)))) if changed else None
    if earliest is not None and earliest < old:
        return earliest
    still = session.scalar(select(LearningRoute.id).where(_counted_routes(), LearningRoute.first_school_year == old)
                           .limit(1))
    return old if still is not None else None


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


def _runs_in(first: str, last: str | None, status: str, school_year: str, current: str) -> bool:
    """A route counts in a year it ran in: a route actief in that year (the one
    definition, route_state.is_active_in), or an ended route in the years of its
    span before the current one (it was active then)."""
    if route_state.is_active_in(status, first, last, school_year):
        return True
    return status == "beeindigd" and route_state.runs_in(first, last, school_year) and school_year < current


def _counted_in(years: list[str], first: str, last: str | None, status: str, current: str) -> slice:
    """The years (of the sorted, consecutive `years`) a route counts in, as
    _runs_in decides, found by bisection rather than by asking every year."""
    if status not in ("actief", "beeindigd"):
        return slice(0, 0)
    end = len(years) if last is None else bisect_right(years, last)
    if status == "beeindigd":
        end = min(end, bisect_left(years, current))
    return slice(bisect_left(years, first), end)


def counted_routes(until: str | None = None):
    """The routes the trend counts up to the current (or `until`) year:
    public, active or ended, started by then."""
    current = current_school_year()
    return and_(_public_routes(), LearningRoute.status.in_(("actief", "beeindigd")),
                LearningRoute.first_school_year <= max(current, until or current))


def _years(session: Session, until: str | None) -> tuple[str, list[str]]:
    """The current school year and the years the trend shows."""
    current = current_school_year()
    last = max(current, until or current)
    first = min(first_school_year(session) or last, until or last)  # a chosen earlier year shows too
    return current, school_years_between(min(first, last), last)


def region_trend(session: Session, region_code: str, until: str | None, groups) -> list[YearFigures]:
    """trend for one region from its counted routes (counted_routes), already
    grouped: (first school year, last school year, status, kind, level,
    routes, pupils) per group. One query (the first school year)."""
    current, years = _years(session, until)
    items = [YearFigures(y) for y in years]
    for first_year, last_year, status, kind, level, count, pupils in groups:
        for item in items[_counted_in(years, first_year, last_year, status, current)]:
            item.region_kinds[region_code].add(kind)
            if level:
                item.region_levels[region_code].add(level)
            item.routes += count
            item.by_kind[kind] = item.by_kind.get(kind, 0) + count
            item.pupils_in_routes += int(pupils or 0)
    return items


def trend(session: Session, year: int | None, region_code: str | None = None,
          until: str | None = None, route_ids=None) -> list[YearFigures]:
    """_trend, kept per aggregates version (core/aggregates) unless `route_ids` are given."""
    if route_ids is not None:
        return _trend(session, year, region_code, until, route_ids)
    return kept(session, ("trend", year, region_code, until),
                lambda: _trend(session, year, region_code, until, None))


def _trend(session: Session, year: int | None, region_code: str | None,
           until: str | None, route_ids) -> list[YearFigures]:
    """Per school year, from the first year with data to the current (or
    `until`) year: public figures nationally or for one region (`route_ids`:
    the region's routes, for `in_`, if already known). Two queries for one
    region whose routes are known, three otherwise.

    The database groups the routes by what decides the years they count in
    (first and last school year, status) and by kind and level; the groups
    (a few hundred, whatever the number of routes) are spread over the years
    here."""
    counted = counted_routes(until)
    period = (LearningRoute.first_school_year, LearningRoute.last_school_year, LearningRoute.status)
    if region_code and route_ids is not None:
        # The region's own routes: no need to derive every route's regions;
        # one grouping gives both the region's kinds and levels and the totals.
        groups = session.execute(
            select(*period, LearningRoute.kind_code, LearningRoute.mbo_level_code, func.count(LearningRoute.id),
                   func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
            .where(counted, LearningRoute.id.in_(route_ids))
            .group_by(*period, LearningRoute.kind_code, LearningRoute.mbo_level_code)).all()
        return region_trend(session, region_code, until, groups)

    current, years = _years(session, until)
    result = {y: YearFigures(y) for y in years}

    items = [result[y] for y in years]

    def spread(first_year, last_year, status):
        return items[_counted_in(years, first_year, last_year, status, current)]

    pairs = region_pairs(year, route_ids if route_ids is not None else select(LearningRoute.id).where(counted))
    per_region = (select(Region.code, *period, LearningRoute.kind_code, LearningRoute.mbo_level_code)
                  .select_from(pairs)
                  .join(LearningRoute, LearningRoute.id == pairs.c.route_id)
                  .join(Region, Region.id == pairs.c.region_id)
                  .where(counted))
    if region_code:
        per_region = per_region.where(Region.code == region_code)
    per_region = per_region.group_by(*per_region.selected_columns)
    totals = (
        select(*period, LearningRoute.kind_code, func.count(LearningRoute.id),
               func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
        .where(counted).group_by(*period, LearningRoute.kind_code)
    )
    if route_ids is not None:
        totals = totals.where(LearningRoute.id.in_(route_ids))
    elif region_code:
        totals = totals.where(LearningRoute.id.in_(select(pairs.c.route_id).join(Region, Region.id == pairs.c.region_id)
                                                   .where(Region.code == region_code)))
    for code, first_year, last_year, status, kind, level in session.execute(per_region):
        for item in spread(first_year, last_year, status):
            item.region_kinds[code].add(kind)
            if level:
                item.region_levels[code].add(level)
    for first_year, last_year, status, kind, count, pupils in session.execute(totals):
        for item in spread(first_year, last_year, status):
            item.routes += count
            item.by_kind[kind] = item.by_kind.get(kind, 0) + count
            item.pupils_in_routes += int(pupils or 0)
    return [result[y] for y in years]
