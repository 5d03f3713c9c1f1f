"""Regioplannen over HTTP: the penvoerder's editors and submission, staff's
assignment and decision, the assessor's scores and advice (and who may not),
the overview and its export."""
from __future__ import annotations

import csv
import io

import pytest

from portal.domain import plans as dom
from portal.services.plans import assessment
from tests.conftest import login_as
from tests.factories_plans import make_plan_world, score_all, to_review


@pytest.fixture
def world(db_session, app):
    w = make_plan_world(db_session)
    db_session.commit()
    return w


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_lead_sees_every_page_of_a_concept_plan(client, world):
    login_as(client, world.lead)
    plan_id = world.plan.id
    text = page(client, f"/regioplannen/{plan_id}")
    assert "Plan indienen" in text and "10,00 %" in text
    for suffix in ("bewerken", "acties", "begroting", "partijen", "versies"):
        page(client, f"/regioplannen/{plan_id}/{suffix}")
    page(client, "/regioplannen/")
    page(client, "/regioplannen/overzicht")


def test_the_budget_editor_shows_the_share_live_and_refuses_below_ten_percent(client, world):
    login_as(client, world.lead)
    url = f"/regioplannen/{world.plan.id}/begroting"
    rows = {"line-rows": ["0", "1"], "line-0-year": "2026", "line-0-stream": dom.SUBSIDY, "line-0-amount": "9001",
            "line-1-year": "2026", "line-1-stream": dom.BUSINESS_MONEY, "line-1-amount": "999",
            "version_id": str(world.plan.version_id)}
    live = client.post(url, data={**rows, "action": "check"}, headers={"HX-Request": "true"})
    body = live.get_data(as_text=True)
    assert live.status_code == 200 and 'id="co-financing"' in body and "9,99 %" in body and "te laag" in body
    assert "<html" not in body
    live = client.post(url, data={**rows, "line-1-amount": "1.000,00", "line-0-amount": "9000", "action": "check"},
                       headers={"HX-Request": "true"})
    assert "10,00 %" in live.get_data(as_text=True) and "voldoet" in live.get_data(as_text=True)
    # saving a budget below the threshold is allowed (a concept); submitting it is not
    saved = client.post(url, data={**rows, "action": "save"})
    assert saved.status_code == 302
    submit = client.post(f"/regioplannen/{world.plan.id}/indienen", follow_redirects=True)
    text = submit.get_data(as_text=True)
    assert "9,99 %" in text and "minstens 10,00 %" in text
    assert "Status: <strong id=\"plan-status\">Concept" in text


def test_a_bad_budget_row_is_shown_at_the_row_and_nothing_saved(client, world, db_session):
    login_as(client, world.lead)
    before = sorted((b.year, b.stream, str(b.amount)) for b in world.plan.budget_lines)
    response = client.post(f"/regioplannen/{world.plan.id}/begroting", data={
        "line-rows": ["0"], "line-0-year": "2026", "line-0-stream": dom.SUBSIDY, "line-0-amount": "veel",
        "action": "save"})
    assert response.status_code == 422
    assert "Vul een getal in" in response.get_data(as_text=True)
    db_session.expire_all()
    assert sorted((b.year, b.stream, str(b.amount)) for b in world.plan.budget_lines) == before


