"""One input boundary for the forms (issue 14): what each form refuses, with
a Dutch message at the field, and that nothing is saved when it does.

Each case here was a 500 or was accepted before the boundary: control
characters and visually empty titles, '--5' and 5,000-digit numbers, ids that
do not exist, implausible dates and school years, a termination before the
start, e-mail addresses with CR/LF or U+202E, JSON posted to a form."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from portal.domain.bounds import MESSAGE_DATE_RANGE
from portal.domain.email import MESSAGE_HIDDEN, MESSAGE_INVALID
from portal.domain.text import MESSAGE_BIDI, MESSAGE_CONTROL
from portal.extensions import db
from portal.forms.agreements import UNREADABLE_ROW
from portal.forms.boundary import UNKNOWN_CHOICE
from portal.models import LearningRoute, User
from portal.models.agreement import Agreement, FundingShare, TransferGuarantee
from portal.models.practice import GoodPractice
from portal.web.request_bodies import MAX_JSON_DEPTH, MESSAGE_TOO_DEEP
from tests.conftest import login_as
from tests.factories import PASSWORD
from tests.factories_matrix import MatrixWorld


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_error(response, field_id: str) -> str | None:
    """The text of the error shown at a field (<p class="error" id="<field>-fout">)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-fout">([^<]*)</p>', response.get_data(as_text=True))
    return html_lib.unescape(match.group(1)) if match else None


def route_form(world, **changes) -> dict:
    data = {"title": "Grensroute", "kind": "glr", "status": "concept", "pathways": ["BB"], "profiles": ["ZW"],
            "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498", "qualification_name": "Helpende zorg en welzijn",
            "teaching_location": "vmbo", "first_school_year": "2026-2027", "last_school_year": "",
            "pupils_per_cohort": "15", "description": "", "vmbo_parties": [str(world.org_a.id)],
            "mbo_parties": [str(world.org_b.id)]}
    data.update(changes)
    return data


def practice_form(**changes) -> dict:
    data = {"title": "Grensvoorbeeld", "summary": "Kort.", "themes": ["overstap"]}
    data.update(changes)
    return data


def agreement_form(world, **changes) -> dict:
    data = {"title": "Grensovereenkomst", "route_ids": [str(world.route.id)], "start_date": "2026-08-01",
            "end_date": "2030-07-31"}
    data.update(changes)
    return data


# --- 1. text: controls, bidi, visually empty ------------------------------------

def test_the_route_form_gives_field_errors_for_refused_text_and_saves_nothing(client, world):
    login_as(client, world.user("party"))
    before = count(LearningRoute)
    response = client.post("/leerroutes/nieuw", data=route_form(
        world, title="Route\x00met NUL", qualification_name="exe.\u202efdp", contact_name="Bel\x07",
        description="Twee\nregels\tmet tab"))
    assert response.status_code == 200
    assert field_error(response, "title") == MESSAGE_CONTROL
    assert field_error(response, "qualification_name") == MESSAGE_BIDI
    assert field_error(response, "contact_name") == MESSAGE_CONTROL
    assert field_error(response, "description") is None  # tab and line breaks belong in a text area
    assert count(LearningRoute) == before


@pytest.mark.parametrize("url, data, field, message", [
    ("/bibliotheek/nieuw", practice_form(title="\u200b\u200b\u200b"), "title", "Dit veld is verplicht."),
    ("/bibliotheek/nieuw", practice_form(title="\ufeff \u2060"), "title", "Dit veld is verplicht."),
    ("/bibliotheek/nieuw", practice_form(title="Titel\x1b[31m"), "title", MESSAGE_CONTROL),
    ("/bibliotheek/nieuw", practice_form(summary="Samen\x00vatting"), "summary", MESSAGE_CONTROL),
    ("/bibliotheek/nieuw", practice_form(title="Titel\u202e"), "title", MESSAGE_BIDI),
    ("/bibliotheek/nieuw", practice_form(tags="a,\x85b"), "tags", MESSAGE_CONTROL),
])
def test_the_practice_form_refuses_at_the_field(client, world, url, data, field, message):
    login_as(client, world.user("party"))
    before = count(GoodPractice)
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert count(GoodPractice) == before


def test_a_route_title_of_zero_width_spaces_is_empty(client, world):
    login_as(client, world.user("party"))
    before = count(LearningRoute)
    response = client.post("/leerroutes/nieuw", data=route_form(world, title="\u200b\u200c\u200d"))
    assert field_error(response, "title") == "Vul een titel in."
    assert count(LearningRoute) == before


