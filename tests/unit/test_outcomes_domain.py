"""Route outcomes (issue 17): the public suppression of small cells, the
input of waits, the validation of a route-year and the waits against the
overstapgarantie's promise. Pure domain, no app."""
from __future__ import annotations

import pytest

from portal.domain.outcomes import (
    MAX_WAIT_DAYS,
    LeaverGroup,
    compare_waits,
    outcome_errors,
    parse_waits,
    school_year_in_route,
    suppress,
    suppress_group,
    waits_beyond,
)


@pytest.mark.parametrize("value, shown", [(0, "<5"), (1, "<5"), (4, "<5"), (5, "5"), (6, "6"), (120, "120"),
                                          (None, "–")])
def test_counts_under_five_are_shown_as_less_than_five(value, shown):
    assert suppress(value) == shown


def test_a_breakdown_hides_its_small_cells():
    assert suppress_group({"mbo2": 12, "entree": 3, "vmbo_bb": 2}) == {"mbo2": "12", "entree": "<5",
                                                                        "vmbo_bb": "<5"}


def test_one_hidden_cell_takes_the_next_smallest_with_it_so_the_total_does_not_give_it_away():
    shown = suppress_group({"mbo2": 12, "entree": 3, "vmbo_bb": 7}, total=22)
    assert shown == {"mbo2": "12", "entree": "<5", "vmbo_bb": "<5"}
    # control: without the secondary suppression 22 - 12 - 7 would reveal the 3
    assert suppress_group({"mbo2": 12, "entree": 6, "vmbo_bb": 7}, total=25) == {
        "mbo2": "12", "entree": "6", "vmbo_bb": "7"}


def test_a_small_total_needs_no_second_hidden_cell():
    assert suppress_group({"mbo2": 3}, total=3) == {"mbo2": "<5"}


@pytest.mark.parametrize("text, waits", [("0, 3, 12", [0, 3, 12]), ("12;3 0", [0, 3, 12]), ("", []),
                                         (" 5 ", [5]), (f"{MAX_WAIT_DAYS}", [MAX_WAIT_DAYS])])
def test_waits_are_whole_school_days_separated_by_commas(text, waits):
    assert parse_waits(text) == (waits, None)


@pytest.mark.parametrize("text, message", [
    ("3, -2", "negatief"), ("4, drie", "geen aantal schooldagen"), ("2.5", "geen aantal schooldagen"),
    (f"{MAX_WAIT_DAYS + 1}", f"tussen 0 en {MAX_WAIT_DAYS}"),
])
def test_a_wrong_wait_is_a_dutch_error(text, message):
    waits, error = parse_waits(text)
    assert waits == [] and message in error


def group(destination="mbo2", waits=(1,), phase=(1, 6)):
    return LeaverGroup(phase[0], phase[1], destination, tuple(waits))


def test_a_correct_route_year_has_no_errors():
    assert outcome_errors(20, 10, 4, [group(waits=(0, 2)), group("entree", (3,), (7, 12))],
                          [(1, 6), (7, 12)]) == {}


@pytest.mark.parametrize("started, vmbo, mbo, groups, field, message", [
    (-1, 0, 0, [], "started", "negatief"),
    (None, 0, 0, [], "started", "Vul het aantal gestarte leerlingen in"),
    (10, -2, 0, [], "diplomas_vmbo", "negatief"),
    (10, 11, 0, [], "diplomas_vmbo", "meer vmbo-diploma's (11) dan gestarte leerlingen (10)"),
    (10, 0, 11, [], "diplomas_mbo", "meer mbo-diploma's"),
    (2, 0, 0, [group(waits=(0, 1, 2))], "leavers", "meer leerlingen uitgestroomd (3) dan er gestart zijn (2)"),
    (5, 0, 0, [group(phase=(2, 6))], "leavers", "fase van de overstapgarantie"),
    (5, 0, 0, [group("ergens")], "leavers", "Kies waar"),
])
def test_wrong_figures_are_dutch_errors_at_their_field(started, vmbo, mbo, groups, field, message):
    errors = outcome_errors(started, vmbo, mbo, groups, [(1, 6), (7, 12)])
    assert message in errors[field]


@pytest.mark.parametrize("year, error", [
    ("2025-2026", None), ("2027-2028", None), ("2024-2025", "buiten de looptijd"), ("2028-2029", "buiten de looptijd"),
    ("2025-2027", "schooljaar"),
])
def test_the_school_year_lies_within_the_route_and_not_in_the_future(year, error):
    message = school_year_in_route(year, "2025-2026", None, "2027-2028")
    assert (message is None) if error is None else (error in message.lower())


def test_a_route_that_ended_takes_no_year_after_its_last():
    assert "buiten de looptijd" in school_year_in_route("2027-2028", "2025-2026", "2026-2027", "2028-2029")


def test_a_wait_equal_to_the_promise_is_kept_and_a_longer_one_is_not():
    assert waits_beyond([0, 10, 11, 30], 10) == 2


def test_waits_are_compared_with_the_promise_of_their_phase():
    phases = [(1, 6, 10), (7, 24, 20)]
    result = compare_waits(phases, [group(waits=(0, 12)), group("entree", (15,), (1, 6)),
                                    group(waits=(15, 25), phase=(7, 24)), group(waits=(3,), phase=(None, None))])
    first, second, unmatched = result
    assert (first.phase_from, first.promised_max, first.pupils, first.beyond, first.longest) == (1, 10, 3, 2, 15)
    assert (second.phase_from, second.promised_max, second.pupils, second.beyond) == (7, 20, 2, 1)
    assert not first.kept and not second.kept
    assert unmatched.promised_max is None and unmatched.beyond == 0 and unmatched.pupils == 1


def test_a_phase_recorded_under_older_months_finds_the_phase_that_holds_its_start():
    # the agreement's phases changed (1-6 became 1-8): a group recorded as 1-6 is still judged by 1-8's promise
    (result,) = compare_waits([(1, 8, 5)], [group(waits=(4, 6), phase=(1, 6))])
    assert (result.phase_to, result.promised_max, result.beyond) == (8, 5, 1)
