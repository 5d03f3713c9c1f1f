"""The region page's figures, computed from the region's routes read once,
agree with the straightforward computations (the map's region_figures, the
national trend, schools_without_route) on generated data; its lists are
bounded, with true totals, and page through everything."""
import random

import pytest
from sqlalchemy import select

from portal.domain.school_year import current_school_year, shift_school_year
from portal.models import LearningRoute, Region, RouteParty, route_profiles
from portal.services.coverage import figures as coverage
from portal.services.coverage import region as coverage_region
from portal.services.coverage import trend as coverage_trend
from tests.factories import make_organisation, make_route
from tests.factories_map import make_region_route, make_school

YEAR = 2025
NOW = current_school_year()
KINDS = ("dlr", "glr", "leerlab", "vakmanschap", "beroeps")
PROFILES = ("ZW", "EO", "PIE", "BWI", "HBR")


@pytest.fixture
def world(db_session, reference_data):
    """Routes of every status, kind, level and period in AM38 and AM09 with
    shared schools, one in both regions, a leerlab without a vmbo party (it
    takes the region of its other parties), an archived route, schools
    without a route, and profiles offered."""
    rng = random.Random(7)
    schools = {code: [make_school(code, profiles=tuple(rng.sample(PROFILES, 2)), pupils=rng.choice((None, 300)))
                      for _ in range(6)] for code in ("AM38", "AM09")}
    for i in range(40):
        code = rng.choice(("AM38", "AM09"))
        first = shift_school_year(NOW, -rng.randint(0, 5))
        status = rng.choice(("actief", "actief", "beeindigd", "concept", "voorbereiding"))
        last = shift_school_year(first, rng.randint(0, 3)) if status == "beeindigd" or rng.random() < 0.2 else None
        make_region_route(code, vmbo=rng.choice(schools[code]), title=f"Route {rng.randint(0, 99):02d} {i}",
                          kind_code=rng.choice(KINDS), mbo_level_code=rng.choice(("1", "2", "3", "4", None)),
                          status=status, first_school_year=first, last_school_year=last,
                          pupils_per_cohort=rng.choice((None, 5, 12)),
                          profiles=tuple(rng.sample(PROFILES, rng.randint(0, 2))))
    both = make_route(parties=[(schools["AM38"][0], "vmbo"), (schools["AM09"][0], "vmbo")], title="Twee regio's",
                      first_school_year=shift_school_year(NOW, -1))
    make_route(parties=[(make_school("AM38", kind="mbo"), "mbo"), (make_organisation("employer"), "employer")],
               kind_code="leerlab", mbo_level_code=None, title="Leerlab zonder vmbo")
    archived = make_region_route("AM38", vmbo=schools["AM38"][1], title="Gearchiveerd")
    from datetime import UTC, datetime
    archived.archived_at = datetime.now(UTC)
    db_session.flush()
    return both


def region(session, code):
    return session.scalar(select(Region).where(Region.code == code, Region.year == YEAR))


@pytest.mark.parametrize("code", ["AM38", "AM09"])
@pytest.mark.parametrize("years_back", [0, 2])
def test_figures_agree_with_the_maps_region_figures(db_session, world, code, years_back):
    school_year = shift_school_year(NOW, -years_back)
    detail = coverage_region.region_detail(db_session, region(db_session, code), school_year)
    selection = coverage.selection_filters(school_year=school_year)
    expected = {f.code: f for f in coverage.region_figures(db_session, selection, None, YEAR)}[code]
    assert detail.figures == expected
    assert detail.figures.routes > 0


@pytest.mark.parametrize("code", ["AM38", "AM09"])
def test_trend_agrees_with_the_trend_over_every_routes_regions(db_session, world, code):
    detail = coverage_region.region_detail(db_session, region(db_session, code))
    expected = coverage_trend.trend(db_session, YEAR, code)  # derives the regions of every counted route
    assert [(y.school_year, y.routes, y.pupils_in_routes, y.by_kind, dict(y.region_kinds), dict(y.region_levels))
            for y in detail.trend] == \
           [(y.school_year, y.routes, y.pupils_in_routes, y.by_kind, dict(y.region_kinds), dict(y.region_levels))
            for y in expected]


