"""domain/in_force.py: the version in force, its period, the honest status
and the rule that the period covers the routes' school years."""
from datetime import date

import pytest

from portal.domain import in_force as rules


def test_never_signed_is_not_in_force():
    assert rules.in_force(None, None, None, "concept", None) is None


@pytest.mark.parametrize("status, terminated_on, last", [
    ("getekend", None, date(2028, 7, 31)),
    ("concept", None, date(2028, 7, 31)),  # an addendum waiting: version 1 stays in force
    ("opgezegd", date(2027, 3, 1), date(2027, 2, 28)),  # opgezegd per 1 March: 28 February is the last day
    ("opgezegd", date(2029, 1, 1), date(2028, 7, 31)),
])
def test_period_in_force(status, terminated_on, last):
    period = rules.in_force(1, date(2026, 8, 1), date(2028, 7, 31), status, terminated_on)
    assert period is not None and period.end_date == last
    assert period.covers(last) and not period.covers(date.fromordinal(last.toordinal() + 1))


def test_overlaps_school_year():
    period = rules.in_force(1, date(2026, 8, 1), date(2027, 2, 28), "getekend", None)
    assert period.overlaps_school_year("2026-2027")
    assert not period.overlaps_school_year("2027-2028") and not period.overlaps_school_year("2025-2026")


def test_status_label_tells_the_truth():
    assert rules.status_label("getekend", "Getekend", 1, 1, show_addendum=True) == "Getekend"
    assert rules.status_label("concept", "Concept", None, 1, show_addendum=True) == "Concept"
    assert rules.status_label("concept", "Concept", 1, 2, show_addendum=True) == (
        "Getekend (versie 1 in werking), addendum (versie 2) in voorbereiding")
    assert rules.status_label("ter_ondertekening", "Ter ondertekening", 1, 2, show_addendum=True).endswith(
        "addendum (versie 2) ter ondertekening")
    assert rules.status_label("concept", "Concept", 1, 2, show_addendum=False) == "Getekend (versie 1)"


def test_route_period_errors_name_the_route_at_the_date_that_excludes_it():
    start, end = date(2026, 8, 1), date(2028, 7, 31)
    assert rules.route_period_errors(start, end, [("Loopt door", "2020-2021", None)]) == {}
    assert rules.route_period_errors(start, end, [("Binnen", "2026-2027", "2027-2028")]) == {}
    late = rules.route_period_errors(start, end, [("Te laat", "2028-2029", None)])
    assert list(late) == ["end_date"] and "Te laat" in late["end_date"][0] and "2028-2029" in late["end_date"][0]
    early = rules.route_period_errors(start, end, [("Voorbij", "2020-2021", "2025-2026")])
    assert list(early) == ["start_date"] and "01-08-2026" in early["start_date"][0]
    assert rules.route_period_errors(end, start, [("Te laat", "2040-2041", None)]) == {}  # the period itself is wrong


@pytest.mark.parametrize("start, end, terminated, year, valid", [
    (date(2026, 8, 1), date(2030, 7, 31), None, "2026-2027", True),
    (date(2026, 8, 1), date(2030, 7, 31), None, "2030-2031", False),
    (date(2026, 8, 1), date(2030, 7, 31), None, "2025-2026", False),
    (date(2026, 9, 15), date(2030, 7, 31), None, "2026-2027", True),
    (date(2026, 8, 1), date(2030, 7, 31), date(2027, 7, 1), "2027-2028", False),
    # opgezegd per 1 August: no longer in force on that day, so not in 2027-2028
    (date(2026, 8, 1), date(2030, 7, 31), date(2027, 8, 1), "2027-2028", False),
    (date(2026, 8, 1), date(2030, 7, 31), date(2027, 8, 2), "2027-2028", True),
])
def test_in_force_in_a_school_year(start, end, terminated, year, valid):
    status = "opgezegd" if terminated else "getekend"
    assert rules.in_force(1, start, end, status, terminated).overlaps_school_year(year) is valid
    assert rules.in_force(None, None, None, status, terminated) is None  # never signed: never in force
