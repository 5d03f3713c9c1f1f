"""Reading leerroutes for the list: facet counts, sorting, paging, and the
organisation search of the party picker. Built on route_filters, so the list,
its counts and its exports always agree."""
from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from sqlalchemy import bindparam, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from portal.core.aggregates import kept
from portal.domain.school_year import current_school_year
from portal.models import (
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    Pathway,
    Profile,
    Region,
    RouteParty,
    route_pathways,
    route_profiles,
)
from portal.models.organisation import organisation_display_name
from portal.permissions import is_staff
from portal.services.learning_routes.filters import (
    RouteFilters,
    audience,
    filter_clauses,
    filtered_routes,
    route_region_pairs,
    state_expression,
    visibility_clause,
)
from portal.services.reference.region_years import CURRENT_YEAR


def _as_is(expression):
    return expression


# Each order's terms; the first goes through `first` (see _FEW_TO_SORT).
SORTS = {
    "titel": ("Titel (A–Z)", lambda first=_as_is: [first(func.lower(LearningRoute.title)), LearningRoute.id]),
    "recent": ("Laatst gewijzigd", lambda first=_as_is: [LearningRoute.updated_at.desc(), LearningRoute.id.desc()]),
    "schooljaar": ("Eerste schooljaar (nieuwste eerst)",
                   lambda first=_as_is: [first(LearningRoute.first_school_year).desc(),
                                         func.lower(LearningRoute.title)]),
    "niveau": ("Mbo-niveau", lambda first=_as_is: [first(LearningRoute.mbo_level_code), func.lower(LearningRoute.title)]),
}
DEFAULT_SORT = "titel"

# SQLite has no statistics to weigh the filters' index against the order's
# index: even when a few routes match, it walks the whole order index (every
# visible route) and tests each. Up to this many matching routes, the first
# order term becomes `term || ''` (same order, but no index has it), so SQLite
# reads the matches through the filters' index and sorts them: at scale 3 the
# busiest four-filter page's rows took 4 ms the one way and 0.5 ms the other.
# PostgreSQL weighs both with its statistics and keeps the plain order.
_FEW_TO_SORT = 500


def _without_index(expression):
    return expression.op("||")(literal(""))


def route_options():
    parties = selectinload(LearningRoute.parties)
    return (parties.selectinload(RouteParty.organisation), parties.selectinload(RouteParty.mbo_location),
            selectinload(LearningRoute.pathways), selectinload(LearningRoute.profiles))


@dataclass
class RouteRow:
    """What the list shows of one route, read without loading the ORM objects."""
    id: int
    title: str
    kind_code: str
    status: str
    archived_at: object
    mbo_level_code: str | None
    first_school_year: str
    last_school_year: str | None
    pathways: list[str] = field(default_factory=list)  # codes, in vocabulary order
    profiles: list[str] = field(default_factory=list)  # abbreviations, in vocabulary order
    parties: list[str] = field(default_factory=list)  # display names, in the order entered
    regions: list[str] = field(default_factory=list)  # arbeidsmarktregio names (the year's), by name


ROW_COLUMNS = (LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.status,
               LearningRoute.archived_at, LearningRoute.mbo_level_code, LearningRoute.first_school_year,
               LearningRoute.last_school_year)


@dataclass
class RoutePage:
    routes: list[RouteRow]
    total: int
    page: int
    pages: int
    sort: str


