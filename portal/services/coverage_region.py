"""Everything the region page shows about one arbeidsmarktregio, plus the
optional neighbours (agreements, good practices) guarded by import.

The page reads the region's routes once: one query derives them and says, per
route, whether it is in the page's selection and whether the trend counts it,
with what the figures and the trend group routes by. The other statements
get the selected ids as one bound parameter (services.id_sets) instead of
deriving the region's routes again (or compiling a thousand parameters)."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, case, cast, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from portal.domain import coverage as rules
from portal.domain import vocab
from portal.models import (
    LearningRoute, MunicipalityRegion, Organisation, Region, RouteParty, organisation_profiles, route_profiles,
)
from portal.services.coverage import (
    RegionFigures, selected_route_ids, selection_filters,
)
from portal.services.coverage_trend import YearFigures, counted_routes, region_trend
from portal.services.id_sets import id_set
from portal.services.route_filters import RouteFilters, route_region_pairs


# --- one region -------------------------------------------------------------------

LIST_LIMIT = 50  # rows of each list on the region page; the rest is one link away


def region_selection(region: Region, school_year: str | None = None) -> tuple[RouteFilters, Select]:
    """The region page's selection (the route list's for this region: the
    active routes of the school year): its filters and a subquery of its
    route ids, for a page that uses it once. Runs nothing."""
    filters = selection_filters(school_year=school_year, region=region.code)
    return filters, _selected(filters, region.year).where(LearningRoute.id.in_(_in_region(region.id, region.year)))


def _in_region(region_id: int, year: int) -> Select:
    """The region's routes, any status: the route list's region filter for one
    region, by id, so the database can push it into the DISTINCT pairs."""
    return select(route_region_pairs(year, region_ids=[region_id]).c.route_id)


def _selected(filters: RouteFilters, year: int) -> Select:
    """The selection's routes apart from the region filter."""
    return selected_route_ids(dataclasses.replace(filters, region=[]), None, year)


@lru_cache(maxsize=256)
def _routes_of_region(region_id: int, year: int, school_year: str, current: str) -> Select:
    """The region's routes with, per route, what the figures and the trend
    group by and whether it is in the selection of the school year and
    counted by the trend (of the `current` year). Built once per argument
    set: building it and its cache key cost more than running it on a small
    region (a Select is immutable; SQLAlchemy memoizes the key on it)."""
    filters = selection_filters(school_year=school_year)
    return (
        select(LearningRoute.id, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.first_school_year, LearningRoute.last_school_year, LearningRoute.status,
               LearningRoute.pupils_per_cohort, case((_selected(filters, year).whereclause, 1), else_=0),
               case((counted_routes(school_year), 1), else_=0))
        .where(LearningRoute.id.in_(_in_region(region_id, year))))


@dataclass
class RegionDetail:
    figures: RegionFigures
    filters: RouteFilters
    matrix: dict[tuple[str, str], int]
    gap_profiles: list[str]
    gap_levels: list[str]
    schools_without_route: list[tuple]  # the first LIST_LIMIT, in name order
    schools_without_route_total: int
    routes: list  # the first LIST_LIMIT, in title order (figures.routes is the total)
    organisations: list  # the first LIST_LIMIT, by role and name
    organisations_total: int
    trend: list[YearFigures]
    route_ids: Select | list[int]  # the selected routes, for `in_`


