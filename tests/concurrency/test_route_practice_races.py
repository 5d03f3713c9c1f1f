"""Routes and practices under simultaneous use: 20 parallel creates with one
submission key (a browser retrying, a double click), and two people saving
the same route or practice at the same moment. Real parallel requests
against gunicorn; each race's control runs against the server with the old
behaviour (tests/concurrency/conftest.py) and shows the test can fail."""
from __future__ import annotations

import re

import pytest

from scripts.soak_client import replace
from tests.concurrency import seed
from tests.concurrency.live import Server, open_form, race
from tests.concurrency.test_agreement_races import ATTEMPTS, one_saved_one_conflict, server_errors
from tests.factories import PASSWORD

ROUTE_CONFLICT = re.compile(r"heeft deze leerroute (zojuist )?gewijzigd")
PRACTICE_CONFLICT = "Iemand anders heeft dit voorbeeld intussen opgeslagen"


def until_it_goes_wrong(world, race_once, attempts: int = ATTEMPTS) -> list[list[str]]:
    seen = []
    for _ in range(attempts):
        seen.append(race_once(world, world.server("control")))
        if seen[-1]:
            break
    return seen


# --- 20 creates with one submission key ----------------------------------------

def twenty_creates(world, server: Server) -> list[str]:
    """One coordinator's route create form, sent 20 times at once with its
    one submission key: one route, and every answer a redirect to it."""
    case = seed.route(world.app)
    browser = server.login(case.vmbo_email, PASSWORD)
    fields = [(k, v) for k, v in open_form(browser, f"/leerroutes/{case.route_id}/bewerken", "version_id")
              if k not in ("version_id", "csrf_token", "submission_key")]
    create = open_form(browser, "/leerroutes/nieuw", "submission_key")
    title = f"Gelijktijdig aangemaakt {case.route_id}"
    form = replace(fields, title=title, opslaan="1", pathways="BB", csrf_token=dict(create)["csrf_token"],
                   submission_key=dict(create)["submission_key"])
    answers = race(20, lambda _i: browser.request("POST", "/leerroutes/nieuw", "create", form))
    problems = server_errors(answers)
    made = seed.routes_titled(world.app, title)
    if len(made) != 1:
        problems.append(f"20 creates with one key made {len(made)} routes")
    locations = {a.location for a in answers}
    wrong = [a for a in answers if a.status != 302]
    assert problems or not wrong, f"creates refused, and not by the race: {wrong[:2]}"
    if wrong or len(locations) != 1 or (made and not next(iter(locations)).endswith(f"/leerroutes/{made[0]}")):
        problems.append(f"not every create was redirected to the one route {made}: "
                        f"{sorted({(a.status, a.location) for a in answers}, key=str)}; {wrong[:2]}")
    return problems


def test_twenty_creates_with_one_key_make_one_route_and_redirect_to_it(world, portal):
    assert twenty_creates(world, portal) == []


def test_control_twenty_creates_with_a_deferred_begin_answer_503_on_sqlite(world):
    if not world.sqlite:
        pytest.skip("the old failure was SQLite's BUSY_SNAPSHOT; on PostgreSQL the key's unique index "
                    "serialises the creates (tests/http/test_security_idempotency.py)")
    seen = until_it_goes_wrong(world, twenty_creates, attempts=4)
    assert seen[-1], f"no attempt of {len(seen)} went wrong with a deferred BEGIN: the test could not fail"


# --- two saves of one route ----------------------------------------------------

def route_edit_race(world, server: Server) -> list[str]:
    case = seed.route(world.app)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    path = f"/leerroutes/{case.route_id}/bewerken"
    titles = [f"Route {case.route_id} door de vmbo-coördinator", f"Route {case.route_id} door de mbo-coördinator"]
    forms = [replace(open_form(b, path, "version_id"), title=title, opslaan="1", pathways="BB")
             for b, title in zip(browsers, titles, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, ROUTE_CONFLICT, [f'value="{t}"' for t in titles])
    stored = seed.route_title(world.app, case.route_id)
    winners = [titles[i] for i, a in enumerate(answers) if a.status == 302]
    if winners and stored != winners[0]:
        problems.append(f"stored title {stored!r} is not the saved one {winners[0]!r}")
    return problems


def test_two_saves_of_one_route_one_wins_one_conflict_page(world, portal):
    assert route_edit_race(world, portal) == []


def test_control_two_route_saves_with_the_old_behaviour_go_wrong(world):
    if not world.sqlite:
        pytest.skip("on PostgreSQL the ORM's version compare-and-set already turns the loser into a "
                    "conflict without the row lock: no old failure to show")
    seen = until_it_goes_wrong(world, route_edit_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong: the test could not fail"


# --- two saves of one practice -------------------------------------------------

def practice_edit_race(world, server: Server) -> list[str]:
    practice_id, email = seed.practice(world.app)
    browsers = [server.login(email, PASSWORD), server.login(email, PASSWORD)]  # two tabs
    path = f"/bibliotheek/{practice_id}/bewerken"
    titles = [f"Voorbeeld {practice_id} uit tabblad een", f"Voorbeeld {practice_id} uit tabblad twee"]
    forms = [replace(open_form(b, path, "version_id"), title=title) for b, title in zip(browsers, titles, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, PRACTICE_CONFLICT, [f'value="{t}"' for t in titles])
    stored = seed.practice_title(world.app, practice_id)
    winners = [titles[i] for i, a in enumerate(answers) if a.status == 302]
    if winners and stored != winners[0]:
        problems.append(f"stored title {stored!r} is not the saved one {winners[0]!r}")
    return problems


def test_two_saves_of_one_practice_one_wins_one_conflict_page(world, portal):
    assert practice_edit_race(world, portal) == []


def test_control_two_practice_saves_with_the_old_behaviour_go_wrong(world):
    if not world.sqlite:
        pytest.skip("on PostgreSQL the ORM's version compare-and-set already turns the loser into a "
                    "conflict without the row lock: no old failure to show")
    seen = until_it_goes_wrong(world, practice_edit_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong: the test could not fail"
