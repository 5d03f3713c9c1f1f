"""The list's facet counts and total (route_list.list_counts: one GROUP BY for
the four simple facets, one UNION ALL for the others) against the plain
computation: one statement per facet with that facet's own filter left out,
and a count(*) of the filtered routes. Generated data, many filter
combinations, four kinds of visitor."""
from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
from sqlalchemy import distinct, func, select, update

from portal.devdata.generator import generate
from portal.models import LearningRoute, Organisation, Region, RouteParty, route_pathways, route_profiles
from portal.services.learning_routes import listing as route_list
from portal.services.learning_routes.filters import (
    RouteFilters,
    filter_clauses,
    route_region_pairs,
    visibility_clause,
)
from portal.services.learning_routes.listing import regions_for_routes
from portal.services.reference.boundaries import current_region_year
from tests.conftest import DATA_DIR

SIMPLE = {"kind": LearningRoute.kind_code, "level": LearningRoute.mbo_level_code,
          "status": LearningRoute.status, "domain": LearningRoute.mbo_domain_code,
          "teaching_location": LearningRoute.teaching_location}


def reference_counts(session, filters, user, year, include_archived):
    """The straightforward computation (the implementation before list_counts)."""
    def base(skip):
        return [visibility_clause(user, include_archived), *filter_clauses(filters, year, skip=skip)]
    counted = func.count(distinct(LearningRoute.id))
    out = {}
    for name, column in SIMPLE.items():
        rows = session.execute(select(column, counted).where(*base(name)).group_by(column))
        out[name] = {str(k): n for k, n in rows if k is not None}
    for name, table, column in (("profile", route_profiles, route_profiles.c.profile_code),
                                ("pathway", route_pathways, route_pathways.c.pathway_code)):
        rows = session.execute(select(column, counted).select_from(LearningRoute)
                               .join(table, table.c.route_id == LearningRoute.id)
                               .where(*base(name)).group_by(column))
        out[name] = dict(rows.all())
    out["region"] = {}
    if year is not None:
        pairs = route_region_pairs(year, select(LearningRoute.id).where(*base("region")))
        rows = session.execute(select(Region.code, func.count(distinct(pairs.c.route_id))).select_from(pairs)
                               .join(Region, Region.id == pairs.c.region_id).group_by(Region.code))
        out["region"] = dict(rows.all())
    total = session.scalar(select(func.count(distinct(LearningRoute.id)))
                           .where(visibility_clause(user, include_archived), *filter_clauses(filters, year)))
    return out, total


def _values(session, column):
    return sorted({v for v in session.scalars(select(column).distinct()) if v is not None})


def _pick(rng, values, unknown=None):
    """No value, one, or two (sometimes one that occurs in no route)."""
    pool = list(values) + ([unknown] if unknown else [])
    return rng.sample(pool, k=min(len(pool), rng.choice([0, 0, 1, 1, 2])))


def _combinations(session, year, count):
    rng = random.Random(7)
    domain = {name: [str(v) for v in _values(session, column)] for name, column in SIMPLE.items()}
    profiles = _values(session, route_profiles.c.profile_code)
    pathways = _values(session, route_pathways.c.pathway_code)
    regions = list(session.scalars(select(Region.code).where(Region.year == year).order_by(Region.code)))
    orgs = _values(session, RouteParty.organisation_id)
    yield RouteFilters()
    for _ in range(count):
        filters = RouteFilters(
            kind=_pick(rng, domain["kind"]), level=_pick(rng, domain["level"], "1"),
            status=_pick(rng, domain["status"]), domain=_pick(rng, domain["domain"]),
            profile=_pick(rng, profiles) if rng.random() < 0.4 else [],
            pathway=_pick(rng, pathways) if rng.random() < 0.4 else [],
            region=_pick(rng, regions) if rng.random() < 0.4 else [],
        )
        if rng.random() < 0.3:
            filters.teaching_location = _pick(rng, domain["teaching_location"])
        if rng.random() < 0.15:
            filters.organisation = rng.sample(orgs, 2)
        if rng.random() < 0.15:
            filters.school_year = rng.choice(["2020-2021", "2025-2026"])
        if rng.random() < 0.15:
            filters.q = rng.choice(["zorg", "techniek", "a"])
        yield filters