def region_detail(session: Session, region: Region, school_year: str | None = None,
                  limit: int | None = None) -> RegionDetail:
    """Everything the region page shows, public figures; its lists bounded to
    `limit` (LIST_LIMIT) rows, with their totals. A fixed number of queries."""
    limit = LIST_LIMIT if limit is None else limit
    filters = selection_filters(school_year=school_year, region=region.code)
    figures = RegionFigures(region.id, region.code, region.name)
    selected: list[int] = []
    periods: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # the trend's groups: routes, pupils
    for route_id, kind, level, first, last, status, pupils, chosen, counted in session.execute(
        _routes_of_region(region.id, region.year, filters.school_year, rules.current_school_year())
    ):
        if chosen:
            selected.append(route_id)
            figures.routes += 1
            figures.by_kind[kind] = figures.by_kind.get(kind, 0) + 1
            figures.pupils_in_routes += pupils or 0
            if level:
                figures.levels.add(level)
        if counted:
            group = periods[(first, last, status, kind, level)]
            group[0] += 1
            group[1] += pupils or 0
    ids = id_set(session, selected)
    in_region, schools = _add_organisation_figures(session, region, figures)
    matrix = _add_profile_figures(session, figures, ids, id_set(session, schools))
    routes = list(session.execute(
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.first_school_year, LearningRoute.last_school_year,
               LearningRoute.pupils_per_cohort)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id).limit(limit)))
    # Every organisation taking part (a few hundred at most), in the list's
    # order: the page shows the first, and it tells which schools take part.
    organisations = session.execute(_organisations_query(ids)).all()
    taking_part = {row.id for row in organisations}
    in_region = set(in_region)
    figures.vmbo_schools_with_route = len({row.id for row in organisations if row.role == "vmbo"} & in_region)
    without = [school for school in schools if school not in taking_part]
    schools_without = list(session.execute(_schools_query(Organisation.id.in_(id_set(session, without))).limit(limit)))
    profile_order = [t.code for t in vocab.PROFILES]
    return RegionDetail(
        figures=figures, filters=filters, matrix=matrix,
        gap_profiles=[p for p in profile_order if p in figures.profiles_offered - figures.route_profiles],
        gap_levels=[lv for lv in rules.MBO_LEVEL_CODES if lv not in figures.levels],
        schools_without_route=schools_without, schools_without_route_total=len(without),
        routes=routes, organisations=organisations[:limit], organisations_total=len(organisations),
        trend=region_trend(session, region.code, filters.school_year,
                           [(*key, count, pupils) for key, (count, pupils) in periods.items()]),
        route_ids=ids,
    )


def _add_organisation_figures(session: Session, region: Region, figures: RegionFigures,
                              ) -> tuple[list[int], list[int]]:
    """coverage.add_organisation_figures for one region: its vmbo schools
    and their pupils, its mbo institutions, counted here from the region's
    organisations (read from its municipalities, not from every school);
    returns the ids of those organisations and of its vmbo schools (in no
    particular order). One query."""
    every, schools, pupils = [], [], None
    for org_id, kind, count in session.execute(
        select(Organisation.id, Organisation.kind, Organisation.pupils)
        .where(Organisation.municipality_id.in_(_municipalities(region)))
    ):
        every.append(org_id)
        if kind == "vmbo":
            schools.append(org_id)
            if count is not None:
                pupils = (pupils or 0) + count
        elif kind == "mbo":
            figures.mbo_institutions += 1
    figures.vmbo_schools, figures.vmbo_pupils = len(schools), pupils
    return every, schools


def _add_profile_figures(session: Session, figures: RegionFigures, route_ids, school_ids,
                         ) -> dict[tuple[str, str], int]:
    """Into `figures`: the profielen the region's vmbo schools offer and those
    of the selected routes; returns the profiel x niveau matrix of the routes.
    One query."""
    per_profile = (  # first: its columns type the others' NULLs (PostgreSQL)
        select(literal_column("'p'").label("part"), route_profiles.c.profile_code.label("code"),
               LearningRoute.mbo_level_code.label("level"), func.count(LearningRoute.id).label("n"))
        .join(route_profiles, route_profiles.c.route_id == LearningRoute.id)
        .where(LearningRoute.id.in_(route_ids))
        .group_by(route_profiles.c.profile_code, LearningRoute.mbo_level_code))
    offered = (select(literal_column("'o'"), organisation_profiles.c.profile_code, null(), cast(null(), Integer))
               .where(organisation_profiles.c.organisation_id.in_(school_ids)).distinct())  # typed: DISTINCT
    matrix: dict[tuple[str, str], int] = {}
    for part, code, level, count in session.execute(union_all(per_profile, offered)):
        if part == "o":
            figures.profiles_offered.add(code)
        else:
            figures.route_profiles.add(code)
            if level:
                matrix[(code, level)] = count
    return matrix


def _municipalities(region: Region) -> Select:
    return select(MunicipalityRegion.municipality_id).where(
        MunicipalityRegion.region_id == region.id, MunicipalityRegion.year == region.year)


def _page(query: Select, limit: int, offset: int) -> Select:
    """`query` limited, with its total row count (a window over the whole
    result) as the last column."""
    return query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)


