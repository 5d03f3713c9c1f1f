"""Issue 20 §2: one definition of "actief in schooljaar X" everywhere. A route
whose status is actief but whose last school year has passed ("afgelopen"),
and one that starts next year, count nowhere as active and do not show
"Actief"; the labels follow the state; concept agreements are not public."""
import csv
import io
import json
import re

import pytest

from portal.domain.school_year import current_school_year, shift_school_year
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_map import make_region_route, make_school

NOW = current_school_year()
LAST_YEAR = shift_school_year(NOW, -1)
NEXT_YEAR = shift_school_year(NOW, 1)


@pytest.fixture
def routes(db_session, reference_data):
    school = make_school("AM38", name="Statusschool Ede")
    running = make_region_route("AM38", vmbo=school, title="Lopende route", first_school_year=LAST_YEAR,
                                last_school_year=NOW, kind_code="dlr")
    ended = make_region_route("AM38", vmbo=school, title="Verlopen route", first_school_year="2020-2021",
                              last_school_year=LAST_YEAR, kind_code="dlr")
    later = make_region_route("AM38", vmbo=school, title="Latere route", first_school_year=NEXT_YEAR,
                              kind_code="glr")
    return running, ended, later


def _home(client):
    return re.search(r'data-figure="active-routes">([^<]*)<', client.get("/").get_data(as_text=True)).group(1)


def _map(client):
    return re.search(r'data-counter="routes">([^<]*)<', client.get("/kaart/").get_data(as_text=True)).group(1)


def _region(client):
    return re.search(r'data-figure="routes">([^<]*)<', client.get("/regio/AM38").get_data(as_text=True)).group(1)