@pytest.fixture
def generated(db_session, reference_data):
    generate(db_session, scale=0.03, seed=11, data_dir=DATA_DIR)
    db_session.flush()
    concept_route = db_session.scalar(select(LearningRoute).where(LearningRoute.status == "concept")
                                      .order_by(LearningRoute.id).limit(1))
    org_id = db_session.scalar(select(RouteParty.organisation_id).where(RouteParty.route_id == concept_route.id)
                               .order_by(RouteParty.id).limit(1))
    # Some archived routes (staff may ask for them), some without level or domain.
    db_session.execute(update(LearningRoute).where(LearningRoute.id % 9 == 0).values(archived_at=func.now()))
    db_session.execute(update(LearningRoute).where(LearningRoute.id % 11 == 0).values(mbo_domain_code=None))
    db_session.execute(update(LearningRoute).where(LearningRoute.id % 13 == 0).values(mbo_level_code=None))
    assert db_session.get(Organisation, org_id) is not None
    return {
        "anonymous": (None, False),
        "coordinator": (SimpleNamespace(is_authenticated=True, role="coordinator", organisation_id=org_id), False),
        "staff": (SimpleNamespace(is_authenticated=True, role="staff"), False),
        "staff_archive": (SimpleNamespace(is_authenticated=True, role="staff"), True),
    }


def test_list_counts_match_the_plain_computation(db_session, generated):
    year = current_region_year(db_session)
    assert year is not None
    checked = 0
    for filters in _combinations(db_session, year, 40):
        for who, (user, include_archived) in generated.items():
            for y in (year, None) if checked % 7 == 0 else (year,):
                counts = route_list.list_counts(db_session, filters, user, y, include_archived)
                expected, total = reference_counts(db_session, filters, user, y, include_archived)
                assert counts.facets == expected, (who, filters, y)
                assert counts.total == total, (who, filters, y)
                checked += 1
    assert checked > 150


def test_the_page_with_the_counted_total_is_the_page_counted_itself(db_session, generated):
    year = current_region_year(db_session)
    for filters in list(_combinations(db_session, year, 12)):
        for user, include_archived in generated.values():
            total = route_list.list_counts(db_session, filters, user, year, include_archived).total
            for page in (1, 2):
                given = route_list.page_of_routes(db_session, filters, user, year, page=page, page_size=10,
                                                  include_archived=include_archived, total=total)
                counted = route_list.page_of_routes(db_session, filters, user, year, page=page, page_size=10,
                                                    include_archived=include_archived)
                assert (given.total, given.page, given.pages) == (counted.total, counted.page, counted.pages)
                assert [r.id for r in given.routes] == [r.id for r in counted.routes]


def test_the_page_rows_hold_what_the_route_objects_say(db_session, generated):
    """page_of_routes reads plain rows; compare them with the ORM objects and
    regions_for_routes (what the list showed before)."""
    year = current_region_year(db_session)
    seen = 0
    for filters in list(_combinations(db_session, year, 8)):
        for user, include_archived in generated.values():
            for sort in route_list.SORTS:
                page = route_list.page_of_routes(db_session, filters, user, year, sort=sort, page_size=15,
                                                 include_archived=include_archived)
                ids = [r.id for r in page.routes]
                objects = {r.id: r for r in db_session.scalars(
                    select(LearningRoute).where(LearningRoute.id.in_(ids)).options(*route_list.route_options()))}
                regions = regions_for_routes(db_session, ids, year)
                for row in page.routes:
                    route = objects[row.id]
                    assert (row.title, row.kind_code, row.status, row.archived_at is None, row.mbo_level_code,
                            row.first_school_year, row.last_school_year) == (
                        route.title, route.kind_code, route.status, route.archived_at is None,
                        route.mbo_level_code, route.first_school_year, route.last_school_year)
                    assert row.parties == [p.organisation.display_name for p in route.parties]
                    assert row.pathways == [p.code for p in route.pathways]
                    assert row.profiles == [p.abbreviation for p in route.profiles]
                    assert row.regions == [r.name for r in regions[row.id]]
                    seen += 1
    assert seen > 300