def _organisations_query(route_ids) -> Select:
    """The organisations taking part in the given routes, per role (vmbo,
    mbo, bedrijf) by name, with their number of routes."""
    return (
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role,
               func.count(RouteParty.route_id).label("routes"))
        .join(RouteParty, RouteParty.organisation_id == Organisation.id)
        .where(RouteParty.route_id.in_(route_ids))
        .group_by(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role)
        .order_by(RouteParty.role, Organisation.name, Organisation.id))


def region_organisations(session: Session, route_ids, *, limit: int = LIST_LIMIT,
                         offset: int = 0) -> tuple[list, int]:
    """The organisations taking part in the given routes (`route_ids`, for
    `in_`), per role (vmbo, mbo, bedrijf) by name, with their number of
    routes: `limit` rows from `offset`, and the total. One query (two past
    the end)."""
    rows = list(session.execute(_page(_organisations_query(route_ids), limit, offset)))
    return rows, _total(rows, offset, lambda: region_organisations(session, route_ids, limit=1)[1])


def _schools_query(*where) -> Select:
    """vmbo schools by name, rows as schools_without_route's (without the region code)."""
    return (select(Organisation.id, Organisation.name, Organisation.city, Organisation.lat, Organisation.lon)
            .where(*where).order_by(Organisation.name, Organisation.id))


def region_schools_without_route(session: Session, region: Region, route_ids, *, limit: int = LIST_LIMIT,
                                 offset: int = 0) -> tuple[list, int]:
    """The region's vmbo schools in none of the given routes (`route_ids`,
    for `in_`), by name: `limit` rows (id, name, city, lat, lon) from
    `offset`, and the total. As coverage.schools_without_route, but starting
    from the region's municipalities. One query (two past the end)."""
    with_route = select(RouteParty.organisation_id).where(RouteParty.route_id.in_(route_ids))
    rows = list(session.execute(_page(_schools_query(
        Organisation.kind == "vmbo", Organisation.municipality_id.in_(_municipalities(region)),
        Organisation.id.not_in(with_route)), limit, offset)))
    return rows, _total(rows, offset, lambda: region_schools_without_route(session, region, route_ids, limit=1)[1])


def _total(rows: list, offset: int, first_page) -> int:
    """The total from a page's window column; a page past the end has no row
    to carry it (then the first page's, one more query)."""
    if rows:
        return rows[0].total
    return first_page() if offset else 0


# --- optional neighbours ------------------------------------------------------------

EXPIRING_DAYS = 90  # as the agreements overview (services.agreements.list_expiring)


def agreement_figures(session: Session, region: Region, school_year: str | None = None,
                      route_ids=None) -> dict | None:
    """For the region's active routes (`route_ids`: their ids, for `in_`, if
    already known): signed agreements in force, those of them ending within
    90 days, and routes without a signed agreement in force.
    None while the agreements model is not available. One query."""
    try:
        from portal.models.agreement import Agreement, agreement_routes
    except ImportError:
        return None
    from datetime import date, timedelta
    today = date.today()
    ids = region_selection(region, school_year)[1] if route_ids is None else route_ids
    if not isinstance(ids, Select):
        ids = select(LearningRoute.id).where(LearningRoute.id.in_(ids))
    chosen = ids.subquery("chosen")
    in_force = and_(Agreement.archived_at.is_(None), Agreement.status == "getekend",
                    Agreement.start_date <= today, Agreement.end_date >= today)
    linked = select(agreement_routes.c.agreement_id).where(agreement_routes.c.route_id.in_(select(chosen.c[0])))
    covered = (select(agreement_routes.c.route_id)
               .join(Agreement, Agreement.id == agreement_routes.c.agreement_id).where(in_force))
    missing = select(func.count()).select_from(chosen).where(chosen.c[0].not_in(covered)).scalar_subquery()
    signed, expiring, missing = session.execute(
        select(func.count(Agreement.id),
               func.count(case((Agreement.end_date <= today + timedelta(days=EXPIRING_DAYS), Agreement.id))),
               missing)
        .where(in_force, Agreement.id.in_(linked))).one()
    return {"signed": signed, "expiring": expiring, "missing": missing or 0}


def practices_for_region(session: Session, region_code: str, limit: int = 5) -> list | None:
    """The library's good practices linked to the region, or None without a library."""
    try:
        from portal.services.practices import practices_for_region as find
    except ImportError:
        return None
    return find(session, region_code, limit=limit)
