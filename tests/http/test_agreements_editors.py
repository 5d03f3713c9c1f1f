"""The agreement forms over HTTP: create, the funding and guarantee row editors
(htmx fragments and plain posts), addenda and the version diff, print view."""
from __future__ import annotations

import re

import pytest

from portal.services.agreements import lifecycle, operations, queries
from tests.conftest import login_as
from tests.factories_agreements import CLAUSES, make_agreement, make_parties_and_route

HX = {"HX-Request": "true"}


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    return dict(vmbo=vmbo, mbo=mbo, route=route, vmbo_user=vmbo_user, mbo_user=mbo_user, session=db_session)


def share_form(agreement, rows, action=None):
    data = {"version_id": agreement.version_id}
    for key, (stream, year, party, pct) in enumerate(rows):
        data.setdefault("share-rows", []).append(str(key))
        data.update({f"share-{key}-stream": stream, f"share-{key}-school_year": year,
                     f"share-{key}-party_id": str(party.id), f"share-{key}-percentage": pct})
    if action:
        data["action"] = action
    return data


def parties(agreement):
    return (next(p for p in agreement.parties if p.role == "vmbo"),
            next(p for p in agreement.parties if p.role == "mbo"))


def test_create_form_makes_a_concept_with_the_route_parties(client, world):
    login_as(client, world["vmbo_user"])
    page = client.get(f"/overeenkomsten/nieuw?route={world['route'].id}").get_data(as_text=True)
    assert f'<option selected value="{world["route"].id}">' in page
    response = client.post("/overeenkomsten/nieuw", data={
        "title": "Nieuwe overeenkomst", "route_ids": [str(world["route"].id)], "start_date": "2026-08-01",
        "end_date": "2026-07-31"})
    assert response.status_code == 422
    assert "De einddatum moet na de begindatum liggen." in response.get_data(as_text=True)
    response = client.post("/overeenkomsten/nieuw", data={
        "title": "Nieuwe overeenkomst", "route_ids": [str(world["route"].id)], "start_date": "2026-08-01",
        "end_date": "2030-07-31", "team_qualification": "nee", **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Concept" in detail and world["mbo"].name in detail and "Stichting ROC Test" in detail
    assert "ontbreekt" in detail  # the checklist shows what is missing (funding, guarantee, examining party)


def test_live_check_shows_the_error_at_the_row_that_breaks_the_sum(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    login_as(client, world["vmbo_user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX, data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", v, "60"), ("lumpsum_vo", "2026-2027", m, "39")]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "<input" not in html  # messages only
    row_error = re.search(r'<p class="error" id="share-1-fout" hx-swap-oob="true">(.*?)</p>', html, re.S).group(1)
    assert "tellen op tot 99,00 %" in row_error
    assert '<p class="error" id="share-0-fout" hx-swap-oob="true"></p>' in html
    assert re.search(r'id="funding-sums" hx-swap-oob="true">.*99,00 %', html, re.S)
    assert not agreement.funding_shares  # nothing saved
    page = client.get(f"/overeenkomsten/{agreement.id}/financiering").get_data(as_text=True)
    assert 'aria-describedby="share-1-fout"' in page and '<p class="error" id="share-1-fout"></p>' in page
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX, data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", v, "60"), ("lumpsum_vo", "2026-2027", m, "40")]))
    html = response.get_data(as_text=True)
    assert '<p class="error" id="share-1-fout" hx-swap-oob="true"></p>' in html and "100,00 %" in html


def test_add_and_remove_rows_without_saving(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    login_as(client, world["vmbo_user"])
    rows = [("lumpsum_vo", "2026-2027", v, "33,33"), ("lumpsum_vo", "2026-2027", m, "33,33")]
    # The form's own live check carries the last focused button too; it must not remove a row.
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers={**HX, "HX-Trigger": "funding-form"},
                       data=share_form(agreement, rows, "remove-share-0")).get_data(as_text=True)
    assert "<input" not in html and "66,66 %" in html
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX,
                       data=share_form(agreement, rows, "add-share")).get_data(as_text=True)
    assert html.count('name="share-rows"') == 3
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX,
                       data=share_form(agreement, rows, "remove-share-0")).get_data(as_text=True)
    assert html.count('name="share-rows"') == 1
    assert 'value="33,33"' in html


@pytest.mark.parametrize("pcts, ok", [(("33.33", "33.33", "33.34"), True), (("50", "49.99", "0"), False)])
def test_save_keeps_every_cent(client, world, pcts, ok):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    from tests.factories import make_organisation
    employer = make_organisation("employer", governing_body_name="Bedrijf BV")
    operations.set_parties(world["session"], agreement, [
        dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name)
        for p in agreement.parties] + [dict(organisation_id=employer.id, role="employer",
                                            governing_body_name="Bedrijf BV")], world["vmbo_user"])
    e = next(p for p in agreement.parties if p.role == "employer")
    login_as(client, world["vmbo_user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", p, pct) for p, pct in zip((v, m, e), pcts, strict=False)], "save"))
    assert response.status_code == (302 if ok else 422)
    assert len(agreement.funding_shares) == (3 if ok else 0)


