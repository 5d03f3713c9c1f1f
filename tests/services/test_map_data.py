"""The map's one-pass figures (services/map_data) agree with the SQL of
services/coverage (which the GeoJSON, exports and dashboard keep using) and
with a straightforward reading of the pins, on generated national-style data
plus the edge cases of the region rule, for several selections and users."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.devdata.generator import generate
from portal.models import LearningRoute, Organisation, Region, RouteParty, route_profiles
from portal.services.coverage import figures as coverage
from portal.services.coverage import map_data
from portal.services.learning_routes.filters import RouteFilters, filtered_routes, route_region_pairs
from tests.conftest import DATA_DIR
from tests.factories import make_organisation, make_route, make_user
from tests.factories_map import make_region_route, make_school

YEAR = 2025
SELECTIONS = [
    {}, {"level": "2"}, {"profile": "ZW"}, {"kind": "leerlab"}, {"region": "AM38"},
    {"region": ["AM38", "AM09"], "kind": ["dlr", "glr"]}, {"status": ["actief", "beeindigd"]},
    {"status": "concept"}, {"q": "zorg"},
]


@pytest.fixture
def data(db_session, reference_data):
    generate(db_session, scale=0.05, seed=5, data_dir=DATA_DIR)
    # The edge cases of the region rule, beside the generated routes:
    # a leerlab without vmbo party lies in the regions of its other parties;
    lab_mbo, employer = make_school("AM09", kind="mbo"), make_school("AM38", kind="employer")
    make_route(kind_code="leerlab", mbo_level_code=None, parties=[(lab_mbo, "mbo"), (employer, "employer")])
    # a vmbo school without a gemeente has no region, and its route none either;
    nowhere = make_organisation("vmbo", name="Zonder gemeente", municipality_id=None, lat=52.1, lon=5.1)
    make_route(parties=[(nowhere, "vmbo"), (make_school("AM38", kind="mbo"), "mbo")])
    # a route of two vmbo schools in two regions counts in both, once nationally.
    make_route(parties=[(make_school("AM38"), "vmbo"), (make_school("AM01"), "vmbo"),
                        (make_school("AM01", kind="mbo"), "mbo")])
    make_region_route("AM38", status="concept")
    db_session.flush()
    return db_session


def reference_pins(session, filters, user, year):
    """The pins read the straightforward way: per school its routes (title
    order) with their profielen and regions."""
    ids = list(session.scalars(filtered_routes(filters, user, year).with_only_columns(LearningRoute.id)))
    routes = {r.id: r for r in session.execute(
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id))}
    order = list(routes)
    profiles: dict[int, list[str]] = {}
    for route_id, code in session.execute(select(route_profiles.c.route_id, route_profiles.c.profile_code)
                                          .where(route_profiles.c.route_id.in_(ids))
                                          .order_by(route_profiles.c.profile_code)):
        profiles.setdefault(route_id, []).append(code)
    pairs = route_region_pairs(year, ids)
    regions: dict[int, list[tuple[str, str]]] = {}
    for route_id, code, name in session.execute(select(pairs.c.route_id, Region.code, Region.name)
                                                .join(Region, Region.id == pairs.c.region_id)
                                                .order_by(Region.code)):
        regions.setdefault(route_id, []).append((code, name))
    pins = []
    for school in session.execute(
            select(Organisation.id, Organisation.name, Organisation.city, Organisation.lat, Organisation.lon)
            .where(Organisation.lat.is_not(None), Organisation.lon.is_not(None), Organisation.id.in_(
                select(RouteParty.organisation_id).where(RouteParty.role == "vmbo", RouteParty.route_id.in_(ids))))
            .order_by(Organisation.name, Organisation.id)):
        linked = sorted(session.scalars(select(RouteParty.route_id).where(
            RouteParty.organisation_id == school.id, RouteParty.role == "vmbo", RouteParty.route_id.in_(ids))),
            key=order.index)
        pins.append((school.name, school.city, school.lat, school.lon, [
            (r, routes[r].title, routes[r].kind_code, routes[r].mbo_level_code, profiles.get(r, []),
             regions.get(r, [])) for r in linked]))
    return pins


def figure_values(f):
    return (f.code, f.routes, f.by_kind, f.levels, f.pupils_in_routes, f.vmbo_schools, f.vmbo_schools_with_route,
            f.vmbo_pupils, f.mbo_institutions, f.profiles_offered, f.route_profiles)


@pytest.mark.parametrize("args", SELECTIONS, ids=[str(a) for a in SELECTIONS])
@pytest.mark.parametrize("role", [None, "staff"])
def test_the_map_pass_agrees_with_the_sql_figures_and_the_plain_pins(data, args, role):
    session = data
    user = make_user(role) if role else None
    selection = coverage.selection_filters(RouteFilters.from_args(args))
    result = map_data.map_data(session, selection, user, YEAR, route_limit=7)

    expected = coverage.region_figures(session, selection, user, YEAR)
    assert [figure_values(f) for f in result.figures] == [figure_values(f) for f in expected]

    selected = filtered_routes(selection, user, YEAR).subquery()
    by_kind = dict(session.execute(select(selected.c.kind_code, func.count()).group_by(selected.c.kind_code)).all())
    pupils = session.scalar(select(func.coalesce(func.sum(selected.c.pupils_per_cohort), 0))) or 0
    assert result.totals.by_kind == by_kind
    assert result.totals.routes == sum(by_kind.values())
    assert result.totals.pupils_in_routes == pupils
    assert result.totals.regions == len(expected)
    assert result.totals.regions_with_route == sum(1 for f in expected if f.routes)
    assert result.totals.schools_with_route == sum(f.vmbo_schools_with_route for f in expected)

    pins = [(p.name, p.city, p.lat, p.lon, [(r.id, r.title, r.kind, r.level, r.profiles, r.regions)
                                             for r in p.routes]) for p in result.pins]
    assert pins == reference_pins(session, selection, user, YEAR)

    assert result.without_count == len(coverage.schools_without_route(session, selection, user, YEAR))
    first = session.execute(filtered_routes(selection, user, YEAR).with_only_columns(LearningRoute.id)
                            .order_by(LearningRoute.title, LearningRoute.id).limit(7)).scalars().all()
    assert [r.id for r in result.routes] == first


def test_the_generated_data_exercises_the_comparison(data):
    """The comparison above means something only if the selection has many
    routes in several regions, shared schools and the leerlab rule."""
    result = map_data.map_data(data, coverage.selection_filters(), None, YEAR)
    assert result.totals.routes > 30 and result.totals.regions_with_route > 10
    assert any(len(p.routes) > 1 for p in result.pins)
    assert any(len(r.regions) > 1 for p in result.pins for r in p.routes)
    lab = [f for f in result.figures if f.code == "AM09"][0]
    assert lab.by_kind.get("leerlab", 0) >= 1
    assert result.without_count > 0
