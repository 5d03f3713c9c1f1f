"""The picker's search (/zoeken/organisaties, /zoeken/leerroutes): what it
matches, how it tells organisations apart, its limit, bad input, and that it
shows no route a user may not see. The organisations here are synthetic
(made by the factories), with invented names and codes."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from portal.models import Organisation
from tests.conftest import login_as
from tests.factories import make_organisation, make_route, make_user

HTMX = {"HX-Request": "true"}


def search(client, q, kind="", field="org", **extra):
    response = client.get("/zoeken/organisaties", query_string={"q": q, "kind": kind, "field": field, **extra},
                          headers=HTMX)
    assert response.status_code == 200, response.status_code
    return html_lib.unescape(response.get_data(as_text=True))


def option_ids(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'role="option"[^>]*data-value="(\d+)"', html)]


def status_of(html: str) -> str:
    match = re.search(r'<span id="[^"]+-status" hx-swap-oob="innerHTML">(.*?)</span>', html, re.S)
    assert match, html
    return match.group(1).strip()


@pytest.fixture
def orgs(db_session):
    """Synthetic organisations: two schools named alike in different places,
    an mbo institution, an employer and another partner."""
    return {
        "a": make_organisation("vmbo", "Kwartelhof College", city="Synthetisch Noord", brin="99QQ",
                               vestigingsnummer="01", vestigingscode="99QQ01"),
        "b": make_organisation("vmbo", "Kwartelhof College", city="Synthetisch Zuid", brin="99QQ",
                               vestigingsnummer="02", vestigingscode="99QQ02"),
        "c": make_organisation("vmbo", "Scholengroep De Kwartelhof", city="Synthetisch Noord", brin="98QQ",
                               vestigingsnummer="00", vestigingscode="98QQ00"),
        "mbo": make_organisation("mbo", "Kwartelhof Vakcollege", city="Synthetisch Noord", brin="97QQ"),
        "employer": make_organisation("employer", "Kwartelhof Installatietechniek BV", city="Synthetisch West"),
        "other": make_organisation("other", "Stichting Kwartelhof Regio", city="Synthetisch West"),
    }


def test_a_name_prefix_comes_before_a_match_inside_the_name(client, orgs):
    ids = option_ids(search(client, "kwartelhof", kind="vmbo"))
    assert ids == [orgs["a"].id, orgs["b"].id, orgs["c"].id]  # "De Kwartelhof" only contains it


def test_every_word_must_match_so_name_and_place_pick_one_school(client, orgs):
    assert option_ids(search(client, "kwartelhof zuid", kind="vmbo")) == [orgs["b"].id]


@pytest.mark.parametrize("q, expected", [("99qq02", "b"), ("98QQ00", "c"), ("97qq", "mbo")])
def test_codes_match_exactly_whatever_the_case(client, orgs, q, expected):
    assert option_ids(search(client, q)) == [orgs[expected].id]


def test_a_brin_finds_every_vestiging_of_it(client, orgs):
    assert set(option_ids(search(client, "99QQ", kind="vmbo"))) == {orgs["a"].id, orgs["b"].id}


def test_the_place_matches(client, orgs):
    assert set(option_ids(search(client, "Synthetisch West"))) == {orgs["employer"].id, orgs["other"].id}


def test_a_code_match_comes_first(client, db_session, orgs):
    named = make_organisation("vmbo", "99QQ01 Synthetisch Instituut", city="Elders")
    ids = option_ids(search(client, "99QQ01", kind="vmbo"))
    assert ids == [orgs["a"].id, named.id]


@pytest.mark.parametrize("kind, expected", [
    ("vmbo", {"a", "b", "c"}), ("mbo", {"mbo"}), ("employer", {"employer", "other"}),
    ("", {"a", "b", "c", "mbo", "employer", "other"})])
def test_the_kind_limits_the_options(client, orgs, kind, expected):
    assert set(option_ids(search(client, "kwartelhof", kind=kind))) == {orgs[k].id for k in expected}


def test_each_option_says_which_one_it_is(client, orgs):
    html = search(client, "kwartelhof college", kind="vmbo", field="vmbo_parties")
    assert f'id="vmbo_parties-optie-{orgs["a"].id}"' in html
    assert "Vmbo-vestiging · Synthetisch Noord · vestigingscode 99QQ01" in html
    assert "Vmbo-vestiging · Synthetisch Zuid · vestigingscode 99QQ02" in html
    mbo = search(client, "kwartelhof vakcollege")
    assert "Mbo-instelling · Synthetisch Noord · BRIN 97QQ" in mbo


def test_the_live_region_counts_the_results(client, orgs):
    assert status_of(search(client, "kwartelhof", kind="vmbo")) == "3 resultaten gevonden."
    assert status_of(search(client, "kwartelhof zuid", kind="vmbo")) == "1 resultaat gevonden."
    assert status_of(search(client, "geen-zulke-naam-xyz")).startswith("Niets gevonden")
    assert status_of(search(client, "   ")) == ""
    assert option_ids(search(client, "")) == []


def test_at_most_twenty_options_and_a_hint_to_type_more(client, db_session):
    for n in range(25):
        make_organisation("employer", f"Synthetisch Leerbedrijf Reiger {n:02d}", city="Nergenshuizen")
    html = search(client, "reiger", kind="employer")
    assert len(option_ids(html)) == 20
    assert status_of(html).startswith("Meer dan 20 resultaten")


def test_the_real_schools_are_searchable_at_national_size(client, reference_data):
    """Among the 1,176 real vmbo vestigingen a name shared by several is told apart by place and code."""
    html = search(client, "college", kind="vmbo")
    assert len(option_ids(html)) == 20 and status_of(html).startswith("Meer dan 20")
    details = re.findall(r'<span class="option-details">(.*?)</span>', html)
    assert all("vestigingscode" in d for d in details)
    assert len(set(details)) == len(details)


@pytest.mark.parametrize("args", [
    {"q": "x", "kind": "gemeente", "field": "org"},
    {"q": "x", "kind": "vmbo", "field": ""},
    {"q": "x", "kind": "vmbo", "field": "9start-with-a-digit"},
    {"q": "x", "kind": "vmbo", "field": '"><script>'},
    {"q": "x", "kind": "vmbo", "field": "a" * 200},
])
def test_a_tampered_request_is_a_400(client, orgs, args):
    assert client.get("/zoeken/organisaties", query_string=args, headers=HTMX).status_code == 400


def test_a_control_character_is_refused_in_dutch_not_searched(client, orgs):
    html = search(client, "kwartel\u202ehof")  # a bidi control (NUL is refused for the whole app)
    assert option_ids(html) == []
    assert status_of(html) and "Niets gevonden" not in status_of(html)


def test_a_very_long_query_is_cut_not_an_error(client, orgs):
    assert option_ids(search(client, "kwartelhof " * 500)) != []


def test_the_options_carry_no_email(client, orgs, db_session):
    make_user("coordinator", organisation=orgs["a"], email="geheim.adres@example.org")
    html = search(client, "kwartelhof")
    assert "@" not in html


@pytest.mark.skipif(not hasattr(Organisation, "kvk_number"), reason="the KvK column arrives with the organisation pages")
def test_the_kvk_number_matches(client, db_session):
    org = make_organisation("employer", "Synthetisch Bedrijf Zonder Naamgelijkenis", kvk_number="99887766")
    html = search(client, "99887766")
    assert option_ids(html) == [org.id] and "KvK 99887766" in html


@pytest.mark.skipif(not hasattr(Organisation, "is_funded"), reason="funding arrives with the mbo import")
def test_funded_mbo_institutions_come_first(client, db_session):
    private = make_organisation("mbo", "Synthetisch Opleidingen Grutto", is_funded=False)
    funded = make_organisation("mbo", "Synthetisch Opleidingen Grutto", is_funded=True)
    assert option_ids(search(client, "grutto", kind="mbo")) == [funded.id, private.id]


# --- routes -------------------------------------------------------------------

def route_search(client, q, scope="voorbeeld"):
    response = client.get("/zoeken/leerroutes", query_string={"q": q, "voor": scope, "field": "route_ids"},
                          headers=HTMX)
    assert response.status_code == 200
    return option_ids(response.get_data(as_text=True))


@pytest.fixture
def routes(db_session):
    school = make_organisation("vmbo", "Synthetische School Ooievaar", city="Synthetisch Oost")
    mbo = make_organisation("mbo", "Synthetisch Mbo Ooievaar")
    own = make_route([(school, "vmbo"), (mbo, "mbo")], title="Ooievaarroute zorg", status="concept")
    public = make_route(title="Ooievaarroute techniek", status="actief", crebo="99123")
    archived = make_route(title="Ooievaarroute gearchiveerd", status="actief")
    from datetime import UTC, datetime
    archived.archived_at = datetime.now(UTC)
    return {"school": school, "own": own, "public": public, "archived": archived}


def test_the_public_finds_published_routes_only(client, routes):
    login_as(client, None)
    assert route_search(client, "ooievaarroute") == [routes["public"].id]


def test_a_party_coordinator_also_finds_their_concept(client, routes):
    login_as(client, make_user("coordinator", organisation=routes["school"]))
    assert set(route_search(client, "ooievaarroute")) == {routes["own"].id, routes["public"].id}


def test_another_coordinator_does_not_see_the_concept(client, routes):
    login_as(client, make_user("coordinator"))
    assert route_search(client, "ooievaarroute") == [routes["public"].id]


def test_routes_match_by_crebo_and_by_a_school_of_the_route(client, routes):
    login_as(client, make_user("coordinator", organisation=routes["school"]))
    assert route_search(client, "99123") == [routes["public"].id]
    assert route_search(client, "ooievaar oost") == [routes["own"].id]


def test_an_agreement_offers_only_the_routes_of_ones_own_organisation(client, routes):
    login_as(client, make_user("coordinator", organisation=routes["school"]))
    assert route_search(client, "ooievaarroute", "overeenkomst") == [routes["own"].id]
    login_as(client, make_user("staff", organisation=None))
    assert route_search(client, "ooievaarroute", "overeenkomst") == []
    assert set(route_search(client, "ooievaarroute")) == {routes["own"].id, routes["public"].id}


def test_an_unknown_route_scope_is_a_400(client, routes):
    assert client.get("/zoeken/leerroutes?q=x&voor=alles&field=r").status_code == 400
