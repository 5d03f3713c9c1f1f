"""Regioplannen under truly parallel requests (gunicorn, threads released by
a barrier): the penvoerder saves the budget from two tabs at the same moment,
and presses "Plan indienen" twenty times at once. Each race has a `problems`
function (empty is right); its control runs against the server without the
aggregate lock (PORTAL_AGGREGATE_LOCKS=off, PORTAL_SQLITE_BEGIN=deferred) to
show the race can go wrong there."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models.plan import PlanBudgetLine, PlanVersion, RegionalPlan
from scripts.soak_client import replace
from tests.concurrency import seed
from tests.concurrency.live import Answer, Server, open_form, race
from tests.concurrency.test_agreement_races import NO_OLD_FAILURE_ON_POSTGRESQL, control, one_saved_one_conflict
from tests.factories import PASSWORD
from tests.factories_plans import make_plan_world

CONFLICT = re.compile(r"Iemand anders heeft (dit plan|dit) intussen gewijzigd")
AMOUNTS = ("90000", "80000")


@dataclass
class PlanCase:
    plan_id: int
    lead_email: str


def plan_case(app) -> PlanCase:
    with seed.committed(app):
        world = make_plan_world(db.session)
        return PlanCase(world.plan.id, world.lead.email)


def stored_budget(app, plan_id: int) -> list[tuple[str, Decimal]]:
    with seed.committed(app):
        return sorted((line.stream, line.amount) for line in db.session.scalars(
            select(PlanBudgetLine).where(PlanBudgetLine.plan_id == plan_id)))


def stored_versions(app, plan_id: int) -> tuple[str, list[int]]:
    with seed.committed(app):
        plan = db.session.get(RegionalPlan, plan_id)
        numbers = list(db.session.scalars(select(PlanVersion.number).where(PlanVersion.plan_id == plan_id)))
        return plan.state, sorted(numbers)


def budget_race(world, server: Server) -> list[str]:
    case = plan_case(world.app)
    browsers = [server.login(case.lead_email, PASSWORD) for _ in range(2)]  # two tabs of the penvoerder
    path = f"/regioplannen/{case.plan_id}/begroting"
    forms = [replace(open_form(b, path, "version_id"), **{"line-0-amount": amount, "action": "save"})
             for b, amount in zip(browsers, AMOUNTS, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, CONFLICT, [f'value="{a}"' for a in AMOUNTS])
    stored = stored_budget(world.app, case.plan_id)
    raced = [amount for _stream, amount in stored if str(int(amount)) in AMOUNTS]  # row 0 of the editor
    if len(stored) != 2 or len(raced) != 1:
        problems.append(f"stored budget {stored} is not one of the two saves")
    return problems


def test_two_budget_saves_from_one_version_one_wins(world, portal):
    assert budget_race(world, portal) == []


def test_control_budget_race_without_the_lock_goes_wrong(world):
    if not world.sqlite:
        pytest.skip(NO_OLD_FAILURE_ON_POSTGRESQL)
    seen = control(world, budget_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


def submit_race(world, server: Server) -> list[str]:
    case = plan_case(world.app)
    browser = server.login(case.lead_email, PASSWORD)
    path = f"/regioplannen/{case.plan_id}/indienen"
    form = open_form(browser, f"/regioplannen/{case.plan_id}", "version_id")
    answers: list[Answer] = race(20, lambda i: browser.request("POST", path, "submit", form))
    problems = [f"{a.status} answer: {a.snippet}" for a in answers if a.status >= 500 or a.status == 0]
    state, numbers = stored_versions(world.app, case.plan_id)
    if state != "ingediend" or numbers != [1]:
        problems.append(f"after 20 parallel submits: state {state}, versions {numbers} (one version 1 wanted)")
    return problems


def test_twenty_parallel_submits_make_one_version(world, portal):
    assert submit_race(world, portal) == []


def test_control_twenty_parallel_submits_without_the_lock_go_wrong(world):
    if not world.sqlite:
        pytest.skip(NO_OLD_FAILURE_ON_POSTGRESQL)
    seen = control(world, submit_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


# --- a vestiging in at most one plan region per round ----------------------------

@dataclass
class ContestedCase:
    round_id: int
    school_id: int
    emails: tuple[str, str]


def contested_case(app) -> ContestedCase:
    """Two coordinators (of two vmbo schools) and a third school both want in their plan region."""
    from tests.factories import make_organisation, make_user
    from tests.factories_plans import make_round
    with seed.committed(app):
        plan_round = make_round(db.session, make_user("staff"))
        contested = make_organisation("vmbo", name="Synthetisch Betwist College")
        leads = [make_user("coordinator", make_organisation("vmbo", name=f"Synthetisch Penvoerder {n}"))
                 for n in (1, 2)]
        return ContestedCase(plan_round.id, contested.id, (leads[0].email, leads[1].email))


def regions_holding(app, round_id: int, school_id: int) -> list[int]:
    from portal.models.plan import PlanRegionMember
    with seed.committed(app):
        return list(db.session.scalars(select(PlanRegionMember.plan_region_id).where(
            PlanRegionMember.round_id == round_id, PlanRegionMember.organisation_id == school_id)))


def contested_race(world, server: Server) -> list[str]:
    case = contested_case(world.app)
    browsers = [server.login(email, PASSWORD) for email in case.emails]
    path = f"/regioplannen/rondes/{case.round_id}/planregio/nieuw"
    forms = [replace(open_form(b, path), name=f"Synthetische racende planregio {i}", action="save")
             + [("members", str(case.school_id))] for i, b in enumerate(browsers)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = [f"{a.status} answer: {a.snippet}" for a in answers if a.status >= 500 or a.status == 0]
    saved = [a for a in answers if a.status == 302]
    refused = [a for a in answers if a.status == 422 and "hoogstens één planregio" in a.body]
    if len(saved) != 1 or len(refused) != 1:
        problems.append(f"not one saved and one refused with the rule's message: {answers}")
    holding = regions_holding(world.app, case.round_id, case.school_id)
    if len(holding) != 1:
        problems.append(f"the contested school is in {len(holding)} plan regions of the round")
    return problems


def test_two_plan_regions_claiming_one_school_at_once_one_gets_it(world, portal):
    """The service's check and the database's partial unique index together:
    the loser of the race gets the rule's Dutch message, never a 500."""
    assert contested_race(world, portal) == []
