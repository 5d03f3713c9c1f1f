"""The assessor role on every /regioplannen endpoint, beside the permission
matrix's assessor column (an assigned assessor without an organisation) the
cases it cannot hold: an assigned independent assessor views and assesses
the plan; an unassigned assessor, and an assigned one who works at a party of
the plan, are refused; an assessor never edits, submits or decides."""
from __future__ import annotations

import pytest

from portal.models.plan_assessment import PlanAssessor
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_plans import make_plan_world, to_review

OK, FORBIDDEN = "ok", 403

# endpoint path (after /regioplannen/<id>), method -> (assigned, unassigned, assigned party)
PLAN_CASES = {
    ("", "GET"): (OK, FORBIDDEN, FORBIDDEN),
    ("/versies", "GET"): (OK, FORBIDDEN, FORBIDDEN),
    ("/beoordelen", "GET"): (OK, FORBIDDEN, FORBIDDEN),
    ("/beoordelen", "POST"): (OK, FORBIDDEN, FORBIDDEN),
    ("/bewerken", "GET"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/begroting", "POST"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/acties", "GET"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/partijen", "GET"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/indienen", "POST"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/intrekken", "POST"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/toewijzen", "GET"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/goedkeuren", "POST"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/uitvoering", "POST"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/voortgang", "GET"): (FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/tussenevaluatie", "GET"): (OK, FORBIDDEN, FORBIDDEN),  # the commission: its assessors (and staff)
}
GLOBAL_CASES = {"/regioplannen/rondes/nieuw": FORBIDDEN, "/regioplannen/beoordelingskader": FORBIDDEN,
                "/regioplannen/overzicht.csv": FORBIDDEN, "/regioplannen/": OK, "/regioplannen/overzicht": OK}


@pytest.fixture
def world(db_session, app):
    w = make_plan_world(db_session)
    to_review(db_session, w)
    db_session.add(PlanAssessor(plan_id=w.plan.id, user_id=w.party_assessor.id))  # assigned around the service
    w.unassigned = make_user("assessor")  # type: ignore[attr-defined]
    db_session.commit()
    return w


def outcome(response):
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code in (200, 302, 422), response.status_code
    return OK


@pytest.mark.parametrize("suffix, method", list(PLAN_CASES), ids=[f"{m} {s or '/'}" for s, m in PLAN_CASES])
def test_assessor_on_plan_pages(client, world, suffix, method):
    url = f"/regioplannen/{world.plan.id}{suffix}"
    got = []
    for user in (world.assessor, world.unassigned, world.party_assessor):
        login_as(client, user)
        got.append(outcome(client.open(url, method=method, data={})))
    assert tuple(got) == PLAN_CASES[(suffix, method)]


@pytest.mark.parametrize("url", list(GLOBAL_CASES))
def test_assessor_on_area_pages(client, world, url):
    login_as(client, world.assessor)
    assert outcome(client.get(url)) == GLOBAL_CASES[url]


def test_assessor_sees_only_assigned_plans_in_their_list(client, world, db_session):
    other = make_plan_world(db_session)
    db_session.commit()
    login_as(client, world.assessor)
    text = client.get("/regioplannen/").get_data(as_text=True)
    assert world.region.name in text and other.region.name not in text


def test_control_the_party_check_is_what_refuses(client, world, monkeypatch):
    """Without the party check the party assessor would get in: the refusal
    above comes from that check, not from something else."""
    login_as(client, world.party_assessor)
    url = f"/regioplannen/{world.plan.id}/beoordelen"
    assert client.get(url).status_code == 403
    monkeypatch.setattr("portal.routes.plans.assessment.is_independent_assessor",
                        lambda user, plan, assigned: user.id in assigned)
    assert client.get(url).status_code == 200


def test_staff_make_a_member_of_the_commission(client, db_session):
    from sqlalchemy import select

    from portal.models import User
    login_as(client, make_user("staff"))
    assert 'value="assessor"' in client.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "commissie@example.org", "name": "Synthetisch Commissielid", "role": "assessor",
        "organisation_id": "", "password": "een goed wachtwoord"})
    assert response.status_code == 302
    assert db_session.scalar(select(User.role).where(User.email == "commissie@example.org")) == "assessor"
