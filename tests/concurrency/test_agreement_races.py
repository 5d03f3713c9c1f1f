"""Two coordinators press Save on the same agreement at the same moment, and
parties sign at the same moment: real parallel requests against gunicorn.

Each race has a `problems` function naming what went wrong (an empty list is
the right outcome). The test asserts no problems on the normal server; its
control runs the same race against the server started with the old
behaviour (PORTAL_AGGREGATE_LOCKS=off, PORTAL_SQLITE_BEGIN=deferred) and
asserts that a problem shows up within a bounded number of attempts, so the
test can fail."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from scripts.soak_client import replace
from tests.concurrency import seed
from tests.concurrency.live import Answer, Server, open_form, race, statuses
from tests.factories import PASSWORD

# The service's version check, or (a race below it) the ORM's compare-and-set
# answered by web/transaction.save.
CONFLICT = re.compile(r"Iemand anders heeft (deze overeenkomst|dit) intussen gewijzigd")
NO_OLD_FAILURE_ON_POSTGRESQL = (
    "on PostgreSQL this save is already refused by the ORM's version compare-and-set (UPDATE ... WHERE "
    "version_id = :read) without the row lock, answered as a conflict by web/transaction.save; the old "
    "failures (the refresh before the version bump, the StaleDataError 500) cannot be switched back on")
ATTEMPTS = 8  # a control's bounded number of tries


def server_errors(answers: list[Answer]) -> list[str]:
    return [f"{a.status} answer: {a.snippet}" for a in answers if a.status >= 500 or a.status == 0]


def one_saved_one_conflict(answers: list[Answer], conflict, kept: list[str]) -> list[str]:
    """One redirect (saved) and one conflict page (`conflict`: its text or a
    pattern) with the loser's input still in the form; `kept[i]` is a piece
    of request i's input. Anything else that is no sign of the race (a form
    refused on its content) fails at once, so a control cannot pass on it."""
    problems = server_errors(answers)
    winners = [i for i, a in enumerate(answers) if a.status == 302]
    if len(winners) != 1:
        assert problems or len(winners) == 2, f"neither save got through, and not by the race: {answers}"
        return [*problems, f"{len(winners)} of 2 saves were accepted: {answers}"]
    loser = answers[1 - winners[0]]
    if loser.status >= 500 or loser.status == 0:
        return problems
    found = conflict.search(loser.body) if isinstance(conflict, re.Pattern) else conflict in loser.body
    assert loser.status in (200, 409, 422) and found, f"the other save got no conflict page: {loser}"
    if kept[1 - winners[0]] not in loser.body:
        problems.append(f"the conflict page lost the input {kept[1 - winners[0]]!r}")
    return problems


def control(world, race_once, attempts: int = ATTEMPTS) -> list[list[str]]:
    """Run the race against the old behaviour until it goes wrong; the
    problems of every attempt."""
    seen = []
    for _ in range(attempts):
        problems = race_once(world, world.server("control"))
        seen.append(problems)
        if problems:
            break
    return seen


# --- funding -------------------------------------------------------------------

SPLITS = (("70.00", "30.00"), ("45.00", "55.00"))


def funding_race(world, server: Server) -> list[str]:
    case = seed.agreement(world.app)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    path = f"/overeenkomsten/{case.agreement_id}/financiering"
    forms = [replace(open_form(b, path, "version_id"), **{"share-0-percentage": split[0],
                                                          "share-1-percentage": split[1], "action": "save"})
             for b, split in zip(browsers, SPLITS, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, CONFLICT, [f'value="{s[0]}"' for s in SPLITS])
    sums = seed.share_sums(world.app, case.agreement_id)
    problems += [f"{stream} {year} sums to {total}" for (stream, year), total in sums.items()
                 if total != Decimal("100.00")]
    raced_year = dict(forms[0])["share-0-school_year"]  # share rows 0 and 1: the first school year
    stored = sorted(p for _, p in seed.shares(world.app, case.agreement_id, raced_year))
    if stored not in [sorted(Decimal(v) for v in split) for split in SPLITS]:
        problems.append(f"stored shares {stored} are neither save")
    return problems


def test_two_funding_saves_from_one_version_one_wins_and_the_sums_stay_100(world, portal):
    assert funding_race(world, portal) == []


def test_control_funding_race_without_the_lock_breaks_the_split(world):
    seen = control(world, funding_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


# --- overstapgarantie ------------------------------------------------------------

WAITS = ("7", "9")


def guarantee_race(world, server: Server) -> list[str]:
    case = seed.agreement(world.app)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    path = f"/overeenkomsten/{case.agreement_id}/overstapgarantie"
    forms = [replace(open_form(b, path, "version_id"), **{"phase-0-max_wait_days": wait, "action": "save"})
             for b, wait in zip(browsers, WAITS, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, CONFLICT, [f'value="{w}"' for w in WAITS])
    stored = seed.phases(world.app, case.agreement_id)
    if len(stored) != 2 or str(stored[0][2]) not in WAITS:
        problems.append(f"stored phases {stored}: not the two phases of one save")
    return problems


def test_two_guarantee_saves_from_one_version_one_wins(world, portal):
    assert guarantee_race(world, portal) == []


def test_control_guarantee_race_without_the_lock_goes_wrong(world):
    if not world.sqlite:
        pytest.skip(NO_OLD_FAILURE_ON_POSTGRESQL)
    seen = control(world, guarantee_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


# --- parties ---------------------------------------------------------------------

BODIES = ("Stichting Racebestuur A", "Stichting Racebestuur B")


def parties_race(world, server: Server) -> list[str]:
    case = seed.agreement(world.app)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    path = f"/overeenkomsten/{case.agreement_id}/partijen"
    forms = [replace(open_form(b, path, "version_id"), **{"party-1-governing_body_name": body})
             for b, body in zip(browsers, BODIES, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, CONFLICT, [f'value="{body}"' for body in BODIES])
    stored = seed.parties(world.app, case.agreement_id)
    if len(stored) != 2 or sum(1 for *_, body in stored if body in BODIES) != 1:
        problems.append(f"stored parties {stored}: not the parties of one save")
    return problems


def test_two_party_saves_from_one_version_one_wins(world, portal):
    assert parties_race(world, portal) == []


def test_control_parties_race_without_the_lock_goes_wrong(world):
    if not world.sqlite:
        pytest.skip(NO_OLD_FAILURE_ON_POSTGRESQL)
    seen = control(world, parties_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


# --- the agreement's own form ------------------------------------------------------

def edit_race(world, server: Server) -> list[str]:
    case = seed.agreement(world.app)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    path = f"/overeenkomsten/{case.agreement_id}/bewerken"
    titles = [f"Overeenkomst {case.agreement_id} volgens het vmbo", f"Overeenkomst {case.agreement_id} volgens het mbo"]
    forms = [replace(open_form(b, path, "version_id"), title=title) for b, title in zip(browsers, titles, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", path, "save", forms[i]))
    problems = one_saved_one_conflict(answers, CONFLICT, [f'value="{t}"' for t in titles])
    stored = seed.agreement_title(world.app, case.agreement_id)
    winners = [titles[i] for i, a in enumerate(answers) if a.status == 302]
    if winners and stored != winners[0]:
        problems.append(f"stored title {stored!r} is not the saved one {winners[0]!r}")
    return problems


def test_two_saves_of_one_agreement_one_wins_one_conflict_page(world, portal):
    assert edit_race(world, portal) == []


def test_control_two_agreement_saves_without_the_lock_go_wrong(world):
    if not world.sqlite:
        pytest.skip(NO_OLD_FAILURE_ON_POSTGRESQL)
    seen = control(world, edit_race)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


# --- signing ---------------------------------------------------------------------

def sign_path(case, party_id: int) -> str:
    return f"/overeenkomsten/{case.agreement_id}/partijen/{party_id}/ondertekenen"


def sign_form(browser, path: str) -> list[tuple[str, str]]:
    """The confirmation step's form: its CSRF token and the version being signed."""
    page = browser.request("GET", path, "page")
    token, revision = page.input_value("csrf_token"), page.input_value("revision")
    assert token and revision, "no CSRF token or version on the sign confirmation page"
    return [("csrf_token", token), ("revision", revision)]


