"""Every organisation, school and route choice is the picker: the page
carries the combobox's search URL for its field, its no-JavaScript fallback
tells equal names apart, and a plain POST of ids (what the fallback and the
picker both send) still saves or gives a Dutch error at the field."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from portal.extensions import db
from portal.models import User
from tests.conftest import login_as
from tests.factories import make_organisation
from tests.factories_matrix import MatrixWorld


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


def pickers(html: str) -> dict[str, str]:
    """field name -> search URL of every picker on the page."""
    found = {}
    for tag in re.findall(r"<(?:div|fieldset)[^>]*\bdata-combobox\b[^>]*>", html):
        field = re.search(r'data-field="([^"]+)"', tag)
        url = re.search(r'data-search-url="([^"]+)"', tag)
        assert field and url, tag
        found[field.group(1)] = html_lib.unescape(url.group(1))
    return found


@pytest.mark.parametrize("user, path, expected", [
    ("admin", "/beheer/gebruikers/nieuw", {"organisation_id": "/zoeken/organisaties?field=organisation_id"}),
    ("party", "/bibliotheek/nieuw", {"organisation_ids": "/zoeken/organisaties?field=organisation_ids",
                                     "route_ids": "/zoeken/leerroutes?field=route_ids&voor=voorbeeld"}),
    ("party", "/overeenkomsten/nieuw", {"route_ids": "/zoeken/leerroutes?field=route_ids&voor=overeenkomst"}),
    ("party", "/leerroutes/nieuw", {
        "vmbo_parties": "/zoeken/organisaties?kind=vmbo&field=zoek_vmbo_q",
        "mbo_parties": "/zoeken/organisaties?kind=mbo&field=zoek_mbo_q",
        "employer_parties": "/zoeken/organisaties?kind=employer&field=zoek_employer_q"}),
])
def test_each_choice_is_a_picker(client, world, user, path, expected):
    login_as(client, world.user(user))
    response = client.get(path)
    assert response.status_code == 200
    assert pickers(response.get_data(as_text=True)) == expected


def test_the_agreement_party_form_adds_a_party_with_the_picker(client, world):
    login_as(client, world.user("party"))
    html = client.get(f"/overeenkomsten/{world.agreement.id}/partijen").get_data(as_text=True)
    (field, url), = pickers(html).items()
    assert re.fullmatch(r"party-\d+-organisation_id", field) and url == "/zoeken/organisaties?field=nieuwe-partij"
    assert f'name="{field}"' in html  # the fallback <select> posts the same field


def test_the_fallback_tells_equal_names_apart(client, world, db_session):
    make_organisation("vmbo", "Synthetisch Dubbel Lyceum", city="Synthetisch Oost", brin="96QQ",
                      vestigingscode="96QQ01")
    make_organisation("vmbo", "Synthetisch Dubbel Lyceum", city="Synthetisch West", brin="96QQ",
                      vestigingscode="96QQ02")
    db_session.commit()
    login_as(client, world.user("admin"))
    html = html_lib.unescape(client.get("/beheer/gebruikers/nieuw").get_data(as_text=True))
    assert "Synthetisch Dubbel Lyceum — Vmbo-vestiging · Synthetisch Oost · vestigingscode 96QQ01" in html
    assert "Synthetisch Dubbel Lyceum — Vmbo-vestiging · Synthetisch West · vestigingscode 96QQ02" in html


def test_a_plain_post_of_an_organisation_id_saves_the_account(client, world):
    login_as(client, world.user("admin"))
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "picker.zonder.js@example.org", "name": "Zonder JavaScript (synthetisch)", "role": "coordinator",
        "organisation_id": str(world.org_b.id), "password": "Lang-en-sterk-wachtwoord-7"})
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="picker.zonder.js@example.org").one()
    assert user.organisation_id == world.org_b.id


def test_a_route_the_agreement_may_not_cover_is_a_dutch_error_at_the_field(client, world):
    """The picker offers only the organisation's own routes; a posted id of another route is refused."""
    login_as(client, world.user("party"))
    response = client.post("/overeenkomsten/nieuw", data={
        "title": "Synthetisch", "route_ids": [str(world.other_route.id)],
        "start_date": "01-08-2026", "end_date": "31-07-2030"})
    assert response.status_code == 422
    html = html_lib.unescape(response.get_data(as_text=True))
    assert re.search(r'id="route_ids-fout">[^<]*Kies een van de mogelijkheden uit de lijst', html), html[:200]
