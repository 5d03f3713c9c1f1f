"""Regioplannen: the state machine (every allowed and every refused move),
the co-financing rule to the cent and the submission rules."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from portal.domain import plans as dom
from portal.domain.plans import BudgetLine

ACTORS = (dom.LEAD, dom.ASSESSOR, dom.STAFF)
ALLOWED = {
    (dom.CONCEPT, dom.SUBMITTED, dom.LEAD),
    (dom.NOT_READY, dom.SUBMITTED, dom.LEAD),
    (dom.SUBMITTED, dom.IN_REVIEW, dom.STAFF),
    (dom.IN_REVIEW, dom.POSITIVE, dom.ASSESSOR),
    (dom.IN_REVIEW, dom.NOT_READY, dom.ASSESSOR),
    (dom.POSITIVE, dom.APPROVED, dom.STAFF),
    (dom.APPROVED, dom.RUNNING, dom.STAFF),
    (dom.CONCEPT, dom.WITHDRAWN, dom.LEAD),
    (dom.SUBMITTED, dom.WITHDRAWN, dom.LEAD),
    (dom.IN_REVIEW, dom.WITHDRAWN, dom.LEAD),
    (dom.NOT_READY, dom.WITHDRAWN, dom.LEAD),
}
EVERY_MOVE = list(product(dom.STATES, dom.STATES, ACTORS))


@pytest.mark.parametrize("state, target, actor", sorted(ALLOWED))
def test_allowed_moves(state, target, actor):
    dom.check_transition(state, target, actor)
    assert dom.can_move(state, target, actor)
    assert target in dom.moves_for(state, actor)


@pytest.mark.parametrize("state, target, actor", [m for m in EVERY_MOVE if m not in ALLOWED])
def test_every_other_move_is_refused(state, target, actor):
    assert not dom.can_move(state, target, actor)
    with pytest.raises(dom.TransitionRefused) as refused:
        dom.check_transition(state, target, actor)
    assert dom.STATE_NAMES[state] in str(refused.value)


def test_the_refusal_says_who_may_move_it():
    with pytest.raises(dom.TransitionRefused, match="Alleen de beoordelaar"):
        dom.check_transition(dom.IN_REVIEW, dom.POSITIVE, dom.LEAD)


def test_final_states_have_no_way_out():
    for state in (dom.WITHDRAWN, dom.RUNNING):
        assert all(not dom.moves_for(state, actor) for actor in ACTORS)


def test_unknown_states_are_refused():
    with pytest.raises(dom.TransitionRefused, match="bestaat niet"):
        dom.check_transition("weg", dom.SUBMITTED, dom.LEAD)


# --- deadlines --------------------------------------------------------------------

DEADLINE, RESUBMIT = date(2019, 4, 1), date(2019, 10, 1)


@pytest.mark.parametrize("state, today, ok", [
    (dom.CONCEPT, date(2019, 4, 1), True),
    (dom.CONCEPT, date(2019, 4, 2), False),
    (dom.NOT_READY, date(2019, 10, 1), True),
    (dom.NOT_READY, date(2019, 10, 2), False),
])
def test_deadlines_count_the_last_day(state, today, ok):
    assert (dom.submission_deadline_error(state, today, DEADLINE, RESUBMIT) is None) is ok


# --- co-financing -------------------------------------------------------------------

def lines(subsidy: str, business: str, stream: str = dom.BUSINESS_MONEY) -> list[BudgetLine]:
    return [BudgetLine(2019, dom.SUBSIDY, Decimal(subsidy)), BudgetLine(2019, stream, Decimal(business))]


def test_9_99_percent_is_refused():
    # 999.00 of 10 000.00 = 9.99 %
    check = dom.co_financing(lines("9001.00", "999.00"))
    assert check.total == Decimal("10000.00")
    assert not check.meets_minimum
    assert check.share == Decimal("9.99")
    assert "9,99 %" in (check.message() or "")


def test_10_00_percent_is_accepted():
    check = dom.co_financing(lines("9000.00", "1000.00"))
    assert check.meets_minimum and check.message() is None
    assert check.share == Decimal("10.00")


def test_one_cent_under_ten_percent_is_refused_and_never_shown_as_ten():
    # 1 000.00 of 10 000.01: 9.99999 %
    check = dom.co_financing(lines("9000.01", "1000.00"))
    assert not check.meets_minimum
    assert check.share == Decimal("9.99")


def test_in_kind_counts_as_co_financing():
    mixed = [BudgetLine(2019, dom.SUBSIDY, Decimal("8000.00")), BudgetLine(2020, dom.OWN, Decimal("1000.00")),
             BudgetLine(2019, dom.BUSINESS_MONEY, Decimal("400.00")),
             BudgetLine(2020, dom.BUSINESS_IN_KIND, Decimal("600.00"))]
    assert dom.co_financing(mixed).meets_minimum
    assert not dom.co_financing(mixed[:3]).meets_minimum  # control: without the in kind 4 %
    assert dom.co_financing(lines("9000.00", "1000.00", dom.BUSINESS_IN_KIND)).meets_minimum


def test_own_contribution_is_no_co_financing():
    assert not dom.co_financing(lines("9000.00", "1000.00", dom.OWN)).meets_minimum


def test_an_empty_budget_has_no_co_financing():
    check = dom.co_financing([])
    assert not check.meets_minimum and check.share is None
    assert "leeg" in (check.message() or "")


# --- submission rules -------------------------------------------------------------------

GOOD_BUDGET = lines("9000.00", "1000.00")


def test_a_complete_plan_can_be_submitted():
    assert dom.submission_errors(["vmbo", "vso", "mbo", "employer"], GOOD_BUDGET) == []


@pytest.mark.parametrize("kinds, missing", [
    (["vmbo", "mbo", "employer"], "minstens 2 vmbo-vestigingen"),
    (["vmbo", "vmbo", "employer"], "mbo-instelling"),
    (["vmbo", "vmbo", "mbo"], "werkgever"),
])
def test_the_message_names_what_is_missing(kinds, missing):
    errors = dom.submission_errors(kinds, GOOD_BUDGET)
    assert len(errors) == 1 and missing in errors[0]


def test_below_the_threshold_cannot_be_submitted():
    errors = dom.submission_errors(["vmbo", "vmbo", "mbo", "employer"], lines("9001.00", "999.00"))
    assert len(errors) == 1 and "cofinanciering" in errors[0]


def test_all_missing_parts_are_named_at_once():
    errors = dom.submission_errors([], [], has_vision=False, has_actions=False)
    assert len(errors) == 6


def test_weighted_score():
    assert dom.weighted_score([(2, 4), (1, 1)]) == Decimal("3.00")
    assert dom.weighted_score([]) is None