def test_an_agreement_title_of_zero_width_spaces_is_empty(client, world):
    login_as(client, world.user("party"))
    before = count(Agreement)
    response = client.post("/overeenkomsten/nieuw", data=agreement_form(world, title="\u200b \u2060"))
    assert response.status_code == 422
    assert "Dit veld is verplicht." in response.get_data(as_text=True)
    assert count(Agreement) == before


def test_text_is_stored_normalised(client, world):
    login_as(client, world.user("party"))
    response = client.post("/bibliotheek/nieuw", data=practice_form(
        title="  Cafe\u0301 route  ", summary="Regel een\r\nregel twee"))
    assert response.status_code == 302
    practice = db.session.scalar(select(GoodPractice).order_by(GoodPractice.id.desc()).limit(1))
    assert practice.title == "Caf\u00e9 route"
    assert practice.summary == "Regel een\nregel twee"


@pytest.mark.parametrize("data", [
    {"email": "\x00", "password": "\x00"},
    {"email": "iemand@example.org", "password": "twaalf tekens\x00"},
])
def test_nul_in_a_form_body_is_a_field_message_not_a_bare_400(client, world, data):
    response = client.post("/login", data=data)
    assert response.status_code == 200
    assert MESSAGE_CONTROL in html_lib.unescape(response.get_data(as_text=True))


def test_nul_in_a_row_editor_is_an_error_at_the_row(client, world):
    agreement = world.agreement
    login_as(client, world.user("party"))
    party = agreement.parties[0]
    response = client.post(f"/overeenkomsten/{agreement.id}/partijen", data={
        "version_id": str(agreement.version_id), "party-rows": ["0"], "party-0-organisation_id": str(party.organisation_id),
        "party-0-role": party.role, "party-0-governing_body_name": "Stichting\x00"})
    assert response.status_code == 422
    assert f"Bevoegd gezag: {MESSAGE_CONTROL}" in html_lib.unescape(response.get_data(as_text=True))
    db.session.refresh(party)
    assert party.governing_body_name != "Stichting\x00"


def test_a_nul_character_in_the_picker_search_is_no_search(client, world):
    login_as(client, world.user("party"))
    response = client.post("/leerroutes/nieuw", data=route_form(world, zoek="vmbo", zoek_vmbo_q="Matrix\x00"))
    assert response.status_code == 200


# --- 2. bounded integers --------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("--5", "Vul een geheel getal van 0 of meer in."),
    ("9" * 5000, "Dat zijn wel erg veel leerlingen; vul het aantal per cohort in."),
    ("-" + "9" * 4301, "Vul een geheel getal van 0 of meer in."),
])
def test_pupils_per_cohort_beyond_int_is_a_field_error_not_a_500(client, world, value, message):
    login_as(client, world.user("party"))
    before = count(LearningRoute)
    response = client.post("/leerroutes/nieuw", data=route_form(world, pupils_per_cohort=value))
    assert response.status_code == 200
    assert field_error(response, "pupils_per_cohort") == message
    assert count(LearningRoute) == before


def test_party_ids_that_are_no_ids_are_a_field_error(client, world):
    login_as(client, world.user("party"))
    before = count(LearningRoute)
    response = client.post("/leerroutes/nieuw", data=route_form(
        world, vmbo_parties=[str(world.org_a.id), "--5", "9" * 5000]))
    assert response.status_code == 200
    assert field_error(response, "vmbo_parties") == UNKNOWN_CHOICE
    assert count(LearningRoute) == before


def share_rows(agreement, key: str) -> dict:
    vmbo, mbo = agreement.parties[0], agreement.parties[1]
    return {"version_id": str(agreement.version_id), "action": "save", "share-rows": ["0", key],
            "share-0-stream": "lumpsum_vo", "share-0-school_year": "2026-2027", "share-0-party_id": str(vmbo.id),
            "share-0-percentage": "50", f"share-{key}-stream": "lumpsum_vo",
            f"share-{key}-school_year": "2026-2027", f"share-{key}-party_id": str(mbo.id),
            f"share-{key}-percentage": "50"}


