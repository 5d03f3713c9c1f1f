"""The rules of a route's registration at DUO (portal/domain/rio.py)."""
from __future__ import annotations

from datetime import date

import pytest

from portal.domain import rio
from portal.domain.rio import Registration, check_registration, parse_registered_row

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("value, errors", [
    (Registration(True, date(2026, 10, 1), "100B490"), {}),
    (Registration(True, TODAY, None), {}),
    (Registration(False, None, None), {}),
    (Registration(True, None, None), {"registered_on": [rio.MESSAGE_DATE_REQUIRED]}),
    (Registration(True, date(2026, 12, 5), None), {"registered_on": [rio.MESSAGE_DATE_FUTURE]}),
    (Registration(True, date(2014, 12, 31), None), {"registered_on": [rio.MESSAGE_DATE_EARLY]}),
    (Registration(True, date(2015, 1, 1), None), {}),
    (Registration(False, date(2026, 10, 1), None), {"registered": [rio.MESSAGE_NOT_REGISTERED]}),
    (Registration(False, None, "100B490"), {"registered": [rio.MESSAGE_NOT_REGISTERED]}),
    (Registration(True, TODAY, "10 B"), {"code": [rio.MESSAGE_CODE]}),
    (Registration(True, TODAY, "=1+1"), {"code": [rio.MESSAGE_CODE]}),
    (Registration(True, TODAY, "AB"), {"code": [rio.MESSAGE_CODE]}),
    (Registration(True, TODAY, "A" * 41), {"code": [rio.MESSAGE_CODE]}),
    (Registration(True, TODAY, "c1d9e6b6-2f4a-4bde-9b7e-000000000000"), {}),
])
def test_check_registration(value, errors):
    assert check_registration(value, TODAY) == errors


def test_codes_are_stored_trimmed_and_in_capitals():
    assert rio.normalise_code(" 100b490 ") == "100B490"
    assert rio.normalise_code("   ") is None and rio.normalise_code(None) is None


def test_the_official_count_is_on_15_october_of_the_school_year():
    assert rio.count_date("2026-2027") == date(2026, 10, 15)


def test_a_good_row_of_duos_list():
    row, problems = parse_registered_row(3, {"vestigingscode": "02mf00", "crebo": "25498", "soort": "glr",
                                             "schooljaar": "2026/2027"})
    assert problems == []
    assert row is not None and row.key == ("02MF00", "25498", "glr", "2026-2027") and row.line == 3


def test_a_bad_row_names_its_line_for_every_problem():
    row, problems = parse_registered_row(7, {"vestigingscode": "X", "crebo": "12", "soort": "leerlab",
                                             "schooljaar": ""})
    assert row is None
    assert len(problems) == 4 and all(p.startswith("Regel 7: ") for p in problems)
    assert "vestigingscode" in problems[0] and "crebo" in problems[1] and "DLR of GLR" in problems[2]
    assert "schooljaar ontbreekt" in problems[3]
