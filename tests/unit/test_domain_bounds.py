"""Bounds of the route rules that the CSV import relies on (the form and the
API share them): a pupil count as a cell writes it is parsed without int() on
thousands of digits, school years lie in 2000-2100, and no field holds more
text than its column (PostgreSQL refused over-long values with a 500)."""
import pytest

from portal.domain import identifiers
from portal.domain import routes as rules

NOT_A_COUNT = "Vul een geheel getal van 0 of meer in."


@pytest.mark.parametrize("value, expected", [("25", 25), (" 7 ", 7), ("0", 0), ("000012", 12), ("100000", 100000),
                                             (40, 40), ("", None), (None, None)])
def test_pupil_counts_that_are_accepted(value, expected):
    assert rules.parse_pupils(value) == (expected, None)


@pytest.mark.parametrize("value, message", [
    ("--5", NOT_A_COUNT), ("-5", NOT_A_COUNT), ("-" + "9" * 5000, NOT_A_COUNT), ("5-", NOT_A_COUNT),
    ("١٢", NOT_A_COUNT), ("²", NOT_A_COUNT), ("１２", NOT_A_COUNT), ("12.0", NOT_A_COUNT), ("veel", NOT_A_COUNT),
    ("100001", rules.TOO_MANY_PUPILS), ("9" * 4301, rules.TOO_MANY_PUPILS), ("9" * 100000, rules.TOO_MANY_PUPILS),
    pytest.param(10 ** 5000, rules.TOO_MANY_PUPILS, id="int-5001-digits"),
])
def test_pupil_counts_that_are_refused_with_a_dutch_message_not_an_exception(value, message):
    assert rules.parse_pupils(value) == (None, message)


@pytest.mark.parametrize("value, ok", [
    ("2000-2001", True), ("2025-2026", True), ("2099-2100", True),
    ("0000-0001", False), ("1999-2000", False), ("2100-2101", False), ("9998-9999", False),
])
def test_school_years_lie_between_2000_and_2100(value, ok):
    message = identifiers.school_year_error(value)
    assert (message is None) is ok
    if not ok:
        assert "tussen 2000-2001 en 2099-2100" in message


@pytest.mark.parametrize("name, limit", sorted(rules.MAX_LENGTHS.items()))
def test_no_route_field_holds_more_text_than_its_column(name, limit):
    fits, too_long = rules.RuleResult(), rules.RuleResult()
    rules.check_lengths(rules.RouteInput(**{name: "x" * limit}), fits)
    rules.check_lengths(rules.RouteInput(**{name: "x" * (limit + 1)}), too_long)
    assert fits.errors == {}
    assert too_long.errors == {name: [f"Hoogstens {limit:,} tekens (nu {limit + 1:,}).".replace(",", ".")]}


def test_the_length_limits_are_those_of_the_database_columns():
    from portal.models import LearningRoute
    for name, limit in rules.MAX_LENGTHS.items():
        column_length = getattr(LearningRoute.__table__.c[name].type, "length", None)
        assert column_length in (None, limit), name  # Text (no length) or exactly the limit
    assert LearningRoute.__table__.c["title"].type.length == 255
