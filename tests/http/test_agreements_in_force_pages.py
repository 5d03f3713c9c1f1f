"""Issue 20 §1 over HTTP: an amended signed agreement is shown to the public
as the version in force, to its parties as getekend with an addendum waiting
(its diff and who still signs); every editor of a signed agreement warns
before a save makes an addendum; a termination tells the coordinators which
routes ended. And §4: the period must cover the routes' school years."""
from __future__ import annotations

from datetime import date

import pytest

from portal.services.agreements import lifecycle, operations
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import CLAUSES, make_agreement, make_parties_and_route

HX = {"HX-Request": "true"}
DRAFT_TITLE = "Synthetisch addendum: gewijzigde titel"
DRAFT_CLAUSE = "Synthetische testtekst: een nieuwe klachtencommissie."
WARNING = "dat alle partijen opnieuw moeten tekenen"


class World:
    def __init__(self, session):
        self.session = session
        self.vmbo, self.mbo, self.route, self.vmbo_user, self.mbo_user = make_parties_and_route()
        self.agreement = make_agreement(self.vmbo_user, self.route, self.mbo)
        self.v1_title = self.agreement.title

    def sign_all(self):
        lifecycle.send_for_signature(self.session, self.agreement, self.vmbo_user)
        for party in self.agreement.parties:
            lifecycle.sign(self.session, self.agreement, party,
                           self.vmbo_user if party.organisation_id == self.vmbo.id else self.mbo_user)

    def edit_data(self, **changes):
        a = self.agreement
        data = {"version_id": str(a.version_id), "title": a.title, "route_ids": [str(self.route.id)],
                "start_date": a.start_date.isoformat(), "end_date": a.end_date.isoformat(),
                "team_qualification": "ja", "examining_organisation_id": str(self.mbo.id),
                **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}}
        data.update(changes)
        return data

    def amend(self):
        a = self.agreement
        data = dict(title=DRAFT_TITLE, start_date=a.start_date, end_date=a.end_date, route_ids=[self.route.id],
                    complaints_procedure=DRAFT_CLAUSE)
        assert operations.update_agreement(self.session, a, data, self.mbo_user) == "addendum"


@pytest.fixture
def world(db_session):
    return World(db_session)


def test_the_public_sees_the_version_in_force_of_an_amended_agreement(client, world):
    world.sign_all()
    world.route.status = "actief"
    world.amend()
    url = f"/overeenkomsten/{world.agreement.id}"
    for user in (None, make_user("reader")):
        login_as(client, user)
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200  # not hidden as a concept
        assert world.v1_title in html and DRAFT_TITLE not in html
        assert "Getekend (versie 1)" in html and "Concept" not in html and "addendum" not in html.lower()
        listing = client.get("/overeenkomsten/").get_data(as_text=True)
        assert world.v1_title in listing and DRAFT_TITLE not in listing and "Getekend (versie 1)" in listing
        route_page = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
        assert world.v1_title in route_page and "getekend (versie 1)" in route_page


def test_the_parties_see_the_draft_addendum_its_diff_and_who_still_signs(client, world):
    world.sign_all()
    world.amend()
    login_as(client, world.vmbo_user)
    html = client.get(f"/overeenkomsten/{world.agreement.id}").get_data(as_text=True)
    assert DRAFT_TITLE in html
    assert "Getekend (versie 1 in werking), addendum (versie 2) in voorbereiding" in html
    assert "Addendum in voorbereiding" in html and "Versie 1 is getekend en blijft in werking" in html
    assert f"Nog te tekenen door: {world.vmbo.name}" in html and world.mbo.name in html
    assert "Wijzigingen ten opzichte van versie 1" in html and DRAFT_CLAUSE in html
    assert CLAUSES["complaints_procedure"] in html  # the old text, struck through in the diff
    # After both signed the addendum, it is the version in force: the public sees its title.
    lifecycle.send_for_signature(world.session, world.agreement, world.vmbo_user)
    for party in world.agreement.parties:
        lifecycle.sign(world.session, world.agreement, party,
                       world.vmbo_user if party.organisation_id == world.vmbo.id else world.mbo_user)
    login_as(client, None)
    public = client.get(f"/overeenkomsten/{world.agreement.id}").get_data(as_text=True)
    assert DRAFT_TITLE in public and "Getekend" in public


EDITORS = ("bewerken", "partijen", "financiering", "overstapgarantie")


@pytest.mark.parametrize("page", EDITORS)
def test_every_editor_of_a_signed_agreement_warns_before_saving(client, world, page):
    login_as(client, world.vmbo_user)
    url = f"/overeenkomsten/{world.agreement.id}/{page}"
    assert WARNING not in client.get(url).get_data(as_text=True)  # a concept: a save makes no addendum
    world.sign_all()
    html = client.get(url).get_data(as_text=True)
    assert "Let op: deze versie is al getekend" in html and WARNING in html
    assert "addendum (versie 2)" in html and "Tot dan blijft versie 1 in werking" in html
    assert 'id="addendum-hint"' in html and 'aria-describedby="addendum-hint"' in html


@pytest.mark.parametrize("page", ("financiering", "overstapgarantie"))
def test_the_htmx_row_editors_show_the_notice_at_the_top_of_the_fragment(client, world, page):
    world.sign_all()
    login_as(client, world.vmbo_user)
    data = {"version_id": str(world.agreement.version_id),
            "action": "add-share" if page == "financiering" else "add-phase"}
    fragment = client.post(f"/overeenkomsten/{world.agreement.id}/{page}", data=data, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code in (200, 422) and "<html" not in html
    editor = html.index('id="funding-editor"' if page == "financiering" else 'id="guarantee-editor"')
    assert editor < html.index("Let op: deze versie is al getekend") < html.index("<form")


def test_a_termination_per_today_names_the_routes_it_ended(client, world):
    world.sign_all()
    world.route.status = "actief"
    world.session.flush()
    login_as(client, world.vmbo_user)
    response = client.post(f"/overeenkomsten/{world.agreement.id}/opzeggen", follow_redirects=True, data={
        "terminated_on": date.today().isoformat(), "termination_reason": "Synthetische reden: de route stopt."})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "zijn beëindigd: " + world.route.title in html
    assert world.route.status == "beeindigd"
    assert 'id="leerroutes-beeindigd"' in html
    route_page = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert "Deze overeenkomst is opgezegd per" in route_page and "is daarom beëindigd" in route_page


def test_the_period_must_cover_the_routes_school_years_at_the_field(client, world):
    world.route.first_school_year = "2031-2032"  # synthetic: begins after the agreement's end (31-07-2030)
    world.session.flush()
    login_as(client, world.vmbo_user)
    before = (world.agreement.title, world.agreement.version_id)
    response = client.post(f"/overeenkomsten/{world.agreement.id}/bewerken",
                           data=world.edit_data(title="Niet opgeslagen"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "begint in schooljaar 2031-2032, na het einde van de looptijd (31-07-2030)" in html
    assert 'id="end_date-error"' in html or 'id="end_date-fout"' in html
    world.session.refresh(world.agreement)
    assert (world.agreement.title, world.agreement.version_id) == before
