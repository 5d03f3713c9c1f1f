"""Coverage per school year (the trend of the region page and the dashboard),
by SQL aggregation: a fixed number of queries whatever the data size."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from portal.domain import coverage as rules
from portal.models import LearningRoute, Region
from portal.services.coverage import region_pairs
from portal.services.route_filters import visibility_clause


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
    first = min(first_school_year(session) or last, until or last)  # a chosen earlier year shows too
    years = rules.school_years_between(min(first, last), last)
    result = {y: YearFigures(y) for y in years}
    table = _years_table(years)
    pairs = region_pairs(year, route_ids)

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