def page_of_routes(session: Session, filters: RouteFilters, user, year: int | None, *, sort: str = DEFAULT_SORT,
                   page: int = 1, page_size: int = 25, include_archived: bool = False,
                   total: int | None = None) -> RoutePage:
    """One page of the filtered list, in two statements. `total` (from
    list_counts, same filters, user and include_archived) saves a count."""
    where = [visibility_clause(user, include_archived), *filter_clauses(filters, year)]
    if total is None:
        total = session.scalar(select(func.count()).select_from(LearningRoute).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    sort = sort if sort in SORTS else DEFAULT_SORT
    few = total <= _FEW_TO_SORT and session.get_bind().dialect.name == "sqlite"
    rows = [RouteRow(*row) for row in session.execute(
        select(*ROW_COLUMNS).where(*where).order_by(*SORTS[sort][1](_without_index if few else _as_is))
        .limit(page_size).offset((page - 1) * page_size))] if total else []
    _add_details(session, rows, year)
    return RoutePage(rows, total, page, pages, sort)


def _add_details(session: Session, rows: list[RouteRow], year: int | None) -> None:
    """Parties, pathways, profiles and regions of the rows, in one statement.
    The regions are derived here from the parties' rows, by the rule of
    route_region_pairs_select (the regions of the vmbo parties; a route without
    one takes those of all its parties): in SQL that rule's NOT EXISTS made
    PostgreSQL read every vmbo party of every route for a page of 25. The
    statement reads only the routes' own rows; the names of the gemeenten's
    regions, pathways and profiles come from reference data kept in memory
    (_ListNames): PostgreSQL planned the joins to those four tables in 1.3 ms
    on every request, longer than it took to run them."""
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    names = _list_names(session, year)
    details = session.execute(_DETAILS, {"route_ids": list(by_id)}).all()
    parties: list[tuple[int, int, str, str | None, str, str, int | None]] = []
    vocabulary: list[tuple[int, int, int, str]] = []
    for route_id, part, party_id, code, city, kind, role, municipality_id in details:
        part = int(part)
        if part == 0:
            parties.append((route_id, party_id, code, city, kind, role, municipality_id))
        else:
            order, text = (names.pathways if part == 1 else names.profiles).get(code, (_LAST, code))
            vocabulary.append((route_id, part, order, text))
    for route_id, part, _, text in sorted(vocabulary):
        (by_id[route_id].pathways, by_id[route_id].profiles)[part - 1].append(text)
    regions: dict[int, tuple[bool, dict[int, str], dict[int, str]]] = {}  # has vmbo, vmbo's, all
    for route_id, _, name, city, kind, role, municipality_id in sorted(parties, key=lambda r: (r[0], r[1])):
        by_id[route_id].parties.append(organisation_display_name(kind, name, city))
        has_vmbo, of_vmbo, of_all = regions.setdefault(route_id, (False, {}, {}))
        if role == "vmbo":
            has_vmbo = True
        region = names.regions.get(municipality_id) if municipality_id is not None else None
        if region is not None:
            of_all[region[0]] = region[1]
            if role == "vmbo":
                of_vmbo[region[0]] = region[1]
        regions[route_id] = (has_vmbo, of_vmbo, of_all)
    if year is not None:
        for route_id, (has_vmbo, of_vmbo, of_all) in regions.items():
            by_id[route_id].regions = sorted((of_vmbo if has_vmbo else of_all).values())


_LAST = 1 << 30  # a code missing from its vocabulary sorts last


@dataclass(frozen=True)
class _ListNames:
    """Reference data the list shows by name: per gemeente its region (id,
    name) in the year, per pathway and profile code its order in the
    vocabulary and the text shown."""
    regions: dict[int, tuple[int, str]]
    pathways: dict[str, tuple[int, str]]
    profiles: dict[str, tuple[int, str]]


def _list_names(session: Session, year: int | None) -> _ListNames:
    """Kept per data version; a write that changed only routes keeps it (none of it is a route's)."""
    return kept(session, ("route_list_names", year), lambda: _read_list_names(session, year),
                patch=lambda old, _changed_routes: old)


def _read_list_names(session: Session, year: int | None) -> _ListNames:
    regions: dict[int, tuple[int, str]] = {}
    if year is not None:
        regions = {municipality_id: (region_id, name) for municipality_id, region_id, name in session.execute(
            select(MunicipalityRegion.municipality_id, Region.id, Region.name)
            .join(Region, Region.id == MunicipalityRegion.region_id).where(MunicipalityRegion.year == year))}
    return _ListNames(
        regions,
        {code: (order, code) for code, order in session.execute(select(Pathway.code, Pathway.sort_order))},
        {code: (order, text) for code, order, text in session.execute(
            select(Profile.code, Profile.sort_order, Profile.abbreviation))})


def _details_statement():
    """UNION ALL of (route_id, part, party id, text, city, organisation kind,
    party role, gemeente id) for the routes in the `route_ids` parameter: the
    parties with their organisation, the pathway codes, the profile codes.
    Built once (statements are immutable): building it cost more than running it."""
    ids = bindparam("route_ids", expanding=True)
    none = literal_column("NULL")
    return union_all(
        select(RouteParty.route_id, literal_column("0"), RouteParty.id, Organisation.name, Organisation.city,
               Organisation.kind, RouteParty.role, Organisation.municipality_id)
        .join(Organisation, Organisation.id == RouteParty.organisation_id).where(RouteParty.route_id.in_(ids)),
        select(route_pathways.c.route_id, literal_column("1"), none, route_pathways.c.pathway_code, none, none, none,
               none).where(route_pathways.c.route_id.in_(ids)),
        select(route_profiles.c.route_id, literal_column("2"), none, route_profiles.c.profile_code, none, none, none,
               none).where(route_profiles.c.route_id.in_(ids)),
    )


_DETAILS = _details_statement()


def all_routes(session: Session, filters: RouteFilters, user, year: int | None, *, sort: str = DEFAULT_SORT,
               include_archived: bool = False) -> list[LearningRoute]:
    """Every route of the filtered list (for the exports), same order as the list."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    stmt = filtered_routes(filters, user, year, include_archived=include_archived)
    return list(session.scalars(stmt.options(*route_options()).order_by(*SORTS[sort][1]())))


# The facets that are columns of learning_routes: counted together in one GROUP BY.
SIMPLE_FACETS = {"kind": LearningRoute.kind_code, "level": LearningRoute.mbo_level_code,
                 "status": LearningRoute.status, "domain": LearningRoute.mbo_domain_code,
                 "teaching_location": LearningRoute.teaching_location}


@dataclass
class ListCounts:
    facets: dict[str, dict[str, int]]  # facet -> value -> number of routes (its own filter left out)
    total: int  # the routes matching every filter (the list's length)


def _base(filters: RouteFilters, user, year, skip, include_archived: bool):
    return [visibility_clause(user, include_archived), *filter_clauses(filters, year, skip=skip)]


def list_counts(session: Session, filters: RouteFilters, user, year: int | None,
                include_archived: bool = False) -> ListCounts:
    """The facet counts and the total (_count_facets), kept per aggregates
    version (core/aggregates): the same for everyone of the same audience."""
    key = ("list_counts", filters.key(), audience(user), year, include_archived and is_staff(user))
    return kept(session, key, lambda: _count_facets(session, filters, user, year, include_archived))


def _count_facets(session: Session, filters: RouteFilters, user, year: int | None,
                  include_archived: bool) -> ListCounts:
    """The facet counts and the number of matching routes, in one statement.

    The four simple facets come from one GROUP BY over their columns, with only
    the clauses they share (visibility and the other filters); each facet's count
    is then the sum over the groups that pass the OTHER three of those filters,
    and the total the sum over the groups that pass all four: exact, as every
    group is a set of whole learning_routes rows. Profile, pathway and region
    count the `matching` routes (a CTE, so the filters are evaluated once for
    the three), or, when they have a filter of their own, the routes passing
    every other filter."""
    chosen = {name: set(getattr(filters, name)) for name in SIMPLE_FACETS}
    shared = _base(filters, user, year, SIMPLE_FACETS, include_archived)
    # The status facet counts the routes' states in the school year (actief, afgelopen, ...).
    facet_columns = {**SIMPLE_FACETS, "status": state_expression(filters.state_year())}
    columns = list(facet_columns.values())
    matching = select(LearningRoute.id).where(
        *shared, *[column.in_(chosen[name]) for name, column in facet_columns.items() if chosen[name]]).cte("matching")
    hits = [case((column.in_(chosen[name]), 1), else_=0) for name, column in facet_columns.items() if chosen[name]]
    # Rows that miss two of these filters count nowhere: leave them out before grouping.
    prune = [reduce(operator.add, hits) >= len(hits) - 1] if len(hits) > 1 else []
    none = literal_column("NULL")
    padding = [none] * (len(SIMPLE_FACETS) - 1)  # the other parts fill the simple facets' columns
    parts = [select(literal_column("3"), *columns, func.count()).where(*shared, *prune).group_by(*columns)]
    # count(*) is the number of routes: (route_id, code) is the key of both link tables.
    for tag, (name, table, column) in enumerate((("profile", route_profiles, route_profiles.c.profile_code),
                                                 ("pathway", route_pathways, route_pathways.c.pathway_code))):
        part = select(literal_column(str(tag)), column, *padding, func.count()).select_from(table)
        if getattr(filters, name):
            part = part.join(LearningRoute, LearningRoute.id == table.c.route_id).where(
                *_base(filters, user, year, name, include_archived))
        else:
            part = part.join(matching, matching.c.id == table.c.route_id)
        parts.append(part.group_by(column))
    if year is not None:
        # The regions of the counted routes only (pairs are distinct per route and region).
        ids = (select(LearningRoute.id).where(*_base(filters, user, year, "region", include_archived))
               if filters.region else select(matching.c.id))
        pairs = route_region_pairs(year, ids)
        parts.append(select(literal_column("2"), Region.code, *padding, func.count())
                     .select_from(pairs).join(Region, Region.id == pairs.c.region_id).group_by(Region.code))
    facets: dict[str, dict[str, int]] = {name: {} for name in (*SIMPLE_FACETS, "profile", "pathway", "region")}
    total = 0
    for tag, *values, n in session.execute(union_all(*parts)):
        if int(tag) < 3:
            facets[("profile", "pathway", "region")[int(tag)]][values[0]] = n
            continue
        misses = [name for name, value in zip(SIMPLE_FACETS, values, strict=False) if chosen[name] and value not in chosen[name]]
        if not misses:
            total += n
        for name, value in zip(SIMPLE_FACETS, values, strict=False):
            if value is not None and (not misses or misses == [name]):
                facets[name][str(value)] = facets[name].get(str(value), 0) + n
    return ListCounts(facets, total)


def newest_regions(session: Session) -> tuple[int | None, dict[str, str]]:
    """The indeling in use (reference.current_region_year) and its
    regions, code -> name in name order, in one statement; (None, {}) without regions.
    Kept per data version (loading regions or switching the year moves it)."""
    return kept(session, ("newest_regions",), lambda: _newest_regions(session))


def _newest_regions(session: Session) -> tuple[int | None, dict[str, str]]:
    rows = session.execute(_NEWEST_REGIONS).all()
    return (rows[0].year if rows else None), {row.code: row.name for row in rows}


_NEWEST_REGIONS = (select(Region.year, Region.code, Region.name).where(Region.year == CURRENT_YEAR.scalar_subquery())
                   .order_by(Region.name))


def school_year_choices(today: date | None = None) -> list[str]:
    start = int(current_school_year(today)[:4])
    return [f"{y}-{y + 1}" for y in range(start + 3, 2013, -1)]


def organisations_by_id(session: Session, ids) -> dict[int, Organisation]:
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def organisation_region(session: Session, organisation: Organisation | None, year: int | None) -> Region | None:
    if organisation is None or organisation.municipality_id is None or year is None:
        return None
    return session.scalar(
        select(Region).join(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
        .where(MunicipalityRegion.municipality_id == organisation.municipality_id, MunicipalityRegion.year == year))


def search_organisations(session: Session, q: str, kind: str, *, region: Region | None = None,
                         limit: int = 25) -> list[Organisation]:
    """Organisations of one kind matching a name, place, BRIN or vestigingscode;
    without a query, those in the given region (the coordinator's own)."""
    kinds = ("employer", "other") if kind == "employer" else (kind,)
    stmt = select(Organisation).where(Organisation.kind.in_(kinds))
    q = (q or "").strip()[:100]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(
            Organisation.name.ilike(like, escape="\\"), Organisation.city.ilike(like, escape="\\"),
            Organisation.vestigingscode == q.upper(), Organisation.brin == q.upper(),
            Organisation.governing_body_name.ilike(like, escape="\\"),
        ))
    elif region is not None:
        stmt = stmt.join(MunicipalityRegion, MunicipalityRegion.municipality_id == Organisation.municipality_id) \
            .where(MunicipalityRegion.region_id == region.id)
    else:
        return []
    return list(session.scalars(stmt.order_by(Organisation.name, Organisation.id).limit(limit)))


def routes_of_organisation(session: Session, organisation_id: int) -> list[LearningRoute]:
    """'Mijn leerroutes': every route where the organisation is a party, concepts
    included (archived ones are gone for coordinators until staff restore them)."""
    return list(session.scalars(
        select(LearningRoute).where(LearningRoute.archived_at.is_(None), LearningRoute.id.in_(
            select(RouteParty.route_id).where(RouteParty.organisation_id == organisation_id)))
        .options(*route_options()).order_by(func.lower(LearningRoute.title))
    ))


def regions_for_routes(session: Session, route_ids: Iterable[int], year: int | None) -> dict[int, list[Region]]:
    """The derived arbeidsmarktregio's of each route (see route_region_pairs)."""
    ids = list(route_ids)
    out: dict[int, list[Region]] = {i: [] for i in ids}
    if not ids or year is None:
        return out
    pairs = route_region_pairs(year)
    rows = session.execute(
        select(pairs.c.route_id, Region).join(Region, Region.id == pairs.c.region_id)
        .where(pairs.c.route_id.in_(ids)).order_by(Region.name)
    )
    for route_id, region in rows:
        out[route_id].append(region)
    return out
