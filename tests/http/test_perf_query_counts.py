"""SQL queries per page stay constant as the data grows (no N+1).

Every main page is requested on a small generated data set and on one ten
times larger; the number of SQL statements must not grow. The small set is
smaller than a list page, the large one fills it, so a query per listed row
shows up as a difference. Every page must answer 200 on both.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.devdata.generator import SYNTHETIC_DOMAIN, generate
from portal.extensions import db
from portal.models import LearningRoute, User
from tests.conftest import DATA_DIR, ConnectionBoundSession, count_queries, login_as

SMALL, LARGE = 0.005, 0.05
SEED = 9

# name -> (URL template, needs login as staff)
PAGES: dict[str, tuple[str, bool]] = {
    "home": ("/", False),
    "map": ("/kaart/", False),
    "dashboard": ("/kaart/dashboard", False),
    "regions_geojson": ("/api/v1/regions.geojson?profile={profile}&level={level}", False),
    "api_routes": ("/api/v1/routes?status=actief", False),
    "region_list": ("/regio/", False),
    "region": ("/regio/{region}", False),
    "route_list": ("/leerroutes/?kind={kind}&level={level}&status={status}&domain={domain}", False),
    "route_list_all": ("/leerroutes/", False),
    "route": ("/leerroutes/{route}", False),
    "route_outcomes": ("/leerroutes/{route}/uitkomsten", True),
    "library_search": ("/bibliotheek/?q={word}", False),
    "library": ("/bibliotheek/", False),
    "practice": ("/bibliotheek/{practice}", False),
    "agreement_list": ("/overeenkomsten/", True),
    "agreement": ("/overeenkomsten/{agreement}", True),
    "agreement_public": ("/overeenkomsten/{agreement}", False),
    "targets": ("/beheer/doelen/", True),
    "import_runs": ("/beheer/imports/", True),
    "report_index": ("/kaart/rapportage/", False),
    "year_report": ("/kaart/rapportage/{school_year}", False),
    "year_report_xlsx": ("/kaart/rapportage/{school_year}/rapport.xlsx", False),
    "year_report_print": ("/kaart/rapportage/{school_year}/afdrukken", False),
}


def _busiest(session, column, *where):
    row = session.execute(select(column, func.count()).where(*where).group_by(column)
                          .order_by(func.count().desc(), column).limit(1)).first()
    return row[0] if row else None


def _url_values(session) -> dict:
    from portal.models import LearningRoute, MunicipalityRegion, Organisation, Region, RouteParty
    from portal.models.agreement import AgreementParty
    from portal.models.practice import GoodPractice, practice_organisations
    public = (LearningRoute.archived_at.is_(None), LearningRoute.status != "concept",
              LearningRoute.is_demo.is_(True))
    combo = session.execute(
        select(LearningRoute.kind_code, LearningRoute.mbo_level_code, LearningRoute.status,
               LearningRoute.mbo_domain_code, func.count())
        .where(*public).group_by(LearningRoute.kind_code, LearningRoute.mbo_level_code,
                                 LearningRoute.status, LearningRoute.mbo_domain_code)
        .order_by(func.count().desc(), LearningRoute.kind_code, LearningRoute.mbo_level_code,
                  LearningRoute.status, LearningRoute.mbo_domain_code).limit(1)).one()
    year = session.scalar(select(func.max(Region.year)))
    region = _busiest(
        session, Region.code,
        Region.id == MunicipalityRegion.region_id, MunicipalityRegion.year == year,
        Organisation.municipality_id == MunicipalityRegion.municipality_id,
        RouteParty.organisation_id == Organisation.id, RouteParty.role == "vmbo",
        LearningRoute.id == RouteParty.route_id, *public)
    from portal.models import route_profiles
    # A word that finds something in both data sets (an empty result skips the facet queries).
    title = session.scalar(select(GoodPractice.title).where(GoodPractice.status == "gepubliceerd")
                           .order_by(GoodPractice.id).limit(1))
    from portal.domain.school_year import current_school_year
    return {
        "school_year": current_school_year(),
        "word": title.split()[0].lower(),
        "kind": combo[0], "level": combo[1], "status": combo[2], "domain": combo[3],
        "region": region,
        "profile": _busiest(session, route_profiles.c.profile_code),
        "route": _busiest(session, RouteParty.route_id, LearningRoute.id == RouteParty.route_id, *public),
        "agreement": _busiest(session, AgreementParty.agreement_id),
        "practice": _busiest(session, practice_organisations.c.practice_id,
                             GoodPractice.id == practice_organisations.c.practice_id,
                             GoodPractice.status == "gepubliceerd"),
    }


def _measure(app, connection, values: dict) -> dict[str, tuple[int, int, str]]:
    """name -> (status, queries, url): the statements of one request, counted
    on the connection that holds the generated data set (this module's own,
    not the per-test db_session's)."""
    staff_user = db.session.scalar(select(User).where(User.email == f"programma@{SYNTHETIC_DOMAIN}"))
    anonymous, staff = app.test_client(), login_as(app.test_client(), staff_user)
    results = {}
    for name, (template, logged_in) in PAGES.items():
        url = template.format(**values)
        client = staff if logged_in else anonymous
        client.get(url)  # warm: session start, caches
        with count_queries(connection) as statements:
            response = client.get(url)
        results[name] = (response.status_code, len(statements), url)
    return results


@pytest.fixture(scope="module")
def measurements(app, reference_data):
    """Query counts per page on the small and on the large data set, each
    generated in a transaction that is rolled back afterwards."""
    results = {}
    with app.app_context():
        original = db.session
        try:
            for label, scale in (("small", SMALL), ("large", LARGE)):
                connection = db.engine.connect()
                transaction = connection.begin()
                db.session = db._make_scoped_session(
                    {"bind": connection, "join_transaction_mode": "create_savepoint",
                     "class_": ConnectionBoundSession})
                try:
                    app.config["WTF_CSRF_ENABLED"] = False
                    generate(db.session, scale=scale, seed=SEED, data_dir=DATA_DIR)
                    db.session.flush()
                    values = _url_values(db.session)
                    results[label] = _measure(app, connection, values)
                    results[label + "_public_routes"] = db.session.scalar(
                        select(func.count(LearningRoute.id)).where(
                            LearningRoute.archived_at.is_(None), LearningRoute.status != "concept"))
                finally:
                    db.session.remove()
                    transaction.rollback()
                    connection.close()
        finally:
            db.session = original
    return results


@pytest.mark.parametrize("page", list(PAGES))
def test_queries_per_page_do_not_grow_with_the_data(measurements, page):
    small_status, small, url_small = measurements["small"][page]
    large_status, large, url_large = measurements["large"][page]
    assert small_status == 200, f"{url_small} answered {small_status}"
    assert large_status == 200, f"{url_large} answered {large_status}"
    assert large <= small, (
        f"{page}: {small} queries on the small data set, {large} on the ten times larger one "
        f"({url_small} / {url_large}): a query per row (N+1)?")


def test_the_small_set_fits_one_list_page_and_the_large_one_does_not(app, measurements):
    """The comparison finds a query per row only if the large set shows more rows."""
    page_size = app.config["PAGE_SIZE"]
    assert measurements["small_public_routes"] < page_size < measurements["large_public_routes"]
    for name, (status, queries, url) in measurements["large"].items():
        print(f"{name:18} {measurements['small'][name][1]:3} -> {queries:3} queries  {status}  {url}")
