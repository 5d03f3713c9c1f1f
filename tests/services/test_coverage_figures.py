"""Coverage figures per region, pins, gaps and trend, on the real 2025 regions."""
from datetime import UTC, datetime

import pytest

from portal.domain.school_year import current_school_year, shift_school_year
from portal.models import Region
from portal.services.coverage import (
    figures as coverage,
)
from portal.services.coverage import (
    map_data,
)
from portal.services.coverage import (
    region as coverage_region,
)
from portal.services.coverage import (
    trend as coverage_trend,
)
from portal.services.learning_routes.filters import RouteFilters
from tests.factories import make_user
from tests.factories_map import make_region_route, make_school

YEAR = 2025
NOW = current_school_year()


@pytest.fixture
def ctx(db_session, reference_data):
    return db_session


def figures_by_code(session, filters=None, user=None, codes=None):
    selection = coverage.selection_filters(filters)
    return {f.code: f for f in coverage.region_figures(session, selection, user, YEAR, codes)}


def test_active_routes_count_per_region_kind_and_level(ctx):
    make_region_route("AM38", kind_code="dlr", mbo_level_code="2", pupils_per_cohort=10)
    make_region_route("AM38", kind_code="glr", mbo_level_code="2", pupils_per_cohort=5)
    make_region_route("AM38", kind_code="dlr", mbo_level_code="4")
    make_region_route("AM09", kind_code="leerlab", mbo_level_code=None)
    figures = figures_by_code(ctx)
    assert len(figures) == 35
    am38 = figures["AM38"]
    assert (am38.routes, am38.kind_count("dlr"), am38.kind_count("glr")) == (3, 2, 1)
    assert am38.levels == {"2", "4"} and am38.niveaus_covered == 2
    assert am38.pupils_in_routes == 15
    assert figures["AM09"].routes == 1 and figures["AM09"].niveaus_covered == 0
    assert figures["AM01"].routes == 0


@pytest.mark.parametrize("change", [
    {"status": "concept"}, {"status": "voorbereiding"}, {"status": "beeindigd"},
    {"archived_at": datetime(2025, 1, 1, tzinfo=UTC)},
    {"first_school_year": shift_school_year(NOW, 1)},
    {"first_school_year": "2019-2020", "last_school_year": shift_school_year(NOW, -1)},
])
def test_only_active_public_routes_running_this_year_count(ctx, change):
    make_region_route("AM38")
    make_region_route("AM38", **change)
    assert figures_by_code(ctx, codes=["AM38"])["AM38"].routes == 1


def test_filters_narrow_the_figures_like_the_route_list(ctx):
    make_region_route("AM38", profiles=("ZW",), mbo_level_code="2")
    make_region_route("AM38", profiles=("PIE",), mbo_level_code="2")
    make_region_route("AM38", profiles=("ZW",), mbo_level_code="3")
    filters = RouteFilters.from_args({"profile": "ZW", "level": "2"})
    assert figures_by_code(ctx, filters, codes=["AM38"])["AM38"].routes == 1
    filters = RouteFilters.from_args({"region": "AM09"})
    assert figures_by_code(ctx, filters, codes=["AM38"])["AM38"].routes == 0


def test_staff_may_select_concepts_the_public_never_counts(ctx):
    make_region_route("AM38", status="concept")
    filters = RouteFilters.from_args({"status": "concept"})
    staff = make_user("staff")
    assert figures_by_code(ctx, filters, staff, ["AM38"])["AM38"].routes == 1
    assert figures_by_code(ctx, filters, None, ["AM38"])["AM38"].routes == 0


def test_profile_share_and_pupil_ratio(ctx):
    school = make_school("AM01", profiles=("ZW", "EO", "PIE", "BWI"), pupils=10_000)
    make_region_route("AM01", vmbo=school, profiles=("ZW",))
    make_region_route("AM01", vmbo=school, profiles=("GR",))  # not offered: does not count
    am01 = figures_by_code(ctx, codes=["AM01"])["AM01"]
    assert am01.profiles_offered >= {"ZW", "EO", "PIE", "BWI"}
    assert am01.profiles_covered == {"ZW"}
    assert am01.profile_share == pytest.approx(100 / len(am01.profiles_offered), abs=0.1)
    assert am01.vmbo_pupils >= 10_000
    assert am01.routes_per_1000_pupils == pytest.approx(round(2000 / am01.vmbo_pupils, 2))
    assert am01.vmbo_schools_with_route == 1
    assert am01.vmbo_schools > 1 and am01.mbo_institutions >= 2


def test_a_route_counts_in_each_region_of_its_vmbo_schools_but_once_nationally(ctx):
    a, b = make_school("AM38"), make_school("AM09")
    from tests.factories import make_route
    make_route(parties=[(a, "vmbo"), (b, "vmbo"), (make_school("AM38", kind="mbo"), "mbo")])
    figures = figures_by_code(ctx)
    assert figures["AM38"].routes == figures["AM09"].routes == 1
    totals = map_data.map_data(ctx, coverage.selection_filters(), None, YEAR).totals
    assert totals.routes == 1 and totals.regions_with_route == 2