def test_actions_are_added_and_saved(client, world):
    login_as(client, world.lead)
    url = f"/regioplannen/{world.plan.id}/acties"
    added = client.post(url, data={"action-rows": ["0"], "action-0-description": "Eerste",
                                   "action-0-owner": str(world.orgs["vmbo1"].id), "action-0-year": "2026",
                                   "action-0-result": "Resultaat", "action": "add-action"})
    assert "Actie 2" in added.get_data(as_text=True)
    bad = client.post(url, data={"action-rows": ["0"], "action-0-description": "Eerste",
                                 "action-0-owner": str(world.orgs["outside"].id), "action-0-year": "twintig",
                                 "action-0-result": "", "action": "save"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Kies een partij van de planregio" in text and "meetbare resultaat" in text
    ok = client.post(url, data={"action-rows": ["0"], "action-0-description": "Stages bij installateurs",
                                "action-0-owner": str(world.orgs["employer"].id), "action-0-year": "2027",
                                "action-0-result": "40 stageplaatsen", "action": "save"}, follow_redirects=True)
    assert "Stages bij installateurs" in ok.get_data(as_text=True)


def test_creating_a_plan_region_with_the_search(client, world, db_session):
    from tests.factories import make_organisation, make_user
    school = make_organisation("vmbo", name="Synthetisch Zoekcollege")
    other_school = make_organisation("vso", name="Synthetisch Zoek-vso")
    coordinator = make_user("coordinator", school)
    db_session.commit()
    login_as(client, coordinator)
    url = f"/regioplannen/rondes/{world.round.id}/planregio/nieuw"
    found = client.post(url, data={"name": "Zoekregio", "q": "Zoek-vso", "action": "search"})
    assert "Synthetisch Zoek-vso" in found.get_data(as_text=True)
    taken = client.post(url, data={"name": "Zoekregio", "members": [str(world.orgs["vso"].id)], "action": "save"})
    assert taken.status_code == 422 and "hoogstens één planregio" in taken.get_data(as_text=True)
    saved = client.post(url, data={"name": "Zoekregio", "members": [str(other_school.id)], "action": "save"},
                        follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Regioplan Zoekregio" in text and "Synthetisch Zoekcollege" in text and "penvoerder" in text


def test_the_full_assessment_flow_and_who_sees_the_scores(client, world, db_session):
    plan_id = world.plan.id
    login_as(client, world.lead)
    assert client.post(f"/regioplannen/{plan_id}/indienen").status_code == 302
    login_as(client, world.staff)
    party = client.post(f"/regioplannen/{plan_id}/toewijzen", data={"assessors": [str(world.party_assessor.id)]})
    assert party.status_code == 422 and "geen partij" in party.get_data(as_text=True)
    client.post(f"/regioplannen/{plan_id}/toewijzen", data={"assessors": [str(world.assessor.id)]})
    db_session.expire_all()
    assert world.plan.state == dom.IN_REVIEW
    # an assessor who is a party is refused, even when assigned by hand
    from portal.models.plan_assessment import PlanAssessor
    db_session.add(PlanAssessor(plan_id=plan_id, user_id=world.party_assessor.id))
    db_session.commit()
    login_as(client, world.party_assessor)
    assert client.get(f"/regioplannen/{plan_id}/beoordelen").status_code == 403
    login_as(client, world.assessor)
    criteria = assessment.active_criteria(db_session)
    scores = {"action": "scores"}
    for c in criteria:
        scores[f"score-{c.id}-score"] = "2"
        scores[f"score-{c.id}-motivation"] = "Synthetisch: te weinig bedrijven"
    assert client.post(f"/regioplannen/{plan_id}/beoordelen", data=scores).status_code == 302
    # before the advice the penvoerder sees no scores; the assessor does
    assert "te weinig bedrijven" in page(client, f"/regioplannen/{plan_id}")
    login_as(client, world.lead)
    text = page(client, f"/regioplannen/{plan_id}")
    assert "te weinig bedrijven" not in text and "zichtbaar zodra het advies is gegeven" in text
    login_as(client, world.assessor)
    advice = client.post(f"/regioplannen/{plan_id}/beoordelen", data={
        "advies-outcome": dom.NOT_READY, "advies-advice_text": "Nog niet", "advies-improvement_points": "",
        "advies-flag": "", "action": "advice"})
    assert advice.status_code == 422 and "Verbeterpunten" in advice.get_data(as_text=True)
    client.post(f"/regioplannen/{plan_id}/beoordelen", data={
        "advies-outcome": dom.NOT_READY, "advies-advice_text": "Nog niet", "advies-flag": "techniekarm",
        "advies-improvement_points": "Betrek meer installatiebedrijven", "action": "advice"})
    login_as(client, world.lead)
    text = page(client, f"/regioplannen/{plan_id}")
    assert "te weinig bedrijven" in text and "Betrek meer installatiebedrijven" in text and "Techniekarm" in text
    assert "Opnieuw indienen" in text


def test_overview_counts_are_public_and_the_plans_are_for_staff(client, world, db_session):
    to_review(db_session, world)
    score_all(db_session, world)
    db_session.commit()
    login_as(client, None)
    text = page(client, "/regioplannen/overzicht")
    assert world.round.name in text and world.region.name not in text
    assert client.get("/regioplannen/overzicht.csv").status_code == 302  # to the login page
    login_as(client, world.staff)
    text = page(client, "/regioplannen/overzicht")
    assert world.region.name in text and "10,00 %" in text
    rows = list(csv.DictReader(io.StringIO(client.get("/regioplannen/overzicht.csv").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))
    mine = [r for r in rows if r["planregio"] == world.region.name]
    assert mine and mine[0]["status"] == "In beoordeling" and mine[0]["cofinanciering_procent"] == "10.00"
    xlsx = client.get("/regioplannen/overzicht.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/regioplannen/overzicht.pdf").status_code == 404


@pytest.mark.parametrize("who, status", [("lead", 200), ("partner", 200), ("outsider", 403), ("staff", 200),
                                         ("assessor", 403)])
def test_who_sees_a_plan(client, world, who, status):
    login_as(client, getattr(world, who))
    assert client.get(f"/regioplannen/{world.plan.id}").status_code == status


def test_only_the_lead_edits_and_submits(client, world):
    for user in (world.partner, world.staff, world.outsider):
        login_as(client, user)
        assert client.get(f"/regioplannen/{world.plan.id}/begroting").status_code == 403
        assert client.post(f"/regioplannen/{world.plan.id}/indienen").status_code == 403


def test_progress_report_and_midterm_pages(client, world, db_session):
    from portal.services.plans import lifecycle
    to_review(db_session, world)
    score_all(db_session, world)
    lifecycle.advise(db_session, world.plan, dom.POSITIVE, "Goed", "", "", world.assessor)
    lifecycle.approve(db_session, world.plan, world.staff)
    db_session.commit()
    login_as(client, world.lead)
    assert client.get(f"/regioplannen/{world.plan.id}/voortgang").status_code == 403  # not yet in uitvoering
    login_as(client, world.staff)
    client.post(f"/regioplannen/{world.plan.id}/uitvoering")
    login_as(client, world.lead)
    url = f"/regioplannen/{world.plan.id}/voortgang"
    action = world.plan.actions[0]
    data = {"year": "2026", f"action-{action.id}-percent": "150", f"action-{action.id}-explanation": "Loopt"}
    data.update({f"line-{b.id}-spent": "100" for b in world.plan.budget_lines})
    bad = client.post(url, data=data)
    assert bad.status_code == 422 and "percentage van 0 tot en met 100" in bad.get_data(as_text=True)
    data[f"action-{action.id}-percent"] = "60"
    text = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "60 % gereed" in text and "Uitgegeven: € 200,00" in text
    login_as(client, world.assessor)
    midterm = client.post(f"/regioplannen/{world.plan.id}/tussenevaluatie",
                          data={"findings": "Synthetisch: op schema"}, follow_redirects=True)
    assert "Synthetisch: op schema" in midterm.get_data(as_text=True)


def test_the_arbeidsmarktregio_page_lists_the_plans_covering_part_of_it(client, db_session, reference_data):
    from portal.services.plans import regions
    from tests.factories_map import make_school
    from tests.factories_plans import fill_plan, make_round
    w = make_plan_world(db_session)
    school = make_school("AM38", name="Synthetisch Vallei-vmbo")
    region = regions.create_region(db_session, w.round, "Synthetische Valleiregio", w.orgs["outside"].id,
                                   [school.id, w.orgs["mbo"].id, w.orgs["employer"].id], w.staff)
    fill_plan(db_session, region.plan, w.lead)
    concept = regions.create_region(db_session, make_round(db_session, w.staff), "Synthetisch Valleiconcept",
                                    school.id, [], w.staff)
    db_session.commit()
    text = page(client, "/regio/AM38")
    assert "Synthetische Valleiregio" not in text  # a concept is not listed yet
    region.plan.state = dom.SUBMITTED  # the content rules are not this test's subject
    db_session.commit()
    text = page(client, "/regio/AM38")
    assert "Synthetische Valleiregio" in text and "Ingediend" in text
    assert concept.name not in text


def test_the_plan_area_is_the_hull_of_its_schools_over_their_regions(client, db_session, reference_data):
    import json
    import re

    from portal.domain.plan_area import STATE_COLOURS
    from portal.services.plans import regions
    from tests.factories_map import make_school
    w = make_plan_world(db_session)
    schools = [make_school("AM38", name=f"Synthetische kaartschool {i}", lat=52.0 + i / 10, lon=5.5) for i in range(3)]
    region = regions.create_region(db_session, w.round, "Synthetische kaartregio", schools[0].id,
                                   [s.id for s in schools] + [w.orgs["employer"].id], w.staff)
    db_session.commit()
    login_as(client, w.staff)
    for url in (f"/regioplannen/{region.plan.id}", "/regioplannen/overzicht"):
        text = page(client, url)
        blocks = re.findall(r'<script type="application/json" id="[^"]+-areas" nonce="[^"]+">(.*?)</script>', text)
        assert len(blocks) == 1, url
        features = {f["id"]: f for f in json.loads(blocks[0])["features"]}
        hull = features[f"plan-{region.plan.id}"]
        assert hull["geometry"]["type"] == "Polygon"
        lats = [lat for _lon, lat in hull["geometry"]["coordinates"][0]]
        assert min(lats) < 52.0 and max(lats) > 52.2  # around the southern and the northern school
        assert hull["properties"]["fill"] == STATE_COLOURS[dom.CONCEPT]
        assert "AM38" in features  # the arbeidsmarktregio the schools lie in
        assert "https://" not in "".join(re.findall(r'<(?:script|link)[^>]+(?:src|href)="[^"]+"', text))


def test_attachments_of_the_analysis(client, world, db_session):
    from tests.factories_practices import PDF_BYTES
    login_as(client, world.lead)
    url = f"/regioplannen/{world.plan.id}/bijlagen"
    refused = client.post(url, data={"title": "Geen pdf", "file": (io.BytesIO(b"not a pdf"), "x.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "geen toegestaan type" in refused.get_data(as_text=True)
    assert not world.plan.attachments
    added = client.post(url, data={"title": "Arbeidsmarktcijfers", "file": (io.BytesIO(PDF_BYTES), "cijfers.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "Arbeidsmarktcijfers" in added.get_data(as_text=True)
    db_session.expire_all()
    attachment = world.plan.attachments[0]
    download = client.get(f"/regioplannen/{world.plan.id}/bijlagen/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    login_as(client, world.outsider)
    assert client.get(f"/regioplannen/{world.plan.id}/bijlagen/{attachment.id}").status_code == 403
    login_as(client, world.lead)
    client.post(f"/regioplannen/{world.plan.id}/bijlagen/{attachment.id}/verwijderen")
    db_session.expire_all()
    assert not world.plan.attachments


def test_an_attachment_is_found_only_under_its_own_plan(client, world, db_session):
    """Another plan's attachment id under this plan's URL is not found, for
    a user who may see both plans (the control: under its own plan it is)."""
    from tests.factories_plans import add_pdf, make_plan_world
    other = make_plan_world(db_session)
    foreign = add_pdf(db_session, other.plan, other.lead)
    own = add_pdf(db_session, world.plan, world.lead)
    db_session.commit()
    login_as(client, world.staff)
    assert client.get(f"/regioplannen/{other.plan.id}/bijlagen/{foreign.id}").status_code == 200
    assert client.get(f"/regioplannen/{world.plan.id}/bijlagen/{foreign.id}").status_code == 404
    login_as(client, world.lead)
    removed = client.post(f"/regioplannen/{world.plan.id}/bijlagen/{foreign.id}/verwijderen")
    assert removed.status_code == 404
    db_session.expire_all()
    assert [a.id for a in other.plan.attachments] == [foreign.id] and [a.id for a in world.plan.attachments] == [own.id]