@pytest.mark.parametrize("action", ["save", "add-share"])
def test_a_funding_row_key_of_5000_digits_is_an_error_at_the_row(client, world, action):
    agreement = world.agreement
    login_as(client, world.user("party"))
    before = [(s.party_id, s.percentage) for s in agreement.funding_shares]
    data = share_rows(agreement, "9" * 5000)
    data["action"] = action
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data)
    assert response.status_code == (422 if action == "save" else 200)
    if action == "save":
        assert UNREADABLE_ROW in html_lib.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert [(s.party_id, s.percentage) for s in agreement.funding_shares] == before


def test_a_guarantee_row_key_of_5000_digits_is_an_error_at_the_row(client, world):
    agreement = world.agreement
    login_as(client, world.user("party"))
    before = count(TransferGuarantee)
    party = agreement.parties[0]
    key = "9" * 5000
    response = client.post(f"/overeenkomsten/{agreement.id}/overstapgarantie", data={
        "version_id": str(agreement.version_id), "action": "save", "route_duration_months": "48",
        "phase-rows": [key], f"phase-{key}-from_month": "1", f"phase-{key}-to_month": "48",
        f"phase-{key}-destination": "vmbo_bb", f"phase-{key}-responsible_party_id": str(party.id),
        f"phase-{key}-max_wait_days": "5", f"phase-{key}-description": "x"})
    assert response.status_code == 422
    assert UNREADABLE_ROW in html_lib.unescape(response.get_data(as_text=True))
    assert count(TransferGuarantee) == before


# --- 3. ids that do not exist ------------------------------------------------------

PRACTICE_ID_MESSAGES = {"organisation_ids": "Kies bestaande organisaties.",
                        "region_ids": "Kies bestaande arbeidsmarktregio's.",
                        "route_ids": "Kies bestaande leerroutes."}


@pytest.mark.parametrize("field", ["organisation_ids", "region_ids", "route_ids"])
@pytest.mark.parametrize("value", ["99999999999999999999", "999999", "0", "-1", "x"])
def test_practice_ids_that_do_not_exist_are_a_field_error(client, world, field, value):
    login_as(client, world.user("party"))
    before = count(GoodPractice)
    response = client.post("/bibliotheek/nieuw", data=practice_form(**{field: [value]}))
    assert response.status_code == 200
    assert field_error(response, field) == PRACTICE_ID_MESSAGES[field]
    assert count(GoodPractice) == before


@pytest.mark.parametrize("value", ["9" * 30, "2147483648", "0", "-5"])
def test_user_management_refuses_an_organisation_that_does_not_exist(client, world, value):
    login_as(client, world.user("admin"))
    before = count(User)
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "nieuw.grens@example.org", "name": "Nieuw", "role": "reader", "organisation_id": value,
        "password": "Lang-en-sterk-wachtwoord-7"})
    assert response.status_code == 200
    assert UNKNOWN_CHOICE in html_lib.unescape(response.get_data(as_text=True))
    assert count(User) == before


@pytest.mark.parametrize("value", ["0", "-1", "2147483648", "9" * 5000])
def test_agreement_create_refuses_an_examining_party_that_is_not_one(client, world, value):
    login_as(client, world.user("party"))
    before = count(Agreement)
    response = client.post("/overeenkomsten/nieuw", data=agreement_form(world, examining_organisation_id=value))
    assert response.status_code == 422
    assert "Kies een mbo-partij van deze overeenkomst." in response.get_data(as_text=True)
    assert count(Agreement) == before


# --- 4. dates and school years -------------------------------------------------------

@pytest.mark.parametrize("changes, field", [
    ({"start_date": "0001-01-01"}, "start_date"),
    ({"end_date": "9999-12-31"}, "end_date"),
    ({"start_date": "1999-12-31"}, "start_date"),
])
def test_agreement_dates_lie_between_2000_and_2100(client, world, changes, field):
    login_as(client, world.user("party"))
    before = count(Agreement)
    response = client.post("/overeenkomsten/nieuw", data=agreement_form(world, **changes))
    assert response.status_code == 422
    assert MESSAGE_DATE_RANGE in response.get_data(as_text=True)
    assert count(Agreement) == before


@pytest.mark.parametrize("field", ["first_school_year", "last_school_year"])
def test_route_school_years_lie_between_2000_and_2100(client, world, field):
    login_as(client, world.user("party"))
    before = count(LearningRoute)
    response = client.post("/leerroutes/nieuw", data=route_form(world, **{field: "0000-0001"}))
    assert field_error(response, field) == "Vul een schooljaar tussen 2000-2001 en 2099-2100 in."
    assert count(LearningRoute) == before