def test_guarantee_with_a_gap_is_rejected_then_accepted(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    login_as(client, world["vmbo_user"])

    def form(second_from):
        data = {"version_id": agreement.version_id, "route_duration_months": "48", "phase-rows": ["0", "1"],
                "action": "save"}
        for key, (a, b, dest, party) in enumerate([(1, 12, "vmbo_bb", v), (second_from, 48, "mbo2", m)]):
            data.update({f"phase-{key}-from_month": str(a), f"phase-{key}-to_month": str(b),
                         f"phase-{key}-destination": dest, f"phase-{key}-responsible_party_id": str(party.id),
                         f"phase-{key}-max_wait_days": "10"})
        return data

    response = client.post(f"/overeenkomsten/{agreement.id}/overstapgarantie", data=form(15))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "maand 13 tot en met 14 heeft geen overstapgarantie" in html
    assert not agreement.guarantee_phases
    response = client.post(f"/overeenkomsten/{agreement.id}/overstapgarantie", data=form(13))
    assert response.status_code == 302 and len(agreement.guarantee_phases) == 2


def test_change_after_signing_is_an_addendum_with_a_readable_diff(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    s = world["session"]
    lifecycle.send_for_signature(s, agreement, world["vmbo_user"])
    for party in agreement.parties:
        lifecycle.sign(s, agreement, party, world["vmbo_user"] if party.role == "vmbo" else world["mbo_user"])
    assert agreement.status == "getekend"
    login_as(client, world["mbo_user"])
    form_page = client.get(f"/overeenkomsten/{agreement.id}/bewerken").get_data(as_text=True)
    # The warning before saving (issue 20 §1): an addendum all parties sign; version 1 stays in force.
    assert "dat alle partijen opnieuw moeten tekenen" in form_page and "Tot dan blijft versie 1 in werking" in form_page
    data = {"version_id": str(agreement.version_id), "title": agreement.title, "route_ids": [str(world["route"].id)],
            "start_date": "2026-08-01", "end_date": "2030-07-31", "team_qualification": "ja",
            "examining_organisation_id": str(world["mbo"].id),
            **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}}
    data["complaints_procedure"] = "Een gezamenlijke klachtencommissie."
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "versie 2 (addendum)" in html and "Nog niet getekend" in html
    assert agreement.status == "concept" and agreement.revision == 2
    diff = client.get(f"/overeenkomsten/{agreement.id}/versies?a=1&b=2").get_data(as_text=True)
    assert "Klachtenregeling" in diff and "Een gezamenlijke klachtencommissie." in diff
    assert "getekend door" in diff  # version 1 keeps its signatures
    stale = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data={**data, "title": "Oud formulier"})
    assert stale.status_code == 422 and "intussen gewijzigd" in stale.get_data(as_text=True)


def test_a_stale_edit_shows_the_other_change_keeps_the_input_and_saves_on_the_second_try(
        client, world):
    """Issue 8, concurrent edits: two coordinators open the form; the first
    saves; the second gets the conflict with the first's change (who, which
    clause, from what to what) and their own input, and can then save."""
    import re
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    opened = agreement.version_id
    data = {"version_id": str(opened), "title": agreement.title, "route_ids": [str(world["route"].id)],
            "start_date": "2026-08-01", "end_date": "2030-07-31", "team_qualification": "ja",
            "examining_organisation_id": str(world["mbo"].id),
            **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}}
    login_as(client, world["mbo_user"])
    first = client.post(f"/overeenkomsten/{agreement.id}/bewerken",
                        data={**data, "complaints_procedure": "Een gezamenlijke klachtencommissie."})
    assert first.status_code == 302
    client.post("/logout")
    login_as(client, world["vmbo_user"])
    stale = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data={**data, "title": "Mijn nieuwe titel"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 422 and "intussen gewijzigd" in html
    row = re.search(r"<td>([^<]*)</td><td>[^<]*</td><td>Klachtenregeling</td><td>([^<]*)</td><td>([^<]*)</td>", html)
    assert row, "the other change is not shown"
    assert row.group(1) == world["mbo_user"].name
    assert row.group(2) == CLAUSES["complaints_procedure"] and row.group(3) == "Een gezamenlijke klachtencommissie."
    assert 'value="Mijn nieuwe titel"' in html
    version = re.search(r'id="version_id" name="version_id" type="hidden" value="(\d+)"', html).group(1)
    assert int(version) == agreement.version_id > opened
    again = client.post(f"/overeenkomsten/{agreement.id}/bewerken",
                        data={**data, "title": "Mijn nieuwe titel", "version_id": version,
                              "complaints_procedure": "Een gezamenlijke klachtencommissie."})
    assert again.status_code == 302
    world["session"].refresh(agreement)
    assert agreement.title == "Mijn nieuwe titel"
    assert agreement.complaints_procedure == "Een gezamenlijke klachtencommissie."


def test_a_stale_funding_save_names_the_other_change_and_keeps_the_rows(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    stale_form = share_form(agreement, [("lumpsum_vo", "2026-2027", v, "70"), ("lumpsum_vo", "2026-2027", m, "30")],
                            action="save")
    login_as(client, world["mbo_user"])
    first = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", v, "60"), ("lumpsum_vo", "2026-2027", m, "40")], action="save"))
    assert first.status_code == 302
    client.post("/logout")
    login_as(client, world["vmbo_user"])
    stale = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=stale_form)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 422 and "intussen gewijzigd" in html
    assert f"{world['mbo_user'].name} wijzigde" in html and "60,00 %" in html  # the other change
    assert 'value="70"' in html  # this person's rows are kept
    world["session"].refresh(agreement)
    assert sorted(str(s.percentage) for s in agreement.funding_shares) == ["40.00", "60.00"]


def test_print_view_has_the_whole_agreement_and_print_css(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    login_as(client, world["mbo_user"])
    html = client.get(f"/overeenkomsten/{agreement.id}/afdrukken").get_data(as_text=True)
    for text in ("<h1>Samenwerkingsovereenkomst test</h1>", "Klachtenregeling", "Lumpsum vo", "Maand", "Ondertekening",
                 "Stichting ROC Test", "data-print"):
        assert text in html
    with client.get("/static/css/portal.css") as response:  # a file response: close it
        css = response.get_data(as_text=True)
    assert "size: A4" in css and ".print-agreement" in css


def test_send_is_refused_while_incomplete(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    login_as(client, world["vmbo_user"])
    html = client.post(f"/overeenkomsten/{agreement.id}/ter-ondertekening", follow_redirects=True).get_data(as_text=True)
    assert "nog niet compleet" in html and agreement.status == "concept"


def test_checklist_names_the_unfunded_school_years_and_send_is_refused(client, world):
    """Issue 20 §4: a 4-year agreement with funding for its first school year only
    passed the checklist and could be sent for signature."""
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    vmbo_party, mbo_party = parties(agreement)
    login_as(client, world["vmbo_user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=share_form(agreement, [
        ("lumpsum_vo", "2026-2027", vmbo_party, "60"), ("lumpsum_vo", "2026-2027", mbo_party, "40"),
        ("rijksbijdrage_mbo", "2026-2027", vmbo_party, "50"), ("rijksbijdrage_mbo", "2026-2027", mbo_party, "50"),
        ("rijksbijdrage_mbo", "2027-2028", vmbo_party, "50"), ("rijksbijdrage_mbo", "2027-2028", mbo_party, "50"),
    ]))
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(f"/overeenkomsten/{agreement.id}/checklist").get_data(as_text=True)
    assert "De verdeling moet elk schooljaar van de looptijd dekken." in html
    assert "Lumpsum vo: geen verdeling voor schooljaren 2027-2028, 2028-2029 en 2029-2030." in html
    assert "Rijksbijdrage mbo: geen verdeling voor schooljaren 2028-2029 en 2029-2030." in html
    html = client.post(f"/overeenkomsten/{agreement.id}/ter-ondertekening", follow_redirects=True).get_data(as_text=True)
    assert "nog niet compleet" in html and "2029-2030" in html
    assert queries.current_status(agreement) == "concept"


def test_expiring_agreements_on_the_overview(client, world, monkeypatch):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    s = world["session"]
    lifecycle.send_for_signature(s, agreement, world["vmbo_user"])
    for party in agreement.parties:
        lifecycle.sign(s, agreement, party, world["vmbo_user"] if party.role == "vmbo" else world["mbo_user"])
    from datetime import date
    monkeypatch.setattr(queries, "today", lambda: date(2030, 6, 1))
    login_as(client, world["mbo_user"])
    html = client.get("/overeenkomsten/").get_data(as_text=True)
    # the panel (by its id: the list's filter link "Verloopt binnen 90 dagen" carries the same words, issue 18)
    assert 'id="verloopt-binnenkort"' in html and "loopt af op 31-07-2030" in html
    monkeypatch.setattr(queries, "today", lambda: date(2030, 8, 1))
    html = client.get("/overeenkomsten/").get_data(as_text=True)
    assert 'id="verloopt-binnenkort"' not in html and "Verlopen" in html


def test_funding_change_after_signing_says_it_is_an_addendum(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    s = world["session"]
    lifecycle.send_for_signature(s, agreement, world["vmbo_user"])
    lifecycle.sign(s, agreement, parties(agreement)[0], world["vmbo_user"])
    v, m = parties(agreement)
    login_as(client, world["mbo_user"])
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX, data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", v, "50"), ("lumpsum_vo", "2026-2027", m, "50")], "save")
    ).get_data(as_text=True)
    assert "nieuwe versie (addendum)" in html, html[html.find("<main"):][:1500]
    assert agreement.revision == 2 and not any(p.is_signed for p in agreement.parties)
    html = client.post(f"/overeenkomsten/{agreement.id}/financiering", headers=HX, data=share_form(
        agreement, [("lumpsum_vo", "2026-2027", v, "55"), ("lumpsum_vo", "2026-2027", m, "45")], "save")
    ).get_data(as_text=True)
    assert "De verdeling van de middelen is opgeslagen." in html and "addendum" not in html
    assert agreement.revision == 2


def test_route_fragment_lists_the_covering_agreements(app, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"])
    from flask import render_template
    from flask_login import login_user
    with app.test_request_context("/"):
        html = render_template("agreements/_for_route.html", route=world["route"])
        assert agreement.title not in html  # a concept is not public (issue 20)
        login_user(world["vmbo_user"])  # its party sees it
        html = render_template("agreements/_for_route.html", route=world["route"])
    assert agreement.title in html and "concept" in html


def test_create_form_explains_when_there_is_no_route_yet(client, db_session):
    from tests.factories import make_user
    login_as(client, make_user("coordinator"))
    html = client.get("/overeenkomsten/nieuw").get_data(as_text=True)
    assert "Registreer eerst een leerroute" in html


@pytest.mark.parametrize("field, value", [
    ("examining_organisation_id", "abc"), ("examining_organisation_id", "99999999999999999999"),
])
def test_odd_examining_party_is_an_error_not_a_crash(client, world, field, value):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    login_as(client, world["vmbo_user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data={
        "title": "x", "route_ids": [str(world["route"].id)], "start_date": "2026-08-01", "end_date": "2030-07-31",
        field: value})
    assert response.status_code == 422 and "Kies een mbo-partij" in response.get_data(as_text=True)


def test_huge_amount_and_long_names_are_errors_not_crashes(client, world):
    agreement = make_agreement(world["vmbo_user"], world["route"], world["mbo"], complete=False)
    v, m = parties(agreement)
    login_as(client, world["vmbo_user"])
    data = share_form(agreement, [("lumpsum_vo", "2026-2027", v, "60"), ("lumpsum_vo", "2026-2027", m, "40")], "save")
    data.update({"total-rows": ["0"], "total-0-stream": "lumpsum_vo", "total-0-school_year": "2026-2027",
                 "total-0-amount": "99999999999999", "total-0-recipient_party_id": str(v.id)})
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data)
    assert response.status_code == 422 and "10 miljard" in response.get_data(as_text=True)
    rows = {"version_id": agreement.version_id, "party-rows": ["0", "1"]}
    for key, p in enumerate((v, m)):
        rows.update({f"party-{key}-organisation_id": str(p.organisation_id), f"party-{key}-role": p.role,
                     f"party-{key}-governing_body_name": "x" * 300})
    response = client.post(f"/overeenkomsten/{agreement.id}/partijen", data=rows)
    assert response.status_code == 422 and "hoogstens 255 tekens" in response.get_data(as_text=True)
