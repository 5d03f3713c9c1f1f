"""Hypothesis strategies for hostile input, shared by the form and query
fuzzers (tests/http/test_fuzz_*.py). The list of nasty strings is the one of
the account-form fuzzer (tests/http/test_security_fuzz.py), extended with
numbers, dates, decimals and codes the area forms parse.

HYPOTHESIS_EXAMPLES sets the number of examples per test (default 200);
under CI=true they are derandomized (the same examples every run)."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import IN_CI  # CI: the same examples every run; locally new ones
from tests.http.test_security_fuzz import NASTY as ACCOUNT_NASTY

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=IN_CI,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

NUMBERS = [
    "-1", "0", "-0", "1", "100", "100.0", "100,00", "99,999", "1.000,50", "1,000.50", "12,5%", "½",
    "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
    "99999999999999999999999999999999", "1e3", "1e309", "-1e309", "inf", "-Infinity", "NaN", "0x10",
    "١٢٣", "１２３", "²", "2²", "⅕", " 7 ", "7 8", "--1", "+5", ".5", "5.", ",", ".", "€ 10", "10 EUR",
]
DATES = [
    "2026-08-01", "2030-07-31", "2026-02-29", "2026-02-30", "2026-13-01", "0000-00-00", "0001-01-01",
    "9999-12-31", "10000-01-01", "-2026-01-01", "31-12-2026", "12/31/2026", "2026/08/01", "2026-8-1",
    "20260801", "2026-08-01T00:00:00", "morgen", "1970-01-01", "2026-08-01\x00",
]
SCHOOL_YEARS = ["2025-2026", "2026-2027", "2025-2027", "2026-2025", "0000-0001", "9999-10000", "2025/2026",
                "2025-26", "-1--2", "2025", "20252026"]
EXTRA = [
    "<svg onload=alert(1)>", "</textarea><script>alert(1)</script>", "%3Cscript%3E", "&lt;b&gt;",
    "' UNION SELECT password_hash FROM users --", "1) OR (1=1", "AM38'; --", "\\", "\\x00", "%",
    "_", "*", "?", "\u0000", "\u200b", "\ud7ff", "\U0001f4a9" * 50, "x" * 256, "y" * 70000,
]
NASTY = list(dict.fromkeys([*ACCOUNT_NASTY, *NUMBERS, *DATES, *SCHOOL_YEARS, *EXTRA]))

_chars = st.characters(blacklist_categories=("Cs",))
text = st.text(_chars, max_size=300)
long_text = st.text(_chars, min_size=1000, max_size=20000)
nasty = st.sampled_from(NASTY)
values = st.one_of(nasty, nasty, text, long_text, st.lists(nasty, min_size=2, max_size=4).map("".join))
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-(10 ** 30), 10 ** 30).map(str),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.floats().map(str), values)
dates = st.one_of(st.sampled_from(DATES), st.dates().map(str), values)
school_years = st.one_of(st.sampled_from(SCHOOL_YEARS), st.integers(-5, 12000).map(lambda y: f"{y}-{y + 1}"),
                         values)


def maybe(strategy):
    """None leaves the field out of the request entirely."""
    return st.one_of(st.none(), strategy)


def one_of_or_hostile(good):
    """Mostly a value the form knows, sometimes something hostile."""
    return st.one_of(st.sampled_from(list(good)), st.sampled_from(list(good)), values)


def lists_of(strategy, max_size=4):
    return st.lists(strategy, max_size=max_size)


def form(**fields) -> dict:
    return {k: v for k, v in fields.items() if v is not None}


def assert_no_server_error(response, data) -> None:
    assert response.status_code < 500, f"{response.status_code} for {data!r}"[:3000]