def test_a_funding_school_year_0000_0001_is_an_error_at_the_row(client, world):
    agreement = world.agreement
    login_as(client, world.user("party"))
    before = count(FundingShare)
    data = share_rows(agreement, "1")
    data["share-0-school_year"] = data["share-1-school_year"] = "0000-0001"
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data)
    assert response.status_code == 422
    assert "Vul een schooljaar tussen 2000-2001 en 2099-2100 in." in response.get_data(as_text=True)
    assert count(FundingShare) == before


@pytest.mark.parametrize("day, message", [
    ("2026-07-31", "De opzegdatum ligt voor het begin van de looptijd."),
    ("2030-08-01", "De opzegdatum ligt na het einde van de looptijd."),
    ("0001-01-01", MESSAGE_DATE_RANGE),
])
def test_a_termination_lies_within_the_agreements_period(client, world, day, message):
    agreement = world.signed  # 2026-08-01 .. 2030-07-31
    login_as(client, world.user("party"))
    response = client.post(f"/overeenkomsten/{agreement.id}/opzeggen",
                           data={"terminated_on": day, "termination_reason": "Fusie"})
    assert message in response.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.status != "opgezegd" and agreement.terminated_on is None


def test_a_termination_within_the_period_is_accepted(client, world):
    """The control of the test above: a date inside the period is saved."""
    agreement = world.signed
    login_as(client, world.user("party"))
    response = client.post(f"/overeenkomsten/{agreement.id}/opzeggen",
                           data={"terminated_on": "2028-01-31", "termination_reason": "Fusie"})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "opgezegd"


# --- 5. e-mail addresses ---------------------------------------------------------------

EMAIL_REFUSALS = (MESSAGE_HIDDEN, MESSAGE_INVALID, MESSAGE_CONTROL, MESSAGE_BIDI)


def email_refused(response) -> bool:
    """The page shows one of the reasons an address is refused (a line break
    or U+202E is already refused by the text boundary; a space by the e-mail rule)."""
    page = html_lib.unescape(response.get_data(as_text=True))
    return any(message in page for message in EMAIL_REFUSALS)


BAD_EMAILS = ["nieuw@example.org\r\nBcc: iedereen@example.org", "nieuw @example.org", "nieuw\u202e@example.org",
              "nieuw@example.org\u200b", "nieuw@@example.org", "nieuw@example"]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_the_user_form_refuses_an_unsafe_email_address(client, world, email):
    login_as(client, world.user("admin"))
    before = count(User)
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": email, "name": "Nieuw", "role": "reader", "organisation_id": "",
        "password": "Lang-en-sterk-wachtwoord-7"})
    assert response.status_code == 200
    assert email_refused(response)
    assert count(User) == before


def test_the_user_form_accepts_a_good_address(client, world):
    """The control: the same form with a plain address makes the account."""
    login_as(client, world.user("admin"))
    before = count(User)
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "Nieuw.Grens@Example.org", "name": "Nieuw", "role": "reader", "organisation_id": "",
        "password": "Lang-en-sterk-wachtwoord-7"})
    assert response.status_code == 302
    assert count(User) == before + 1


@pytest.mark.parametrize("email", BAD_EMAILS[:3])
def test_login_refuses_an_unsafe_address_at_the_field(client, world, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    assert email_refused(response)


@pytest.mark.parametrize("email", BAD_EMAILS[:3])
def test_contact_addresses_of_routes_and_practices_are_strict(client, world, email):
    login_as(client, world.user("party"))
    routes, practices = count(LearningRoute), count(GoodPractice)
    response = client.post("/leerroutes/nieuw", data=route_form(world, contact_email=email))
    assert field_error(response, "contact_email") in EMAIL_REFUSALS
    response = client.post("/bibliotheek/nieuw", data=practice_form(contact_email=email))
    assert email_refused(response)
    assert (count(LearningRoute), count(GoodPractice)) == (routes, practices)


def test_the_create_user_command_refuses_an_unsafe_address(app, db_session):
    before = count(User)
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "beheer@example.org\r\nBcc: x@example.org", "--role", "reader",
        "--password", "Lang-en-sterk-wachtwoord-7"])
    assert result.exit_code != 0
    assert "e-mailadres" in result.output
    assert count(User) == before


# --- 6. JSON bodies -----------------------------------------------------------------------