def test_pins_one_per_school_with_its_routes_kinds_and_regions(ctx):
    school = make_school("AM38", name="Pinschool")
    make_region_route("AM38", vmbo=school, kind_code="dlr", title="Route A", profiles=("ZW", "EO"))
    make_region_route("AM38", vmbo=school, kind_code="glr", title="Route B")
    pins = map_data.map_data(ctx, coverage.selection_filters(), None, YEAR).pins
    mine = [p for p in pins if p.name == "Pinschool"]
    assert len(mine) == 1
    pin = mine[0]
    assert pin.kinds == ["dlr", "glr"]
    assert [r.title for r in pin.routes] == ["Route A", "Route B"]
    assert pin.routes[0].profiles == ["EO", "ZW"]
    assert pin.routes[0].regions == [("AM38", "FoodValley")]


def test_schools_without_route_exclude_those_with_one_and_follow_the_region_filter(ctx):
    school = make_school("AM38")
    make_region_route("AM38", vmbo=school)
    selection = coverage.selection_filters(RouteFilters.from_args({"region": "AM38"}))
    rows = coverage.schools_without_route(ctx, selection, None, YEAR)
    assert rows and all(r.code == "AM38" for r in rows)
    assert school.id not in {r.id for r in rows}
    everywhere = coverage.schools_without_route(ctx, coverage.selection_filters(), None, YEAR)
    assert len(everywhere) > len(rows) + 1000  # the real 1,176 vmbo vestigingen
    # The map shows only the count; the rows come from their own endpoint.
    assert coverage.count_schools_without_route(ctx, selection, None, YEAR) == len(rows)
    assert coverage.count_schools_without_route(ctx, coverage.selection_filters(), None, YEAR) == len(everywhere)


def test_trend_from_first_year_with_data_counts_ended_routes_in_their_years(ctx):
    make_region_route("AM38", first_school_year="2021-2022", last_school_year="2022-2023", status="beeindigd",
                      mbo_level_code="2", pupils_per_cohort=7)
    make_region_route("AM38", first_school_year="2022-2023", mbo_level_code="3")
    years = {y.school_year: y for y in coverage_trend.trend(ctx, YEAR)}
    assert min(years) == "2021-2022" and max(years) == NOW
    assert years["2021-2022"].routes == 1 and years["2021-2022"].pupils_in_routes == 7
    assert years["2022-2023"].routes == 2
    assert years["2023-2024"].routes == 1
    assert years[NOW].routes == 1
    assert years["2022-2023"].region_levels["AM38"] == {"2", "3"}
    assert years["2022-2023"].regions_with_kind("dlr") == 1
    only_am09 = coverage_trend.trend(ctx, YEAR, "AM09")
    assert all(y.routes == 0 for y in only_am09)


def test_regions_with_a_route_at_every_level(ctx):
    for level in "1234":
        make_region_route("AM38", mbo_level_code=level)
    for level in "123":
        make_region_route("AM09", mbo_level_code=level)
    now = coverage_trend.trend(ctx, YEAR)[-1]
    assert now.regions_all_levels == 1
    assert now.regions_with_route == 2


def test_region_detail_matrix_and_gaps(ctx):
    school = make_school("AM38", profiles=("ZW", "EO", "PIE"))
    make_region_route("AM38", vmbo=school, profiles=("ZW",), mbo_level_code="2")
    make_region_route("AM38", vmbo=school, profiles=("ZW", "EO"), mbo_level_code="2")
    region = ctx.query(Region).filter_by(code="AM38", year=YEAR).one()
    detail = coverage_region.region_detail(ctx, region)
    assert detail.matrix[("ZW", "2")] == 2 and detail.matrix[("EO", "2")] == 1
    assert ("ZW", "3") not in detail.matrix
    assert "PIE" in detail.gap_profiles and "ZW" not in detail.gap_profiles
    assert detail.gap_levels == ["1", "3", "4"]
    assert school.id not in {s.id for s in detail.schools_without_route}
    assert len(detail.routes) == 2
    assert {(o.name, o.role) for o in detail.organisations} >= {(school.name, "vmbo")}


def test_agreement_figures_of_the_regions_active_routes(ctx):
    from datetime import date, timedelta

    from portal.models import agreement as agreement_model
    today = date.today()
    covered = make_region_route("AM38")
    soon = make_region_route("AM38")
    make_region_route("AM38")  # no agreement
    elsewhere = make_region_route("AM09")

    def agreement(route, end, status="getekend"):
        signed = status == "getekend"
        item = agreement_model.Agreement(title=f"Overeenkomst {route.title}", status=status,
                                         start_date=today - timedelta(days=400), end_date=end, revision=1,
                                         in_force_revision=1 if signed else None,
                                         in_force_start_date=today - timedelta(days=400) if signed else None,
                                         in_force_end_date=end if signed else None)
        item.routes = [route]
        item.in_force_routes = [route] if signed else []
        ctx.add(item)

    agreement(covered, today + timedelta(days=700))
    agreement(soon, today + timedelta(days=30))
    agreement(elsewhere, today + timedelta(days=700))
    agreement(covered, today + timedelta(days=700), status="concept")
    ctx.flush()
    region = ctx.query(Region).filter_by(code="AM38", year=YEAR).one()
    assert coverage_region.agreement_figures(ctx, region) == {"signed": 2, "expiring": 1, "missing": 1}
    # as the region page asks: with the selected routes it has read
    detail = coverage_region.region_detail(ctx, region)
    assert coverage_region.agreement_figures(ctx, region, None, detail.route_ids) == \
        {"signed": 2, "expiring": 1, "missing": 1}
