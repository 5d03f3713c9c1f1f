"""/dekking on a small hand-made world: two provincies, three gemeenten, four
vestigingen (issue 16). The figures on the page, in the exports and in the list
behind each matrix cell are the same."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from portal.models import Municipality, OfferProfileFigure, OfferStatement, Profile, Province
from tests.conftest import login_as
from tests.factories import make_organisation, make_user

SQUARE = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1], [5.0, 52.0]]]}


def _area(db_session, code, name, province, lat):
    m = Municipality(code=code, name=name, province=province, geometry=json.dumps(SQUARE), label_lat=lat,
                     label_lon=5.05)
    db_session.add(m)
    return m


@pytest.fixture
def world(db_session):
    north = Province(code="PV98", name="Testnoord", geometry=json.dumps(SQUARE))
    south = Province(code="PV99", name="Testzuid", geometry=json.dumps(SQUARE))
    db_session.add_all([north, south])
    one, two, three = (_area(db_session, "GM9901", "Eengem", north, 52.05),
                       _area(db_session, "GM9902", "Tweegem", north, 52.3),
                       _area(db_session, "GM9903", "Driegem", south, 51.5))
    db_session.flush()
    schools = {}
    for code, municipality, lat in (("99AA00", one, 52.05), ("99BB00", one, 52.06), ("99CC00", two, 52.3),
                                    ("99DD00", three, 51.5)):
        schools[code] = make_organisation("vmbo", name=f"School {code}", vestigingscode=code, brin=code[:4],
                                          vestigingsnummer="00", municipality_id=municipality.id, lat=lat, lon=5.05,
                                          city=municipality.name)
    rows = [("99AA00", "BB", "ZW", 12, 11), ("99BB00", "KB", "EO", 4, 6), ("99BB00", "KB", "ZW", 0, 0),
            ("99CC00", "TL", None, 30, 30), ("99DD00", "BB", "ZW", 9, 8), ("99DD00", "BB", "HBR", 20, 20)]
    for code, pathway, profile, y3, y4 in rows:
        db_session.add(OfferProfileFigure(vestigingscode=code, school_year="2019-2020", pathway_code=pathway,
                                          profile_code=profile, duo_name=profile or "Techniek", pupils_year3=y3,
                                          pupils_year4=y4))
    db_session.flush()
    return schools


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_page_shows_the_computed_figures(client, world):
    response = client.get("/dekking/")
    assert response.status_code == 200
    body = text(response)
    # Three vestigingen with a beroepsgericht profiel: two with one, one with two (TL only does not count).
    assert "67 % van de vestigingen biedt één profiel aan" in body
    # Zorg en welzijn: Eengem (99AA00) and Driegem; Tweegem has TL only, so 2 of the 2 gemeenten with offer.
    assert "Zorg en welzijn wordt aangeboden in 100 % van de gemeenten met beroepsgericht vmbo-aanbod" in body
    assert "DUO, leerlingen vo per vestiging naar onderwijstype, 1 oktober 2019" in body
    html = response.get_data(as_text=True)
    # The map's gemeente layer: Tweegem (TL only) is "geen aanbod" (grey hatch), never "niet aangeboden".
    data = json.loads(re.search(r'id="[^"]+-gemeenten"[^>]*>(.*?)</script>', html, re.S).group(1))
    classes = {f["id"]: f["properties"]["cls"] for f in data["features"] if f["id"].startswith("GM99")}
    assert classes == {"GM9901": "c3", "GM9902": "nodata", "GM9903": "c3"}


def test_not_offered_is_hatched_and_the_matrix_marks_empty_cells(client, world):
    html = client.get("/dekking/?profiel=HBR").get_data(as_text=True)
    data = json.loads(re.search(r'id="[^"]+-gemeenten"[^>]*>(.*?)</script>', html, re.S).group(1))
    state = {f["id"]: (f["properties"]["cls"], f["properties"]["hatched"]) for f in data["features"]
             if f["id"].startswith("GM99")}
    assert state["GM9901"] == ("c0", True) and state["GM9903"] == ("c3", False)
    provinces = json.loads(re.search(r'id="[^"]+-provincies"[^>]*>(.*?)</script>', html, re.S).group(1))
    labels = {f["id"]: f["properties"]["label"] for f in provinces["features"] if f["id"] in ("PV98", "PV99")}
    assert labels == {"PV98": "0 %", "PV99": "100 %"}
    matrix = html[html.index('id="matrix-tabel"'):]
    matrix = matrix[:matrix.index("</table>")]
    assert 'data-empty="1"' in matrix and "niet aangeboden" in matrix


def test_a_matrix_cell_links_to_its_vestigingen(client, world):
    html = client.get("/dekking/").get_data(as_text=True)
    links = [href.replace("&amp;", "&") for href in re.findall(r'href="(/dekking/vestigingen\?[^"]*)"', html)]
    cell = [href for href in links if "provincie=PV98" in href and "profiel=ZW" in href]
    assert cell, "the cell Testnoord x Zorg en welzijn links to its list"
    listing = client.get(cell[0])
    assert listing.status_code == 200
    body = text(listing)
    assert "School 99AA00" in body and "School 99DD00" not in body and "School 99BB00" not in body
    assert client.get("/dekking/vestigingen?gemeente=GM0000").status_code == 404


def test_small_profielen_and_distances(client, world):
    body = text(client.get("/dekking/?profiel=HBR&km=5"))
    # 99BB00 KB EO (4/6) and 99DD00 BB ZW (9/8) are small; 99AA00's 12/11 is not.
    assert "2 combinaties van de 4 (50 %) is klein" in body
    # Eengem and Tweegem are ~60-90 km from the only HBR offer (Driegem), farthest first.
    rows = re.findall(r"<tr><th scope=\"row\">(\w+gem)</th><td>[^<]*</td><td class=\"num\">([0-9,]+)</td>",
                      client.get("/dekking/?profiel=HBR&km=5").get_data(as_text=True))
    assert [name for name, _ in rows] == ["Tweegem", "Eengem"]
    assert float(rows[0][1].replace(",", ".")) == pytest.approx(89, abs=1)


def test_a_schools_own_newer_statement_is_used_and_said(client, world, db_session):
    statement = OfferStatement(organisation_id=world["99CC00"].id, school_year="2024-2025")
    statement.profiles = [db_session.get(Profile, "HBR")]
    from portal.models import Pathway
    statement.pathways = [db_session.get(Pathway, "KB")]
    db_session.add(statement)
    db_session.flush()
    body = text(client.get("/dekking/?jaar=2024-2025&profiel=HBR"))
    assert "opgave van de school zelf (1 vestiging, nieuwer dan DUO)" in body
    # Tweegem now offers HBR (the statement), so it is no longer "geen aanbod".
    assert "Horeca, bakkerij en recreatie wordt aangeboden in 67 %" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_figure_exports_with_its_filters_and_year(client, world, fmt):
    for name in ("verdeling", "profielen", "provincies", "gemeenten", "klein", "afstand"):
        response = client.get(f"/dekking/export/{name}.{fmt}?profiel=HBR&km=5")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert f"dekking_{name}_2019-2020" in disposition
        if name == "afstand":
            assert "km-5" in disposition and "profiel-HBR" in disposition
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
        else:
            sheet = load_workbook(io.BytesIO(response.data)).active
            rows = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
        assert "schooljaar 2019-2020" in rows[0][0] and "bron: DUO" in rows[0][0]
        assert len(rows) > 2
    assert client.get("/dekking/export/onbekend.csv").status_code == 404
    assert client.get("/dekking/export/verdeling.pdf").status_code == 404


def test_bad_filters_fall_back_to_the_defaults(client, world):
    for query in ("profiel=XX", "jaar=1850-1851", "km=-4", "km=99999999999999999999", "provincie=PV00", "regio=AM99"):
        assert client.get(f"/dekking/?{query}").status_code == 200


def test_without_offer_data_the_page_says_so(client, db_session):
    body = text(client.get("/dekking/"))
    assert "nog geen gegevens over het profielaanbod geladen" in body


def test_the_page_is_public_and_the_same_for_a_logged_in_coordinator(client, world, db_session):
    anonymous = text(client.get("/dekking/"))
    login_as(client, make_user("coordinator", organisation=world["99AA00"]))
    assert text(client.get("/dekking/")).split("Bron:")[1][:200] == anonymous.split("Bron:")[1][:200]


def test_the_api_gives_the_same_figures_per_gemeente_provincie_and_regio(client, world):
    body = client.get("/api/v1/coverage/profiles?profile=HBR").get_json()
    assert body["level"] == "gemeente" and body["school_year"] == "2019-2020"
    states = {item["code"]: item["profiles"]["HBR"]["state"] for item in body["items"] if item["code"] >= "GM99"}
    assert states == {"GM9901": "niet_aangeboden", "GM9902": "geen_aanbod", "GM9903": "aangeboden"}
    assert all(set(item["profiles"]) == {"HBR"} for item in body["items"])
    provinces = client.get("/api/v1/coverage/profiles?level=provincie&profile=HBR").get_json()["items"]
    shares = {p["code"]: p["profiles"]["HBR"]["share"] for p in provinces if p["code"] in ("PV98", "PV99")}
    assert shares == {"PV98": 0.0, "PV99": 100.0}
    geo = client.get("/api/v1/coverage/profiles.geojson?level=provincie")
    assert geo.mimetype == "application/geo+json"
    features = [f for f in geo.get_json()["features"] if f["id"] in ("PV98", "PV99")]
    assert len(features) == 2 and features[0]["geometry"]["type"] == "Polygon"
    assert len(features[0]["properties"]["profiles"]) == 10
    # A later school year gives the newest figures up to it, and says where they come from.
    later = client.get("/api/v1/coverage/profiles?school_year=2024-2025").get_json()
    assert later["school_year"] == "2024-2025" and "1 oktober 2019" in later["sources"][0]
    before = client.get("/api/v1/coverage/profiles?school_year=2015-2016").get_json()
    assert before["sources"] == []
    assert all(i["profiles"]["ZW"]["state"] == "geen_aanbod" for i in before["items"] if i["code"] >= "GM99")


@pytest.mark.parametrize("query", ["level=land", "profile=TL-EC", "school_year=2030-2032", "onbekend=1",
                                   "profile=ZW&profile=EO"])
def test_the_api_refuses_bad_parameters_with_400(client, world, query):
    response = client.get(f"/api/v1/coverage/profiles?{query}")
    assert response.status_code == 400 and response.get_json()["errors"]


def test_the_computed_coverage_is_kept_until_the_offer_changes(app, world, db_session):
    from portal.models import Pathway
    from portal.services.coverage.profiles import profile_coverage
    from tests.factories import make_route
    first = profile_coverage(db_session, None)
    make_route(parties=[(world["99AA00"], "vmbo")])  # a route elsewhere: not what the coverage is made of
    assert profile_coverage(db_session, None) is first
    statement = OfferStatement(organisation_id=world["99CC00"].id, school_year="2019-2020")
    statement.profiles = [db_session.get(Profile, "GR")]
    statement.pathways = [db_session.get(Pathway, "BB")]
    db_session.add(statement)
    db_session.flush()
    second = profile_coverage(db_session, None)
    assert second is not first and "GR" in second.offer["99CC00"]
    figure = db_session.query(OfferProfileFigure).filter_by(vestigingscode="99AA00").one()
    figure.pupils_year3 = 40  # an import that changes a figure in place
    db_session.flush()
    assert profile_coverage(db_session, None) is not second


def test_a_vestigings_offer_and_the_nearest_that_offer_what_it_does_not(world, db_session):
    from portal.services.coverage.profiles import compute
    offer = compute(db_session, None).school_offer("99AA00")
    assert [(r.pathway, r.profile, r.pupils_year3) for r in offer.rows] == [("BB", "ZW", 12)]
    nearest = offer.nearest_elsewhere
    assert "ZW" not in nearest and set(nearest) == {p for p in nearest}
    assert [s.vestigingscode for s, _ in nearest["HBR"]] == ["99DD00"]
    assert [s.vestigingscode for s, _ in nearest["EO"]] == ["99BB00"]  # 1 km away
    assert nearest["MT"] == []  # offered nowhere


def test_offering_counts_equal_the_lists(world, db_session):
    from portal.services.coverage.profiles import compute
    cov = compute(db_session, None)
    for profile in ("ZW", "EO", "HBR", "MT"):
        assert cov.count_offering(profile) == len(cov.schools_offering(profile))
        for code in ("PV98", "PV99"):
            assert cov.count_offering(profile, province=code) == len(cov.schools_offering(profile, province=code))
        for code in ("GM9901", "GM9902", "GM9903"):
            assert cov.count_offering(profile, municipality=code) == len(
                cov.schools_offering(profile, municipality=code))