def test_matrix_lists_and_totals_agree_with_straightforward_queries(db_session, world):
    am38 = region(db_session, "AM38")
    detail = coverage_region.region_detail(db_session, am38, limit=1000)
    filters, ids = coverage_region.region_selection(am38)
    selected = set(db_session.scalars(ids))
    routes = db_session.scalars(select(LearningRoute).where(LearningRoute.id.in_(selected))).all()
    assert [r.id for r in detail.routes] == [r.id for r in sorted(routes, key=lambda r: (r.title, r.id))]
    assert "Leerlab zonder vmbo" in {r.title for r in routes} and "Gearchiveerd" not in {r.title for r in routes}
    matrix = {}
    for profile, route_id in db_session.execute(
            select(route_profiles.c.profile_code, route_profiles.c.route_id)
            .where(route_profiles.c.route_id.in_(selected))):
        level = next(r.mbo_level_code for r in routes if r.id == route_id)
        if level:
            matrix[(profile, level)] = matrix.get((profile, level), 0) + 1
    assert detail.matrix == matrix
    parties = {(p.organisation_id, p.role): 0 for p in db_session.scalars(
        select(RouteParty).where(RouteParty.route_id.in_(selected)))}
    for p in db_session.scalars(select(RouteParty).where(RouteParty.route_id.in_(selected))):
        parties[(p.organisation_id, p.role)] += 1
    assert {(o.id, o.role): o.routes for o in detail.organisations} == parties
    assert detail.organisations_total == len(parties)
    gaps = coverage.schools_without_route(db_session, filters, None, YEAR)
    assert [s.id for s in detail.schools_without_route] == [s.id for s in gaps]
    assert detail.schools_without_route_total == len(gaps) > 0


def test_lists_are_bounded_with_their_totals_and_page_through_everything(db_session, world):
    am38 = region(db_session, "AM38")
    full = coverage_region.region_detail(db_session, am38, limit=1000)
    short = coverage_region.region_detail(db_session, am38, limit=2)
    assert short.routes == full.routes[:2] and short.figures.routes == len(full.routes) > 2
    assert short.organisations == full.organisations[:2] and short.organisations_total == len(full.organisations)
    assert short.schools_without_route == full.schools_without_route[:2]
    assert short.schools_without_route_total == len(full.schools_without_route)
    _filters, ids = coverage_region.region_selection(am38)
    pages = [coverage_region.region_organisations(db_session, ids, limit=3, offset=n) for n in range(0, 60, 3)]
    assert [tuple(row)[:-1] for rows, _ in pages for row in rows] == [tuple(row) for row in full.organisations]
    assert {total for _, total in pages} == {len(full.organisations)}  # also past the end
    rows, total = coverage_region.region_schools_without_route(db_session, am38, ids, limit=1, offset=1)
    assert [tuple(row)[:-1] for row in rows] == [tuple(row) for row in full.schools_without_route[1:2]]
    assert total == len(full.schools_without_route)


def test_agreement_figures_take_the_selection_or_derive_it(db_session, world):
    am38 = region(db_session, "AM38")
    detail = coverage_region.region_detail(db_session, am38)
    assert coverage_region.agreement_figures(db_session, am38, None, detail.route_ids) == \
        coverage_region.agreement_figures(db_session, am38) == \
        {"signed": 0, "expiring": 0, "missing": detail.figures.routes}


def test_the_years_a_route_counts_in_agree_with_runs_in():
    from portal.domain.school_year import school_years_between
    from portal.services.coverage.trend import _counted_in, _runs_in
    years = school_years_between("2014-2015", "2027-2028")
    current = "2026-2027"
    edges = [None, "2012-2013", "2014-2015", "2019-2020", "2026-2027", "2027-2028", "2030-2031"]
    for first in [e for e in edges if e]:
        for last in edges:
            for status in ("actief", "beeindigd", "concept", "voorbereiding"):
                expected = [y for y in years if _runs_in(first, last, status, y, current)]
                assert years[_counted_in(years, first, last, status, current)] == expected, (first, last, status)
