"""The demo routes: the real examples as routes, several regions and school years, safe to rerun."""
from sqlalchemy import func, select

from portal.models import LearningRoute
from portal.services.learning_routes.listing import regions_for_routes
from portal.services.reference.boundaries import current_region_year
from seeds.demo import seed_demo
from seeds.demo_routes import DEMO_ROUTES


def test_demo_routes_are_seeded_once_with_the_real_examples(db_session, reference_data):
    seed_demo(db_session)
    count = db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.is_demo.is_(True)))
    seed_demo(db_session)
    assert db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.is_demo.is_(True))) == count
    assert count == len(DEMO_ROUTES)
    routes = {r.title: r for r in db_session.scalars(select(LearningRoute).where(LearningRoute.is_demo.is_(True)))}
    perron = routes["Het Perron GLR Helpende Zorg en Welzijn"]
    assert perron.kind_code == "glr" and perron.status == "voorbereiding"
    assert [o.vestigingscode for o in perron.organisations("vmbo")] == ["02MF00"]
    assert routes["Talentontwikkeling Techniek"].kind_code == "technologie"
    assert routes["Profijt Achterhoek"].kind_code == "dlr"
    assert routes["Technologie & Toepassing"].kind_code == "leerlab"
    assert sum(r.status == "actief" for r in routes.values()) >= 10
    regions = regions_for_routes(db_session, [r.id for r in routes.values()], current_region_year(db_session))
    codes = {g.code for rs in regions.values() for g in rs}
    assert {"AM38", "AM23", "AM35", "AM32", "AM09"} <= codes
    assert len({r.first_school_year for r in routes.values()}) >= 6


def test_demo_dlrs_are_actief_only_under_a_signed_agreement(db_session, reference_data):
    """Issue 4 in the demo data: every DLR/GLR the demo means to run is actief,
    and a signed agreement valid this school year covers it."""
    from portal.models.agreement import Agreement, agreement_routes
    from portal.services.agreements.queries import activation_errors, activation_school_year

    seed_demo(db_session)
    routes = {r.title: r for r in db_session.scalars(select(LearningRoute).where(LearningRoute.is_demo.is_(True)))}
    meant = [s["title"] for s in DEMO_ROUTES if s["status"] == "actief" and s["kind"] in ("dlr", "glr")]
    assert len(meant) >= 5
    for title in meant:
        route = routes[title]
        assert route.status == "actief", title
        assert activation_errors(db_session, route, activation_school_year(route.first_school_year)) == [], title
        statuses = db_session.scalars(select(Agreement.status).join(
            agreement_routes, agreement_routes.c.agreement_id == Agreement.id)
            .where(agreement_routes.c.route_id == route.id))
        assert "getekend" in set(statuses), title