def test_newest_regions_is_the_newest_year_and_its_regions_by_name(db_session, reference_data):
    db_session.add(Region(code="AM99", name="Aaa oude indeling", year=2001))
    db_session.flush()
    year = current_region_year(db_session)
    expected = {r.code: r.name for r in db_session.scalars(select(Region).where(Region.year == year)
                                                             .order_by(Region.name))}
    got_year, names = route_list.newest_regions(db_session)
    assert got_year == year and list(names.items()) == list(expected.items()) and "AM99" not in names


def test_the_order_is_the_same_when_sqlite_sorts_the_few_matches_itself(db_session, generated, monkeypatch):
    """With few matches the first order term is written so that no index has it
    (SQLite then sorts the matches instead of walking the order's index): the
    pages must be the same as with the plain order, for every sort."""
    year = current_region_year(db_session)
    compared = 0
    for filters in list(_combinations(db_session, year, 10)):
        for user, include_archived in generated.values():
            for sort in route_list.SORTS:
                pages = []
                for few in (0, 10**9):  # never / always
                    monkeypatch.setattr(route_list, "_FEW_TO_SORT", few)
                    pages.append([[r.id for r in route_list.page_of_routes(
                        db_session, filters, user, year, sort=sort, page=page, page_size=7,
                        include_archived=include_archived).routes] for page in (1, 2)])
                assert pages[0] == pages[1], (filters, sort)
                compared += len(pages[0][0]) + len(pages[0][1])
    assert compared > 300


def test_the_rows_regions_follow_the_vmbo_rule_in_every_case(db_session, generated):
    """The list derives a row's regions from its parties' rows in Python: the
    regions of its vmbo parties, or, for a route without a vmbo party, those of
    all its parties. Compared with route_region_pairs (regions_for_routes) for
    every route, after making the cases the generated data may lack: routes
    without a vmbo party, a vmbo party whose organisation has no gemeente (the
    route then has no region from it, and does not fall back), and a route
    without parties."""
    year = current_region_year(db_session)
    ids = list(db_session.scalars(select(LearningRoute.id).order_by(LearningRoute.id)))
    vmbo_routes = list(db_session.scalars(select(RouteParty.route_id).where(RouteParty.role == "vmbo")
                                          .group_by(RouteParty.route_id).order_by(RouteParty.route_id)))
    no_vmbo, no_gemeente, no_parties = vmbo_routes[:3], vmbo_routes[3:5], vmbo_routes[5]
    db_session.execute(RouteParty.__table__.delete().where(RouteParty.route_id.in_(no_vmbo),
                                                           RouteParty.role == "vmbo"))
    vmbo_orgs = select(RouteParty.organisation_id).where(RouteParty.route_id.in_(no_gemeente),
                                                         RouteParty.role == "vmbo")
    db_session.execute(update(Organisation).where(Organisation.id.in_(vmbo_orgs)).values(municipality_id=None))
    db_session.execute(RouteParty.__table__.delete().where(RouteParty.route_id == no_parties))
    db_session.flush()
    expected = regions_for_routes(db_session, ids, year)
    assert all(expected[i] for i in no_vmbo)  # the other parties' regions, so the case is there
    assert any(not expected[i] for i in no_gemeente) and not expected[no_parties]
    assert sum(len(regions) > 1 for regions in expected.values()) > 0
    for start in range(0, len(ids), 25):  # a page at a time, as the list asks
        rows = [route_list.RouteRow(i, "", "", "", None, None, "", None) for i in ids[start:start + 25]]
        route_list._add_details(db_session, rows, year)
        for row in rows:
            assert row.regions == [r.name for r in expected[row.id]], row.id
    rows = [route_list.RouteRow(i, "", "", "", None, None, "", None) for i in ids[:25]]
    route_list._add_details(db_session, rows, None)  # no indeling: no regions, the rest as ever
    assert all(row.regions == [] for row in rows) and any(row.parties for row in rows)