def two_parties_sign(world, server: Server) -> list[str]:
    case = seed.agreement(world.app, out_for_signature=True)
    browsers = [server.login(case.vmbo_email, PASSWORD), server.login(case.mbo_email, PASSWORD)]
    paths = [sign_path(case, case.vmbo_party_id), sign_path(case, case.mbo_party_id)]
    forms = [sign_form(b, path) for b, path in zip(browsers, paths, strict=True)]
    answers = race(2, lambda i: browsers[i].request("POST", paths[i], "sign", forms[i]))
    problems = server_errors(answers)
    assert problems or statuses(answers) == [302, 302], f"not both signs were answered with a redirect: {answers}"
    status, signed, entries = seed.signing(world.app, case.agreement_id)
    if status != "getekend":
        problems.append(f"both parties signed at once and the agreement is {status!r}, not getekend")
    if not all(at is not None for _, at in signed) or entries != 2:
        problems.append(f"signatures {signed}, {entries} sign audit entries")
    return problems


def test_two_parties_signing_at_the_same_moment_make_the_agreement_getekend(world, portal):
    assert two_parties_sign(world, portal) == []


def test_control_two_parties_signing_without_the_lock_go_wrong(world):
    seen = control(world, two_parties_sign)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"


def one_party_signs_20_times(world, server: Server) -> list[str]:
    case = seed.agreement(world.app, out_for_signature=True)
    browser = server.login(case.vmbo_email, PASSWORD)
    path = sign_path(case, case.vmbo_party_id)
    form = sign_form(browser, path)
    problems = server_errors(race(20, lambda _i: browser.request("POST", path, "sign", form)))
    status, signed, entries = seed.signing(world.app, case.agreement_id)
    first = dict(signed)[case.vmbo_party_id]
    if status != "ter_ondertekening" or first is None or dict(signed)[case.mbo_party_id] is not None:
        problems.append(f"status {status!r}, signatures {signed}")
    if entries != 1:
        problems.append(f"20 signs by one party made {entries} sign audit entries")
    # Signing again later changes nothing either.
    problems += server_errors(race(5, lambda _i: browser.request("POST", path, "sign", form)))
    _status, again, entries = seed.signing(world.app, case.agreement_id)
    if dict(again)[case.vmbo_party_id] != first:
        problems.append(f"a later sign changed signed_at: {first} -> {dict(again)[case.vmbo_party_id]}")
    if entries != 1:
        problems.append(f"after 5 more signs there are {entries} sign audit entries")
    return problems


def test_twenty_parallel_signs_by_one_party_make_one_signature(world, portal):
    assert one_party_signs_20_times(world, portal) == []


def test_control_twenty_parallel_signs_without_the_lock_go_wrong(world):
    seen = control(world, one_party_signs_20_times, attempts=4)
    assert seen[-1], f"no attempt of {len(seen)} went wrong without the lock: the test could not fail"

