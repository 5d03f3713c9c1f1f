"""/api/v1/organisations (issue 15): filters, paging, public fields only, the
same strictness as the other API lists, and merged ids redirecting."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.services.organisations.merge import merge_organisations
from tests.conftest import login_as
from tests.factories import make_organisation, make_user
from tests.factories_map import municipality_in


@pytest.fixture
def orgs(db_session, reference_data):
    foodvalley = municipality_in("AM38")
    employer = make_organisation("employer", name="Apitest Bouwbedrijf", kvk_number="31415926",
                                 municipality_id=foodvalley.id, city=foodvalley.name, website="https://bouw.example")
    other = make_organisation("other", name="Apitest Gemeentepartner", municipality_id=municipality_in("AM09").id)
    make_user("coordinator", organisation=employer, email="geheim.apitest@example.org")
    return employer, other, foodvalley


def test_the_list_filters_and_pages(client, orgs):
    employer, other, foodvalley = orgs
    body = client.get("/api/v1/organisations?q=Apitest").get_json()
    assert body["total"] == 2 and {i["name"] for i in body["items"]} == {employer.name, other.name}
    for query in ("kind=employer", "region=AM38", f"gemeente={foodvalley.code}", "q=31415926"):
        body = client.get(f"/api/v1/organisations?q=Apitest&{query}".replace("q=Apitest&q=", "q=")).get_json()
        assert [i["id"] for i in body["items"]] == [employer.id], query
    body = client.get("/api/v1/organisations?q=Apitest&per_page=1&page=2").get_json()
    assert (body["page"], body["per_page"], body["pages"], len(body["items"])) == (2, 1, 2, 1)


def test_one_organisation_has_public_fields_only(client, orgs):
    employer, _other, foodvalley = orgs
    login_as(client, make_user("staff"))  # even staff get no coordinators through the API
    body = client.get(f"/api/v1/organisations/{employer.id}").get_json()
    assert body["kvk_number"] == "31415926" and body["region"]["code"] == "AM38"
    assert body["municipality"] == {"code": foodvalley.code, "name": foodvalley.name}
    assert body["url"] == f"/organisaties/{employer.id}"
    text = client.get(f"/api/v1/organisations/{employer.id}").get_data(as_text=True)
    assert "geheim.apitest" not in text and "@" not in text


@pytest.mark.parametrize("query", ["soort=employer", "kind=school", "region=XX01", "gemeente=0228", "page=0",
                                   "per_page=1000", "kind=employer&kind=other"])
def test_bad_parameters_are_a_400(client, orgs, query):
    response = client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_unknown_is_404_and_merged_redirects(client, orgs):
    employer, _other, _m = orgs
    assert client.get("/api/v1/organisations/987654321").status_code == 404
    copy = make_organisation("employer", name="Apitest Bouwbedrijf (dubbel)")
    merge_organisations(db.session, None, employer.id, copy.id)
    response = client.get(f"/api/v1/organisations/{copy.id}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/organisations/{employer.id}")