JSON_BODIES = [
    b'{"title": "x"}',
    b'{"title": "\\ud800"}',
    b"[" * 10_000 + b"]" * 10_000,
]


@pytest.mark.parametrize("url", ["/leerroutes/nieuw", "/bibliotheek/nieuw", "/login", "/overeenkomsten/nieuw"])
@pytest.mark.parametrize("body", JSON_BODIES, ids=["plain", "lone-surrogate", "deep"])
def test_json_posted_to_a_form_is_refused_with_415(client, world, url, body):
    login_as(client, world.user("party"))
    before = count(LearningRoute), count(GoodPractice), count(Agreement)
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 415
    assert "alleen formuliergegevens" in response.get_data(as_text=True)
    assert (count(LearningRoute), count(GoodPractice), count(Agreement)) == before


def test_json_gets_415_also_with_csrf_protection_on(csrf_app, db_session):
    response = csrf_app.test_client().post("/login", data=b"[" * 10_000, content_type="application/json")
    assert response.status_code == 415


def test_the_api_takes_no_writes(client, world):
    """No API endpoint accepts a write: a well-formed JSON body gets 405, as JSON."""
    response = client.post("/api/v1/routes", data=b'{"title": "x"}', content_type="application/json")
    assert response.status_code == 405 and response.is_json


@pytest.mark.parametrize("body, status, message", [
    (b"[" * 10_000 + b"]" * 10_000, 400, MESSAGE_TOO_DEEP),
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), 400, MESSAGE_TOO_DEEP),
    (b'{"q": "\\ud800"}', 400, "losse UTF-16-helft"),
    (b'{"q": "a\\u0000b"}', 400, "stuurteken"),
    (b'{"q": ', 400, "geen geldige JSON"),
])
def test_the_api_limits_nesting_and_refuses_bad_json_as_json(client, world, body, status, message):
    response = client.post("/api/v1/routes", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.is_json and message in response.get_json()["message"]


def test_the_api_allows_nesting_up_to_the_limit(client, world):
    """The control: MAX_JSON_DEPTH levels pass the body check (and then meet the 405)."""
    body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    response = client.post("/api/v1/routes", data=body, content_type="application/json")
    assert response.status_code == 405


def test_the_api_refuses_a_body_beyond_max_content_length_with_413(app, client, world):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/v1/routes", data=b" " * size, content_type="application/json")
    assert response.status_code == 413 and response.is_json


# --- the version a form was opened at --------------------------------------------------------

@pytest.mark.parametrize("version", ["--5", "9" * 5000, "abc", "1.5", "-1"])
def test_a_version_that_is_no_number_is_refused_not_a_500(client, world, version):
    """The agreement form passed it to int(): a 500. Now the form refuses it
    and nothing is saved (it is no version to compare with, so saving would
    skip the optimistic lock)."""
    agreement = world.agreement
    login_as(client, world.user("party"))
    before = (agreement.title, agreement.version_id)
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data=agreement_form(
        world, title="Nieuwe titel", version_id=version))
    assert response.status_code == 422
    db.session.refresh(agreement)
    assert (agreement.title, agreement.version_id) == before


def test_the_current_version_is_saved(client, world):
    """The control: the same form with the version it was opened at saves."""
    agreement = world.agreement
    login_as(client, world.user("party"))
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data=agreement_form(
        world, title="Nieuwe titel", version_id=str(agreement.version_id)))
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.title == "Nieuwe titel"


@pytest.mark.parametrize("version", ["--5", "9" * 5000, "abc", "0"])
def test_an_editor_version_that_is_no_number_is_refused_and_cannot_skip_the_lock(client, world, version):
    """The row editors read the version by hand: a junk value became None,
    and None means "no version check", so the save went through unchecked.
    Now it is a 400 and nothing is saved; the valid version (control) saves."""
    agreement = world.agreement
    login_as(client, world.user("party"))
    before = [(s.party_id, s.percentage) for s in agreement.funding_shares]
    data = share_rows(agreement, "1")  # 50 % vmbo + 50 % mbo
    data.update(action="save", version_id=version)
    assert client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data).status_code == 400
    db.session.expire_all()
    assert [(s.party_id, s.percentage) for s in agreement.funding_shares] == before
    data["version_id"] = str(agreement.version_id)
    assert client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data).status_code == 302
    db.session.expire_all()
    assert [(s.party_id, s.percentage) for s in agreement.funding_shares] != before
