"""What a number or a date from outside may be: whole numbers bounded before
Python turns them into an int (int() refuses more than 4,300 digits with a
ValueError, and '--5' too), and dates and school years within a plausible
period. Pure."""
from __future__ import annotations

import re
from datetime import date

# The largest value a PostgreSQL integer column holds; ids and counts beyond it cannot exist.
INT_LIMIT = 2_147_483_647

# An optional sign and at most ten ASCII digits (no '²', '١', '--5', '1e3', '0x10').
WHOLE_NUMBER_RE = re.compile(r"[+-]?[0-9]{1,10}")

# Dates and school years a leerroute or an overeenkomst can plausibly have.
FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DATE = date(FIRST_YEAR, 1, 1)
LAST_DATE = date(LAST_YEAR, 12, 31)

MESSAGE_DATE_RANGE = f"Vul een datum tussen {FIRST_YEAR} en {LAST_YEAR} in."


def parse_whole_number(value: object, *, low: int = -INT_LIMIT, high: int = INT_LIMIT) -> int | None:
    """The whole number written in `value` when it lies in low..high, else
    None (also for '', '--5', '1.5' and a number of 5,000 digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not WHOLE_NUMBER_RE.fullmatch(text):
            return None
        number = int(text)
    return number if low <= number <= high else None


def parse_id(value: object) -> int | None:
    """A database id (1..INT_LIMIT) from a form value, or None."""
    return parse_whole_number(value, low=1, high=INT_LIMIT)


def date_range_error(day: date | None) -> str | None:
    """A Dutch message when `day` lies outside FIRST_DATE..LAST_DATE."""
    if day is None or FIRST_DATE <= day <= LAST_DATE:
        return None
    return MESSAGE_DATE_RANGE


def plausible_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR
