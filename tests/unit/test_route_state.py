"""The one definition of "actief in schooljaar X" and the state a route is shown with."""
import pytest

from portal.domain import route_state as rs

Y = "2026-2027"


@pytest.mark.parametrize("status, first, last, active, state", [
    ("actief", "2025-2026", None, True, "actief"),
    ("actief", "2025-2026", "", True, "actief"),
    ("actief", Y, Y, True, "actief"),                        # first and last year are inside the span
    ("actief", "2020-2021", "2025-2026", False, "afgelopen"),  # the last school year has passed
    ("actief", "2027-2028", None, False, "start_later"),       # starts later
    ("concept", "2025-2026", None, False, "concept"),
    ("voorbereiding", "2025-2026", None, False, "voorbereiding"),
    ("beeindigd", "2025-2026", None, False, "beeindigd"),
])
def test_active_in_and_state(status, first, last, active, state):
    assert rs.is_active_in(status, first, last, Y) is active
    assert rs.route_state(status, first, last, Y) == state
    assert (state == rs.ACTIVE) is active
    assert state in rs.STATES and rs.STATE_NAMES[state]


def test_a_passed_route_is_shown_as_afgelopen_with_a_note():
    state = rs.route_state("actief", "2020-2021", "2024-2025", Y)
    assert rs.STATE_NAMES[state] == "Afgelopen"
    assert "2024-2025" in rs.state_note(state, "2020-2021", "2024-2025")
    assert rs.state_note("actief", "2020-2021", None) == ""


@pytest.mark.parametrize("state, words", [
    ("actief", "actief in arbeidsmarktregio"),
    ("start_later", "straks actief in arbeidsmarktregio"),
    ("afgelopen", "liep in arbeidsmarktregio"),
    ("beeindigd", "liep in arbeidsmarktregio"),
    ("concept", "concept in arbeidsmarktregio"),
    ("voorbereiding", "in voorbereiding in arbeidsmarktregio"),
])
def test_region_label_follows_the_state(state, words):
    assert rs.region_label(state, 1) == words
    assert rs.region_label(state, 2) == words + "'s"
    if state != "actief":
        assert not rs.region_label(state, 1).startswith("actief")
