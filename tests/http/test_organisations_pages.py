"""/organisaties (issue 15): the list with search, filters, pages and CSV; an
organisation's page with what the viewer may see; adding a partner from a
party field (htmx contract and the no-JavaScript page); the staff merge."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Organisation, RouteParty
from tests.conftest import login_as
from tests.factories import make_organisation, make_route, make_user
from tests.factories_agreements import agreement_world
from tests.factories_map import municipality_in
from tests.factories_practices import make_practice

HTMX = {"HX-Request": "true"}


@pytest.fixture
def gemeente(db_session, reference_data):
    return municipality_in("AM38")


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_searches_name_brin_vestigingscode_place_and_kvk(client, gemeente):
    make_organisation("employer", name="Zoektest Timmerfabriek", kvk_number="55667788", city="Wageningen",
                      municipality_id=gemeente.id)
    make_organisation("vmbo", name="Zoektest School", brin="98XY", vestigingscode="98XY01", city="Ede")
    for query, expected in (("timmerfab", "Zoektest Timmerfabriek"), ("55667788", "Zoektest Timmerfabriek"),
                            ("98xy01", "Zoektest School"), ("98XY", "Zoektest School")):
        html = _text(client.get("/organisaties/", query_string={"q": query}))
        assert expected in html, query
    html = _text(client.get("/organisaties/", query_string={"q": "55667788"}))
    assert "Zoektest School" not in html  # the control: a search narrows the list


def test_filters_by_kind_region_and_gemeente(client, gemeente):
    make_organisation("employer", name="Filtertest Bedrijf FoodValley", municipality_id=gemeente.id)
    make_organisation("employer", name="Filtertest Bedrijf Elders", municipality_id=municipality_in("AM09").id)
    make_organisation("other", name="Filtertest Gemeente FoodValley", municipality_id=gemeente.id)
    html = _text(client.get("/organisaties/", query_string={"q": "Filtertest", "soort": "employer", "regio": "AM38"}))
    assert "Filtertest Bedrijf FoodValley" in html
    assert "Filtertest Bedrijf Elders" not in html and "Filtertest Gemeente FoodValley" not in html
    html = _text(client.get("/organisaties/", query_string={"q": "Filtertest", "gemeente": gemeente.code}))
    assert "Filtertest Gemeente FoodValley" in html and "Filtertest Bedrijf Elders" not in html


def test_the_list_is_paged_by_25_and_htmx_gets_the_results_only(client, gemeente):
    for n in range(30):
        make_organisation("employer", name=f"Pagina-test {n:02d}", municipality_id=gemeente.id)
    first = _text(client.get("/organisaties/", query_string={"q": "Pagina-test"}))
    assert "30 organisaties, pagina 1 van 2" in first
    assert first.count("Pagina-test ") == 25
    second = client.get("/organisaties/", query_string={"q": "Pagina-test", "pagina": "2"}, headers=HTMX)
    assert _text(second).count("Pagina-test ") == 5 and "<html" not in _text(second)
    assert client.get("/organisaties/", query_string={"q": "Pagina-test", "pagina": "3"}).status_code == 404


def test_the_csv_export_holds_the_filtered_list_formula_safe(client, gemeente):
    make_organisation("employer", name="=HYPERLINK(\"x\") Exporttest", municipality_id=gemeente.id, kvk_number="10203040")
    make_organisation("employer", name="Exporttest Tweede", municipality_id=gemeente.id)
    make_organisation("employer", name="Niet in de export")
    response = client.get("/organisaties/export.csv", query_string={"q": "Exporttest"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["id", "naam", "soort"]
    names = sorted(r[1] for r in rows[1:])
    assert names == ["'=HYPERLINK(\"x\") Exporttest", "Exporttest Tweede"]
    row = next(r for r in rows[1:] if "HYPERLINK" in r[1])
    assert row[5] == "10203040" and row[7] == gemeente.name and row[10] == "AM38"


def test_the_page_shows_what_the_public_may_see(client, db_session, reference_data):
    w = agreement_world(db.session)  # a concept agreement between vmbo and mbo
    mbo = w["mbo"]
    mbo.municipality_id = municipality_in("AM38").id
    public = make_route(parties=[(make_organisation("vmbo"), "vmbo"), (mbo, "mbo")], title="Openbare route")
    make_route(parties=[(make_organisation("vmbo"), "vmbo"), (mbo, "mbo")], title="Geheime conceptroute",
               status="concept")
    make_practice(w["mbo_user"], title="Gepubliceerd voorbeeld", organisation_ids=[mbo.id])
    make_practice(w["mbo_user"], status="concept", title="Voorbeeld in concept", organisation_ids=[mbo.id])
    db.session.flush()
    html = _text(client.get(f"/organisaties/{mbo.id}"))
    assert mbo.name in html and "Mbo-instelling" in html and "FoodValley" in html
    assert f'href="/leerroutes/{public.id}"' in html and "Geheime conceptroute" not in html
    assert "Gepubliceerd voorbeeld" in html and "Voorbeeld in concept" not in html
    assert w["agreement"].title not in html  # a concept agreement
    assert w["mbo_user"].email not in html and "Coördinatoren" not in html
    assert 'id="organisatiekaart-data"' in html and "<script>" not in html
    # logged in: the coordinators; the party also sees its concept route and agreement
    login_as(client, w["mbo_user"])
    html = _text(client.get(f"/organisaties/{mbo.id}"))
    assert w["mbo_user"].email in html and "Geheime conceptroute" in html and w["agreement"].title in html


def test_organisation_names_elsewhere_link_to_their_page(client, db_session, reference_data):
    employer = make_organisation("employer", name="Linktest Leerbedrijf")
    route = make_route(parties=[(make_organisation("vmbo"), "vmbo"), (make_organisation("mbo"), "mbo"),
                                (employer, "employer")])
    assert f'href="/organisaties/{employer.id}"' in _text(client.get(f"/leerroutes/{route.id}"))


def test_an_unknown_organisation_is_a_404(client, db_session):
    assert client.get("/organisaties/987654321").status_code == 404


# --- adding a partner ------------------------------------------------------------

def _post(client, data, headers=None):
    return client.post("/organisaties/nieuw", data=data, headers=headers or {})


def test_htmx_add_from_the_route_form_puts_the_new_employer_in_the_field(client, gemeente):
    login_as(client, make_user("coordinator"))
    opened = client.get("/organisaties/nieuw?veld=employer_parties&terug=/leerroutes/nieuw", headers=HTMX)
    assert 'name="field" type="hidden" value="employer_parties"' in _text(opened) or \
        'value="employer_parties"' in _text(opened)
    response = _post(client, {"kind": "employer", "name": "Htmx Installateur", "kvk_number": "24681357",
                              "municipality": gemeente.code, "website": "", "field": "employer_parties",
                              "next": "/leerroutes/nieuw"}, HTMX)
    assert response.status_code == 200
    org = db.session.scalar(select(Organisation).where(Organisation.kvk_number == "24681357"))
    event = json.loads(response.headers["HX-Trigger"])["organisation-added"]
    assert event == {"id": org.id, "label": "Htmx Installateur", "field": "employer_parties"}
    # The picker of that field chooses it (the event); no out-of-band markup aimed at the fallback, which the
    # picker has replaced (htmx would report a missing target).
    assert "hx-swap-oob" not in _text(response)
    assert org.municipality_id == gemeente.id and org.kind == "employer"


def test_htmx_add_from_the_agreement_parties_selects_the_new_option(client, gemeente):
    login_as(client, make_user("coordinator"))
    response = _post(client, {"kind": "other", "name": "Gemeente-partner Test", "field": "party-102-organisation_id",
                              "municipality": gemeente.code}, HTMX)
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Gemeente-partner Test"))
    assert org.kind == "other"
    event = json.loads(response.headers["HX-Trigger"])["organisation-added"]
    assert event == {"id": org.id, "label": "Gemeente-partner Test", "field": "party-102-organisation_id"}
    assert "hx-swap-oob" not in _text(response)


def test_without_javascript_the_add_page_redirects_back(client, gemeente):
    login_as(client, make_user("coordinator"))
    page = client.get("/organisaties/nieuw?veld=employer_parties&terug=/leerroutes/nieuw")
    assert page.status_code == 200 and "<form" in _text(page) and "Bedrijf of andere partner toevoegen" in _text(page)
    response = _post(client, {"kind": "employer", "name": "Zonder Js Bv", "next": "/leerroutes/nieuw",
                              "field": "employer_parties"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/leerroutes/nieuw")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_the_return_address_is_local_only(client, gemeente, target):
    login_as(client, make_user("coordinator"))
    response = _post(client, {"kind": "employer", "name": f"Redirecttest {len(target)}", "next": target})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


@pytest.mark.parametrize("kind", ["vmbo", "mbo"])
def test_a_coordinator_cannot_create_a_school_or_mbo_institution(client, gemeente, kind):
    login_as(client, make_user("coordinator"))
    count = db.session.scalar(select(func.count(Organisation.id)))
    response = _post(client, {"kind": kind, "name": "Verzonnen School"})
    assert response.status_code == 200 and "referentiegegevens" in _text(response)
    assert db.session.scalar(select(func.count(Organisation.id))) == count


def test_duplicates_kvk_refused_with_a_link_similar_name_asked(client, gemeente):
    existing = make_organisation("employer", name="Schildersbedrijf Rood", kvk_number="13572468",
                                 municipality_id=gemeente.id)
    login_as(client, make_user("coordinator"))
    html = _text(_post(client, {"kind": "employer", "name": "Iets Anders", "kvk_number": "13572468"}))
    assert "Dit KvK-nummer hoort al bij Schildersbedrijf Rood" in html
    assert f'href="/organisaties/{existing.id}"' in html
    html = _text(_post(client, {"kind": "employer", "name": "schildersbedrijf ROOD b.v.", "municipality": gemeente.code}))
    assert "Bestaat mogelijk al: Schildersbedrijf Rood — toch toevoegen?" in html and 'name="confirm_similar"' in html
    assert db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.name == "schildersbedrijf ROOD b.v.")) == 0
    response = _post(client, {"kind": "employer", "name": "schildersbedrijf ROOD b.v.", "municipality": gemeente.code,
                              "confirm_similar": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.name == "schildersbedrijf ROOD b.v.")) == 1


def test_a_bad_kvk_number_is_an_error_at_the_field(client, gemeente):
    login_as(client, make_user("coordinator"))
    html = _text(_post(client, {"kind": "employer", "name": "Kvk Fout", "kvk_number": "1234"}))
    assert re.search(r'id="kvk_number-fout">Een KvK-nummer bestaat uit precies 8 cijfers', html)


# --- merging ----------------------------------------------------------------------

def test_staff_merge_with_a_confirmation_then_old_links_redirect(client, db_session, reference_data):
    kept = make_organisation("employer", name="Samenvoegtest Blijft")
    removed = make_organisation("employer", name="Samenvoegtest Weg")
    route = make_route(parties=[(make_organisation("vmbo"), "vmbo"), (make_organisation("mbo"), "mbo"),
                                (removed, "employer")])
    login_as(client, make_user("staff"))
    confirm = client.post("/beheer/organisaties/samenvoegen", data={"keep": kept.id, "remove": removed.id})
    html = _text(confirm)
    assert "Samenvoegtest Weg</strong> (id" in html and "1 deelnames aan leerroutes" in html
    assert db.session.get(Organisation, removed.id) is not None  # nothing happened yet
    done = client.post("/beheer/organisaties/samenvoegen",
                       data={"keep": kept.id, "remove": removed.id, "confirmed": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/organisaties/{kept.id}")
    db.session.expire_all()
    assert [p.organisation_id for p in db.session.scalars(
        select(RouteParty).where(RouteParty.route_id == route.id, RouteParty.role == "employer"))] == [kept.id]
    old = client.get(f"/organisaties/{removed.id}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/organisaties/{kept.id}")


def test_a_refused_merge_says_why_at_the_field(client, db_session, reference_data):
    school = make_organisation("vmbo", brin="97QQ")
    other = make_organisation("vmbo")
    login_as(client, make_user("staff"))
    response = client.post("/beheer/organisaties/samenvoegen", data={"keep": other.id, "remove": school.id})
    assert response.status_code == 422 and "referentiegegevens" in _text(response)
    assert db.session.get(Organisation, school.id) is not None


def test_the_party_fields_open_the_add_form(client, db_session, reference_data):
    """The route form's employer field and the agreement's new-party field
    link to the add form with their own field name (the htmx panel lands in
    #partner-paneel, outside their form)."""
    w = agreement_world(db.session)
    login_as(client, w["vmbo_user"])
    html = _text(client.get("/leerroutes/nieuw"))
    assert re.search(r'href="/organisaties/nieuw\?veld=employer_parties&amp;terug=/leerroutes/nieuw"', html)
    assert html.index('id="partner-paneel"') > html.index("</form>", html.index('class="form route-form"'))
    html = _text(client.get(f"/overeenkomsten/{w['agreement'].id}/partijen"))
    field = re.search(r'<select id="nieuwe-partij" name="(party-\d+-organisation_id)"', html).group(1)
    assert f"veld={field}" in html and 'id="partner-paneel"' in html