def _region_index(client):
    html = client.get("/regio/").get_data(as_text=True)
    row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*?/regio/AM38(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    return re.findall(r'<td class="num"[^>]*>([^<]*)<', row)[0]


def _dashboard(client):
    return re.search(r'data-goal="routes">([^<]*)<', client.get("/kaart/dashboard").get_data(as_text=True)).group(1)


def _api_regions(client):
    body = json.loads(client.get("/api/v1/regions.geojson").data)
    return str(next(f for f in body["features"] if f["id"] == "AM38")["properties"]["active_routes"])


def _api_routes(client):
    return str(json.loads(client.get("/api/v1/routes?status=actief&region=AM38").data)["total"])


def _route_list(client):
    html = client.get("/leerroutes/?status=actief&region=AM38").get_data(as_text=True)
    return re.search(r'id="results-heading"[^>]*>([0-9.]+) leerroute', html).group(1)


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def _region_export(client):
    rows = _csv(client.get("/kaart/regio-export.csv"))
    return next(r for r in rows if r[0] == "AM38")[rows[0].index("Leerroutes")]


def _dashboard_export(client):
    rows = _csv(client.get("/kaart/dashboard-export.csv"))
    return next(r for r in rows if r[0] == NOW)[7]


def _route_export(client):
    rows = _csv(client.get("/leerroutes/export.csv?region=AM38&status=actief"))
    return str(len(rows) - 1)


PLACES = {"home": _home, "kaart": _map, "regio": _region, "regio-index": _region_index, "dashboard": _dashboard,
          "api-regions": _api_regions, "api-routes": _api_routes, "route-list": _route_list,
          "region-export": _region_export, "dashboard-export": _dashboard_export, "route-export": _route_export}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_every_place_counts_only_the_route_active_this_school_year(client, routes, place):
    assert PLACES[place](client) == "1"


@pytest.mark.parametrize("place", sorted(PLACES))
def test_control_the_same_route_counts_again_once_its_span_includes_this_year(client, routes, db_session, place):
    """Without the span in the rule, the passed route would count: make it run
    until now and every place counts it."""
    routes[1].last_school_year = None
    db_session.flush()
    assert PLACES[place](client) == "2"


def test_home_and_map_give_the_same_count(client, routes):
    assert _home(client) == _map(client) == "1"


def test_route_list_shows_afgelopen_not_actief_and_can_filter_on_it(client, routes):
    html = client.get("/leerroutes/?region=AM38").get_data(as_text=True)
    rows = {title: row for row in html.split("<tr>")[1:]
            for title in ("Lopende route", "Verlopen route", "Latere route") if title in row}
    assert "Actief</span>" in rows["Lopende route"]
    assert "Afgelopen</span>" in rows["Verlopen route"] and "Actief</span>" not in rows["Verlopen route"]
    assert "Actief vanaf later schooljaar</span>" in rows["Latere route"]
    # the facet counts states, not stored statuses
    assert re.search(r'id="fc-status-actief">\(1\)<', html)
    assert re.search(r'id="fc-status-afgelopen">\(1\)<', html)
    ended = client.get("/leerroutes/?region=AM38&status=afgelopen").get_data(as_text=True)
    assert "Verlopen route" in ended and "Lopende route" not in ended


def test_route_page_says_afgelopen_and_the_region_words_follow_the_state(client, routes):
    running, ended, later = routes
    html = client.get(f"/leerroutes/{ended.id}").get_data(as_text=True)
    assert re.search(r"<dt>Status</dt><dd>Afgelopen", html)
    assert "liep in arbeidsmarktregio: FoodValley" in html
    assert "actief in arbeidsmarktregio" not in html
    html = client.get(f"/leerroutes/{running.id}").get_data(as_text=True)
    assert "actief in arbeidsmarktregio: FoodValley" in html
    html = client.get(f"/leerroutes/{later.id}").get_data(as_text=True)
    assert "straks actief in arbeidsmarktregio: FoodValley" in html


@pytest.mark.parametrize("status, words", [("concept", "concept in arbeidsmarktregio"),
                                           ("voorbereiding", "in voorbereiding in arbeidsmarktregio"),
                                           ("beeindigd", "liep in arbeidsmarktregio")])
def test_region_words_follow_the_status(client, db_session, reference_data, status, words):
    route = make_region_route("AM38", title="Woordenroute", status=status)
    login_as(client, make_user("staff"))
    html = client.get("/leerroutes/?region=AM38").get_data(as_text=True)
    assert f"{words}: FoodValley" in html
    assert "actief in arbeidsmarktregio: FoodValley" not in html.replace(f"{words}: FoodValley", "")
    assert f"{words}: FoodValley" in client.get(f"/leerroutes/{route.id}").get_data(as_text=True)


def test_api_and_route_export_carry_the_state(client, routes):
    items = json.loads(client.get("/api/v1/routes?region=AM38").data)["items"]
    assert {i["title"]: (i["status"], i["state"]) for i in items} == {
        "Lopende route": ("actief", "actief"), "Verlopen route": ("actief", "afgelopen"),
        "Latere route": ("actief", "start_later")}
    rows = _csv(client.get("/leerroutes/export.csv?region=AM38"))
    stand = {r[rows[0].index("titel")]: r[rows[0].index("stand")] for r in rows[1:]}
    assert stand == {"Lopende route": "Actief", "Verlopen route": "Afgelopen",
                     "Latere route": "Actief vanaf later schooljaar"}


# --- concept agreements are not public ------------------------------------------

@pytest.fixture
def concept_agreement(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo, title="Geheime conceptovereenkomst")
    return agreement, route, vmbo_user


@pytest.mark.parametrize("who, sees", [("anonymous", False), ("reader", False), ("outsider", False),
                                       ("party", True), ("staff", True)])
def test_concept_agreement_is_hidden_from_the_public(client, concept_agreement, who, sees):
    agreement, route, party = concept_agreement
    user = {"anonymous": None, "reader": make_user("reader"), "outsider": make_user("coordinator"),
            "party": party, "staff": make_user("staff")}[who]
    login_as(client, user)
    listing = client.get("/overeenkomsten/").get_data(as_text=True)
    assert ("Geheime conceptovereenkomst" in listing) is sees
    route_page = client.get(f"/leerroutes/{route.id}").get_data(as_text=True)
    assert ("Geheime conceptovereenkomst" in route_page) is sees
    assert client.get(f"/overeenkomsten/{agreement.id}").status_code == (200 if sees else 404)


def test_control_a_sent_agreement_is_public(client, concept_agreement, db_session):
    from portal.services.agreements import lifecycle
    agreement, route, party = concept_agreement
    lifecycle.send_for_signature(db_session, agreement, party)
    db_session.flush()
    login_as(client, None)
    assert "Geheime conceptovereenkomst" in client.get("/overeenkomsten/").get_data(as_text=True)
    assert "Geheime conceptovereenkomst" in client.get(f"/leerroutes/{route.id}").get_data(as_text=True)
    assert client.get(f"/overeenkomsten/{agreement.id}").status_code == 200
