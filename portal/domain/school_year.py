"""The school year: the one rule that it starts on 1 August, and the
arithmetic on school years written as "2025-2026". Pure."""
from __future__ import annotations

from datetime import date, timedelta

# A new school year starts on 1 August.
SCHOOL_YEAR_START_MONTH = 8


def school_year_of(day: date) -> str:
    """The school year a day falls in: 31 July 2026 -> 2025-2026, 1 August -> 2026-2027."""
    start = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
    return f"{start}-{start + 1}"


def current_school_year(today: date | None = None) -> str:
    return school_year_of(today or date.today())


def school_year_bounds(school_year: str) -> tuple[date, date]:
    """2025-2026 -> 1 August 2025 .. 31 July 2026."""
    start = int(school_year[:4])
    return date(start, SCHOOL_YEAR_START_MONTH, 1), date(start + 1, SCHOOL_YEAR_START_MONTH, 1) - timedelta(days=1)


def shift_school_year(value: str, years: int) -> str:
    start = int(value[:4]) + years
    return f"{start}-{start + 1}"


def school_years_between(first: str, last: str) -> list[str]:
    """Every school year from first to last inclusive (empty if last < first)."""
    start, end = int(first[:4]), int(last[:4])
    return [f"{y}-{y + 1}" for y in range(start, end + 1)]
