"""Issue 20 §4, forms that read well and fail well: one field layout (label,
hint, error, field), the same summary title everywhere, every error both at
its field and in the summary, dates as dd-mm-jjjj."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route

HX = {"HX-Request": "true"}
TITLE = "Controleer het formulier"


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    return dict(vmbo=vmbo, mbo=mbo, route=route, vmbo_user=vmbo_user, mbo_user=mbo_user, session=db_session)


def summary_of(html: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no error summary"
    return found.group(1)


def at_field(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-fout">(.*?)</p>', html, re.S)
    assert found, f"no error at {field_id}"
    return found.group(1)


def test_new_user_form_shows_every_error_at_its_field_and_in_the_summary(client, world):
    """One error showed only in the summary (the coordinator without an
    organisation: the service says "organisation", the form has
    "organisation_id"), another only at its field (the password)."""
    login_as(client, make_user("admin"))
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "nieuw@example.org", "name": "Nieuwe Coördinator", "role": "coordinator",
        "organisation_id": "", "password": "wachtwoord"})
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    summary = summary_of(html)
    assert f"<h2>{TITLE}</h2>" in summary
    organisation_error = at_field(html, "organisation_id")
    password_error = at_field(html, "password")
    assert "organisatie" in organisation_error
    assert organisation_error in summary and 'href="#organisation_id"' in summary
    assert password_error in summary and 'href="#password"' in summary


@pytest.mark.parametrize("case", ["login", "change_password", "agreement", "route", "practice", "parties"])
def test_every_error_summary_has_the_same_title(client, world, case):
    user = world["vmbo_user"]
    if case == "login":
        html = client.post("/login", data={"email": user.email, "password": "verkeerd"}).get_data(as_text=True)
    else:
        login_as(client, user)
        if case == "change_password":
            html = client.post("/account/wachtwoord", data={
                "current_password": "verkeerd", "new_password": "een lange zin van woorden"}).get_data(as_text=True)
        elif case == "agreement":
            html = client.post("/overeenkomsten/nieuw", data={"title": ""}).get_data(as_text=True)
        elif case == "route":
            html = client.post("/leerroutes/nieuw", data={"title": "", "opslaan": "1"}).get_data(as_text=True)
        elif case == "practice":
            html = client.post("/bibliotheek/nieuw", data={"title": ""}).get_data(as_text=True)
        else:
            agreement = make_agreement(user, world["route"], world["mbo"], complete=False)
            v = next(p for p in agreement.parties if p.role == "vmbo")
            response = client.post(f"/overeenkomsten/{agreement.id}/partijen", data={
                "version_id": agreement.version_id, "party-rows": ["0"], "party-0-organisation_id": str(v.organisation_id),
                "party-0-role": "onzin", "party-0-governing_body_name": ""})
            assert response.status_code == 422
            html = response.get_data(as_text=True)
    summary = summary_of(html)
    assert f"<h2>{TITLE}</h2>" in summary, (case, summary)
    assert "Er ging iets mis" not in html and "Controleer de partijen" not in html


def test_agreement_form_lays_out_label_hint_error_field_in_that_order(client, world):
    """The textareas had their labels at the bottom left; now every field is
    label, hint, error, field, the required marker right after the label."""
    login_as(client, world["vmbo_user"])
    html = client.post("/overeenkomsten/nieuw", data={
        "title": "", "route_ids": [str(world["route"].id)], "start_date": "01-08-2026", "end_date": "31/07/2030",
    }).get_data(as_text=True)
    block = html[html.index('id="end_date-veld"'):html.index("</fieldset>", html.index('id="end_date-veld"'))]
    assert "has-error" in html[html.index('id="end_date-veld"') - 40:html.index('id="end_date-veld"')]
    positions = [block.find(s) for s in ('<label for="end_date">', 'id="end_date-hint"', 'id="end_date-fout"',
                                         'id="end_date" ')]
    assert -1 not in positions and positions == sorted(positions), positions
    title = html[html.index('id="title-veld"'):html.index('id="route_ids-veld"')]
    assert re.search(r'<label for="title">Titel</label> <span class="required" aria-hidden="true">\*</span>', title)
    assert title.index('id="title-fout"') < title.index('<input')


def test_dates_are_shown_and_read_as_dd_mm_jjjj(client, world):
    """Dates show and are typed as dd-mm-jjjj, whatever the browser's language."""
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    login_as(client, world["vmbo_user"])
    page = client.get(f"/overeenkomsten/{agreement.id}/bewerken").get_data(as_text=True)
    start = re.search(r'<input[^>]*id="start_date"[^>]*>', page).group(0)
    assert 'type="text"' in start and 'value="01-08-2026"' in start and 'inputmode="numeric"' in start
    assert "dd-mm-jjjj" in re.search(r'id="start_date-hint">(.*?)</p>', page).group(1)
    data = {"title": agreement.title, "route_ids": [str(world["route"].id)], "start_date": "1-9-2026",
            "end_date": "31-07-2031", "version_id": agreement.version_id}
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data=data)
    assert response.status_code == 302, at_field(response.get_data(as_text=True), "start_date")
    world["session"].refresh(agreement)
    assert (agreement.start_date, agreement.end_date) == (date(2026, 9, 1), date(2031, 7, 31))
    bad = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data={**data, "start_date": "09/01/2026",
                                                                      "version_id": agreement.version_id})
    assert "dd-mm-jjjj" in at_field(bad.get_data(as_text=True), "start_date")


def test_a_failed_editor_save_lists_every_row_error_in_a_summary_that_takes_the_focus(client, world):
    """The funding editor: the failed save (not the live check) shows the
    summary, marked data-focus, with a link to each row that is wrong."""
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v = next(p for p in agreement.parties if p.role == "vmbo")
    m = next(p for p in agreement.parties if p.role == "mbo")
    login_as(client, world["vmbo_user"])
    rows = {"version_id": agreement.version_id, "share-rows": ["0", "1"],
            "share-0-stream": "lumpsum_vo", "share-0-school_year": "2026-2027", "share-0-party_id": str(v.id),
            "share-0-percentage": "60", "share-1-stream": "lumpsum_vo", "share-1-school_year": "2026-2027",
            "share-1-party_id": str(m.id), "share-1-percentage": "39"}
    check = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX, data=rows).get_data(as_text=True)
    assert "data-focus" not in check and TITLE not in check  # typing: no summary grabs the focus
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX,
                       data={**rows, "action": "save"}).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" data-focus>(.*?)</div>', html, re.S)
    assert summary, html[:2000]
    assert f"<h2>{TITLE}</h2>" in summary.group(1)
    row_error = at_field(html, "share-1")
    assert row_error and row_error in summary.group(1) and 'href="#share-1-percentage"' in summary.group(1)


def test_the_organisation_error_lands_on_the_picker_field(app):
    """apply_service_errors: "organisation" from a service is the form's
    organisation_id; a name matching nothing stays general."""
    from flask_wtf import FlaskForm
    from wtforms import SelectField

    from portal.core.errors import ServiceError
    from portal.web.transaction import apply_service_errors

    class Form(FlaskForm):
        organisation_id = SelectField(choices=[])

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        general = apply_service_errors(form, ServiceError({"organisation": ["Kies er een."], "onbekend": ["Iets."]}))
    assert form.organisation_id.errors == ["Kies er een."]
    assert general == ["Iets."]


