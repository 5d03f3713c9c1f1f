"""Everything the region page shows about one arbeidsmarktregio, plus the
optional neighbours (agreements, good practices) guarded by import.

The page reads the region's routes once: one query derives them and says, per
route, whether it is in the page's selection and whether the trend counts it,
with what the figures and the trend group routes by. The other statements
get the selected ids as one bound parameter (services.id_sets) instead of
deriving the region's routes again (or compiling a thousand parameters); the
statements are built once (coverage_region_reads)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.core.id_sets import id_set_value
from portal.domain import coverage as rules
from portal.domain import vocab
from portal.domain.school_year import current_school_year
from portal.models import LearningRoute, Organisation, Region, RouteParty
from portal.services.coverage import region_reads as reads
from portal.services.coverage.figures import RegionFigures, selection_filters
from portal.services.coverage.mbo_presence import mbo_count_of_region
from portal.services.coverage.trend import YearFigures, region_trend
from portal.services.learning_routes.filters import RouteFilters
from portal.services.practices import queries

# --- one region -------------------------------------------------------------------

LIST_LIMIT = 50  # rows of each list on the region page; the rest is one link away


def region_selection(region: Region, school_year: str | None = None) -> tuple[RouteFilters, Select]:
    """The region page's selection (the route list's for this region: the
    active routes of the school year): its filters and a subquery of its
    route ids, for a page that uses it once. Runs nothing."""
    filters = selection_filters(school_year=school_year, region=region.code)
    return filters, reads.selected(filters, region.year).where(
        LearningRoute.id.in_(reads.in_region(region.id, region.year)))


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
    route_ids: list[int]  # the selected routes
    # The region's vmbo schools for its map: (id, name, city, lat, lon, routes of
    # the selection it takes part in as vmbo school), by name.
    school_points: list[tuple] = field(default_factory=list)


def region_detail(session: Session, region: Region, school_year: str | None = None,
                  limit: int | None = None) -> RegionDetail:
    """_region_detail, kept per aggregates version (core/aggregates)."""
    key = ("region_detail", region.id, region.year, school_year, limit)
    return kept(session, key, lambda: _region_detail(session, region, school_year, limit))


def _region_detail(session: Session, region: Region, school_year: str | None,
                   limit: int | None) -> RegionDetail:
    """Everything the region page shows, public figures; its lists bounded to
    `limit` (LIST_LIMIT) rows, with their totals. A fixed number of queries."""
    limit = LIST_LIMIT if limit is None else limit
    dialect = session.get_bind().dialect.name
    filters = selection_filters(school_year=school_year, region=region.code)
    figures = RegionFigures(region.id, region.code, region.name)
    selected: list[int] = []
    periods: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # the trend's groups: routes, pupils
    for route_id, kind, level, first, last, status, pupils, chosen, counted in session.execute(
        reads.routes_of_region(region.id, region.year, filters.school_year, current_school_year())
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
    params = {"selected": id_set_value(dialect, selected), "region_id": region.id, "year": region.year}
    in_region, schools, points = _add_organisation_figures(session, figures, params)
    params["schools"] = id_set_value(dialect, schools)
    matrix = _add_profile_figures(session, figures, reads.profiles(dialect), params)
    routes = list(session.execute(reads.first_routes(dialect, limit), params))
    # Every organisation taking part (a few hundred at most), in the list's
    # order: the page shows the first, and it tells which schools take part.
    organisations = session.execute(reads.organisations_taking_part(dialect), params).all()
    taking_part = {row.id for row in organisations}
    in_region = set(in_region)
    figures.vmbo_schools_with_route = len({row.id for row in organisations if row.role == "vmbo"} & in_region)
    without = [school for school in schools if school not in taking_part]
    routes_of_school = {row.id: row.routes for row in organisations if row.role == "vmbo"}
    school_points = sorted(((school_id, name, city, lat, lon, routes_of_school.get(school_id, 0))
                            for school_id, name, city, lat, lon in points), key=lambda p: (p[1], p[0]))
    schools_without = list(session.execute(reads.first_schools(dialect, limit),
                                           {"schools": id_set_value(dialect, without)}))
    profile_order = [t.code for t in vocab.PROFILES]
    return RegionDetail(
        figures=figures, filters=filters, matrix=matrix,
        gap_profiles=[p for p in profile_order if p in figures.profiles_offered - figures.route_profiles],
        gap_levels=[lv for lv in rules.MBO_LEVEL_CODES if lv not in figures.levels],
        schools_without_route=schools_without, schools_without_route_total=len(without),
        routes=routes, organisations=organisations[:limit], organisations_total=len(organisations),
        trend=region_trend(session, region.code, filters.school_year,
                           [(*key, count, pupils) for key, (count, pupils) in periods.items()]),
        route_ids=selected, school_points=school_points,
    )


def _add_organisation_figures(session: Session, figures: RegionFigures, params: dict,
                              ) -> tuple[list[int], list[int], list[tuple]]:
    """coverage.add_organisation_figures for one region: its vmbo schools
    and their pupils, its mbo institutions, counted here from the region's
    organisations (read from its municipalities, not from every school), and
    its mbo institutions by their locations (coverage.mbo_presence);
    returns the ids of those organisations and of its vmbo schools (in no
    particular order), and the vmbo schools' (id, name, city, lat, lon).
    Two queries."""
    every, schools, points, pupils = [], [], [], None
    for org_id, kind, count, name, city, lat, lon in session.execute(reads.organisations_of_region(), params):
        every.append(org_id)
        if kind == "vmbo":
            schools.append(org_id)
            points.append((org_id, name, city, lat, lon))
            if count is not None:
                pupils = (pupils or 0) + count
    figures.vmbo_schools, figures.vmbo_pupils = len(schools), pupils
    figures.mbo_institutions = session.scalar(mbo_count_of_region(),
                                               {"region_id": params["region_id"], "year": params["year"]}) or 0
    return every, schools, points


def _add_profile_figures(session: Session, figures: RegionFigures, statement, params: dict,
                         ) -> dict[tuple[str, str], int]:
    """Into `figures`: the profielen the region's vmbo schools offer and those
    of the selected routes; returns the profiel x niveau matrix of the routes.
    One query (reads.profiles)."""
    matrix: dict[tuple[str, str], int] = {}
    for part, code, level, count in session.execute(statement, params):
        if part == "o":
            figures.profiles_offered.add(code)
        else:
            figures.route_profiles.add(code)
            if level:
                matrix[(code, level)] = count
    return matrix


def _page(query: Select, limit: int, offset: int) -> Select:
    """`query` limited, with its total row count (a window over the whole
    result) as the last column."""
    return query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)


def region_organisations(session: Session, route_ids, *, limit: int = LIST_LIMIT,
                         offset: int = 0) -> tuple[list, int]:
    """The organisations taking part in the given routes (`route_ids`, for
    `in_`), per role (vmbo, mbo, bedrijf) by name, with their number of
    routes: `limit` rows from `offset`, and the total. One query (two past
    the end)."""
    rows = list(session.execute(_page(reads.organisations_query(route_ids), limit, offset)))
    return rows, _total(rows, offset, lambda: region_organisations(session, route_ids, limit=1)[1])


def region_schools_without_route(session: Session, region: Region, route_ids, *, limit: int = LIST_LIMIT,
                                 offset: int = 0) -> tuple[list, int]:
    """The region's vmbo schools in none of the given routes (`route_ids`,
    for `in_`), by name: `limit` rows (id, name, city, lat, lon) from
    `offset`, and the total. As coverage.schools_without_route, but starting
    from the region's municipalities. One query (two past the end)."""
    with_route = select(RouteParty.organisation_id).where(RouteParty.route_id.in_(route_ids))
    rows = list(session.execute(_page(reads.schools_query(
        Organisation.kind == "vmbo", Organisation.municipality_id.in_(reads.municipalities(region.id, region.year)),
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
                      route_ids: list[int] | None = None) -> dict | None:
    """For the region's active routes (`route_ids`, if already known):
    signed agreements in force, those of them ending within 90 days, and
    routes without a signed agreement in force. One query (two without
    `route_ids`). Kept per aggregates version: `route_ids`, when given, must be
    the region's selection of that school year (region_detail's)."""
    key = ("agreement_figures", region.id, region.year, school_year)
    return kept(session, key, lambda: _agreement_figures(session, region, school_year, route_ids))


def _agreement_figures(session: Session, region: Region, school_year: str | None,
                       route_ids: list[int] | None) -> dict | None:
    dialect = session.get_bind().dialect.name
    statement = reads.agreement_counts(dialect)
    today = date.today()
    if route_ids is None:
        route_ids = session.scalars(region_selection(region, school_year)[1]).all()
    params = {"today": today, "soon": today + timedelta(days=EXPIRING_DAYS),
              "selected": id_set_value(dialect, route_ids)}
    signed, expiring, missing = session.execute(statement, params).one()
    return {"signed": signed, "expiring": expiring, "missing": missing or 0}


def practices_for_region(session: Session, region_code: str, limit: int = 5) -> list:
    """The library's good practices linked to the region."""
    return queries.practices_for_region(session, region_code, limit=limit)
