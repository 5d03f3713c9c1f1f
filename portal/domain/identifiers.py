"""Validation of the identifiers the field uses (BRIN, CBS codes, school years)."""
from __future__ import annotations

import re

from portal.domain.bounds import FIRST_YEAR, LAST_YEAR, plausible_year

BRIN_RE = re.compile(r"^[0-9]{2}[A-Z]{2}$")
VESTIGINGSNUMMER_RE = re.compile(r"^[0-9]{2}$")
REGION_CODE_RE = re.compile(r"^AM[0-9]{2}$")
PROVINCE_CODE_RE = re.compile(r"^PV\d{2}$")
MUNICIPALITY_CODE_RE = re.compile(r"^GM[0-9]{4}$")
SCHOOL_YEAR_RE = re.compile(r"^([0-9]{4})-([0-9]{4})$")
CREBO_RE = re.compile(r"^[0-9]{5}$")


def brin_error(value: str | None) -> str | None:
    """Return a Dutch error message, or None when the BRIN is valid."""
    if not value:
        return None
    if not BRIN_RE.match(value):
        return "Een BRIN-nummer bestaat uit 2 cijfers en 2 hoofdletters, bijvoorbeeld 25LH."
    return None


def vestigingsnummer_error(value: str | None) -> str | None:
    if not value:
        return None
    if not VESTIGINGSNUMMER_RE.match(value):
        return "Een vestigingsnummer bestaat uit 2 cijfers, bijvoorbeeld 00 of 07."
    return None


def is_region_code(value: str) -> bool:
    return bool(REGION_CODE_RE.match(value or ""))


def is_municipality_code(value: str) -> bool:
    return bool(MUNICIPALITY_CODE_RE.match(value or ""))


def is_province_code(value: str) -> bool:
    return bool(PROVINCE_CODE_RE.match(value or ""))


def school_year_error(value: str | None) -> str | None:
    """A school year is written as 2025-2026: two consecutive years."""
    if not value:
        return None
    m = SCHOOL_YEAR_RE.match(value)
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        return "Schrijf het schooljaar als twee opeenvolgende jaren, bijvoorbeeld 2025-2026."
    if not (plausible_year(int(m.group(1))) and plausible_year(int(m.group(2)))):
        return f"Vul een schooljaar tussen {FIRST_YEAR}-{FIRST_YEAR + 1} en {LAST_YEAR - 1}-{LAST_YEAR} in."
    return None


def school_year_start(value: str) -> int:
    """2025-2026 -> 2025. The value must be valid."""
    return int(value[:4])


def crebo_error(value: str | None) -> str | None:
    if not value:
        return None
    if not CREBO_RE.match(value):
        return "Een crebo-code bestaat uit 5 cijfers, bijvoorbeeld 25655."
    return None
