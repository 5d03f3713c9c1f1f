"""The area of a plan region on the real 2025 boundaries: the hull of its
schools and the arbeidsmarktregio's that hull overlaps (not the regions where
its mbo institution or employers happen to lie), on the plan page and on
each arbeidsmarktregio's page, where a concept is listed only for its parties
and staff and a submitted plan for everyone."""
from __future__ import annotations

import json
import re

import pytest

from portal.domain import plans as dom
from portal.services.plans import lifecycle, regions
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_map import make_school
from tests.factories_plans import fill_plan, make_round

# Ede (FoodValley, AM38) and Doetinchem (Achterhoek, AM09): the line between
# them crosses Midden-Gelderland (AM07), where neither school lies.
EDE, DOETINCHEM = (52.04, 5.67), (51.96, 6.29)


@pytest.fixture
def gelderland(db_session, reference_data):
    """A plan region of a school in Ede and one in Doetinchem, with an mbo
    institution and an employer in Rijnmond (AM22), its plan filled in concept."""
    staff = make_user("staff")
    ede = make_school("AM38", name="Synthetisch Vmbo Ede", lat=EDE[0], lon=EDE[1])
    doetinchem = make_school("AM09", name="Synthetisch Vmbo Doetinchem", lat=DOETINCHEM[0], lon=DOETINCHEM[1])
    mbo = make_school("AM22", kind="mbo", name="Synthetisch ROC Rijnmond")
    employer = make_school("AM22", kind="employer", name="Synthetisch Havenbedrijf")
    lead = make_user("coordinator", ede)
    region = regions.create_region(db_session, make_round(db_session, staff), "Synthetische Gelderse planregio",
                                   ede.id, [ede.id, doetinchem.id, mbo.id, employer.id], lead)
    fill_plan(db_session, region.plan, lead)
    db_session.commit()
    return {"region": region, "plan": region.plan, "lead": lead, "staff": staff,
            "partner": make_user("coordinator", mbo), "outsider": make_user("coordinator", make_school("AM07")),
            "db": db_session}


def plan_listed(client, code: str, name: str) -> str | None:
    """The state shown for the plan on /regio/<code>, or None when it is not listed."""
    response = client.get(f"/regio/{code}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    listing = re.search(r'<ul id="regioplannen">(.*?)</ul>', text, re.S)
    if listing is None:
        return None
    item = next((li for li in re.findall(r"<li>(.*?)</li>", listing.group(1), re.S) if name in li), None)
    if item is None:
        return None
    return re.search(r'<span class="plan-state">([^<]+)</span>', item).group(1)


def test_the_plan_page_names_the_regions_the_hull_overlaps(client, gelderland):
    login_as(client, gelderland["lead"])
    text = client.get(f"/regioplannen/{gelderland['plan'].id}").get_data(as_text=True)
    overlap = re.search(r'<p id="overlapt">(.*?)</p>', text, re.S).group(1)
    assert re.findall(r"\((AM\d\d)\)", overlap) == ["AM07", "AM09", "AM38"]
    assert 'href="/regio/AM07"' in overlap
    block = re.search(r'<script type="application/json" id="[^"]+-areas" nonce="[^"]+">(.*?)</script>', text)
    features = {f["id"] for f in json.loads(block.group(1))["features"]}
    assert {"AM07", "AM09", "AM38", f"plan-{gelderland['plan'].id}"} <= features
    assert "AM22" not in features  # where the mbo institution and the employer lie: not the plan's area


def test_a_submitted_plan_is_listed_publicly_where_its_hull_lies(client, gelderland):
    lifecycle.submit(gelderland["db"], gelderland["plan"], gelderland["lead"])
    gelderland["db"].commit()
    login_as(client, None)
    for code in ("AM38", "AM09", "AM07"):  # AM07: no school there, but the hull crosses it
        assert plan_listed(client, code, "Synthetische Gelderse planregio") == "Ingediend", code
    for code in ("AM22", "AM05"):  # AM22: only the mbo institution and the employer; AM05: nothing
        assert plan_listed(client, code, "Synthetische Gelderse planregio") is None, code


@pytest.mark.parametrize("who, listed", [("anonymous", False), ("outsider", False), ("partner", True),
                                         ("lead", True), ("staff", True)])
def test_a_concept_is_listed_only_for_its_parties_and_staff(client, gelderland, who, listed):
    login_as(client, None if who == "anonymous" else gelderland[who])
    state = plan_listed(client, "AM07", "Synthetische Gelderse planregio")
    assert state == ("Concept" if listed else None)


def test_a_concept_withdrawn_before_submission_stays_unlisted(client, gelderland):
    lifecycle.withdraw(gelderland["db"], gelderland["plan"], gelderland["lead"])
    gelderland["db"].commit()
    login_as(client, None)
    assert plan_listed(client, "AM38", "Synthetische Gelderse planregio") is None
    login_as(client, gelderland["staff"])
    assert plan_listed(client, "AM38", "Synthetische Gelderse planregio") == dom.STATE_NAMES[dom.WITHDRAWN]


def test_a_withdrawn_submitted_plan_stays_listed(client, gelderland):
    lifecycle.submit(gelderland["db"], gelderland["plan"], gelderland["lead"])
    lifecycle.withdraw(gelderland["db"], gelderland["plan"], gelderland["lead"])
    gelderland["db"].commit()
    login_as(client, None)
    assert plan_listed(client, "AM09", "Synthetische Gelderse planregio") == "Ingetrokken"
