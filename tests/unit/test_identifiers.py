import pytest

from portal.domain import identifiers as ids


@pytest.mark.parametrize("value,ok", [
    ("25LH", True), ("00AH", True), ("25lh", False), ("2LH5", False), ("25LHX", False),
    ("ABCD", False), ("1234", False), ("", True), (None, True),
])
def test_brin(value, ok):
    assert (ids.brin_error(value) is None) is ok


@pytest.mark.parametrize("value,ok", [("00", True), ("07", True), ("7", False), ("A1", False), ("123", False)])
def test_vestigingsnummer(value, ok):
    assert (ids.vestigingsnummer_error(value) is None) is ok


@pytest.mark.parametrize("value,ok", [
    ("2025-2026", True), ("2025-2027", False), ("2025/2026", False), ("25-26", False), ("2026-2025", False),
])
def test_school_year(value, ok):
    assert (ids.school_year_error(value) is None) is ok


def test_error_messages_are_dutch():
    assert "cijfers" in ids.brin_error("XX11")
    assert "schooljaar" in ids.school_year_error("2025")


@pytest.mark.parametrize("code,ok", [("AM01", True), ("AM38", True), ("AM1", False), ("GM0014", False)])
def test_region_code(code, ok):
    assert ids.is_region_code(code) is ok


@pytest.mark.parametrize("value,ok", [("25655", True), ("2565", False), ("256555", False), ("2565a", False)])
def test_crebo(value, ok):
    assert (ids.crebo_error(value) is None) is ok
