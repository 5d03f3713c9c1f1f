"""teaching_location (where a route is taught) filters the route list, the
map and the API alike (issue 17: the 2021 target counts mbo 2 "in the vmbo
setting")."""
from __future__ import annotations

import re

import pytest

from portal.domain.school_year import current_school_year
from tests.factories_map import make_region_route


@pytest.fixture
def located(db_session, reference_data):
    year = current_school_year()
    return {location: make_region_route("AM38", title=f"Synthetische route lesplaats {location}",
                                        teaching_location=location, first_school_year=year)
            for location in ("vmbo", "mbo", "beide")}


def test_the_route_list_filters_and_counts_by_teaching_location(client, located):
    html = client.get("/leerroutes/?teaching_location=vmbo&q=lesplaats").get_data(as_text=True)
    assert "Synthetische route lesplaats vmbo" in html
    assert "Synthetische route lesplaats mbo" not in html and "lesplaats beide" not in html
    # the facet counts the other values too (its own filter left out)
    assert re.search(r'id="fc-teaching_location-mbo"[^>]*>\(1\)', html)
    both = client.get("/leerroutes/?teaching_location=vmbo&teaching_location=beide&q=lesplaats").get_data(
        as_text=True)
    assert "lesplaats vmbo" in both and "lesplaats beide" in both and "lesplaats mbo<" not in both


def test_the_api_filters_by_teaching_location_and_refuses_unknown_values(client, located):
    data = client.get("/api/v1/routes?teaching_location=mbo&q=lesplaats").get_json()
    assert [i["title"] for i in data["items"]] == ["Synthetische route lesplaats mbo"]
    assert client.get("/api/v1/routes?teaching_location=school").status_code == 400
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in doc["paths"]["/routes"]["get"]["parameters"]}
    assert "teaching_location" in params


def test_the_map_filters_by_teaching_location(client, located):
    html = client.get("/kaart/?teaching_location=beide&region=AM38").get_data(as_text=True)
    assert 'name="teaching_location"' in html
    assert "Synthetische route lesplaats beide" in html and "Synthetische route lesplaats vmbo" not in html
