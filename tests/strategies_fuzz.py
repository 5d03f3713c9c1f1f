"""Hypothesis strategies for hostile input, shared by the form and query
fuzzers (tests/http/test_fuzz_*.py). The list of nasty strings starts with the
one of the account-form fuzzer (tests/http/test_security_fuzz.py), extended with
numbers, dates, decimals and codes the area forms parse, and the cases of
the input boundary (issue 14): control characters, lone surrogates, bidi
controls, zero-width-only strings, huge and negative integers ('--5', 5,000
digits), out-of-range ids, extreme dates and school years, deep JSON.

Lone surrogates cannot be sent as UTF-8 by the test client's form encoder:
`encoded_form` writes the body itself (surrogatepass), as a hostile client
would, so they reach the server's form parser.

HYPOTHESIS_EXAMPLES sets the number of examples per test (default 200);
under CI=true they are derandomized (the same examples every run)."""
from __future__ import annotations

import json
import os
from urllib.parse import urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import IN_CI  # CI: the same examples every run; locally new ones
from tests.factories import PASSWORD

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=IN_CI,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

ACCOUNT_NASTY = [  # the account forms' list (tests/http/test_security_fuzz.py)
    "", " ", "\x00", "\x00admin@example.org", "a\x00b", "\r\n", "\t", "\u202e", "\ufeff",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "{{ 7*7 }}", "{% raw %}", "${7*7}", "' OR '1'='1", "'; DROP TABLE users; --",
    "\" OR 1=1 --", "admin'--", "1; SELECT pg_sleep(0)", "%00", "%s%s%s%n", "../../etc/passwd",
    "a" * 256, "a" * 5000, "é" * 300, "😀" * 300, "Ω≈ç√∫˜µ≤≥÷", "田中さんにあげて下さい",
    "-1", "0", "99999999999999999999999999", "1e309", "NaN", "null", "None", "true", "[]", "{}",
    "beheer@demo.leerroutes.nl", "BEHEER@DEMO.LEERROUTES.NL ", "@", "a@", "@b", "a@b@c",
    PASSWORD,
]

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
CONTROLS = ["\x00", "a\x00b", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31mrood", "\x1f", "\x7f", "\x80",
            "\x85", "\x9f", "regel\neen", "regel\r\ntwee", "tab\there", "\r", "x\u2028y"]
SURROGATES = ["\ud800", "\udfff", "a\ud83db", "\udc00\ud800", "titel \udbff"]
BIDI = ["\u202e", "exe.\u202efdp", "\u202a\u202b\u202c\u202d", "\u2066isolaat\u2069", "\u2067", "\u2068"]
ZERO_WIDTH = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\ufeff \u2060", "\u00ad", "\u3164", "\u115f\u1160",
              " \u200b\t\u200b ", "\u2061\u2062\u2063\u2064", "\u034f"]
HUGE_NUMBERS = ["--5", "-+5", "+-5", "- 5", "9" * 4300, "9" * 4301, "9" * 5000, "-" + "9" * 5000, "1" + "0" * 20,
                "4294967296", "-2147483648", "0" * 5000 + "1"]
IDS = ["0", "-1", "-0", "2147483647", "2147483648", "9223372036854775808", "9" * 5000, "1.0", "1e1", "0x1"]
EXTREME_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "1900-01-01", "2000-01-01", "2100-12-31"]
EXTREME_SCHOOL_YEARS = ["0000-0001", "1999-2000", "2100-2101", "9998-9999", "2000-2001", "2099-2100"]
SENDABLE_BOUNDARY = [*CONTROLS, *BIDI, *ZERO_WIDTH, *HUGE_NUMBERS, *IDS, *EXTREME_DATES, *EXTREME_SCHOOL_YEARS]
BOUNDARY = [*SENDABLE_BOUNDARY, *SURROGATES]

# Everything the test client can send as UTF-8 (no lone surrogates: those go through encoded_form).
NASTY = list(dict.fromkeys([*ACCOUNT_NASTY, *NUMBERS, *DATES, *SCHOOL_YEARS, *EXTRA, *SENDABLE_BOUNDARY]))

_chars = st.characters(blacklist_categories=("Cs",))
text = st.text(_chars, max_size=300)
long_text = st.text(_chars, min_size=1000, max_size=20000)
nasty = st.sampled_from(NASTY)
values = st.one_of(nasty, nasty, text, long_text, st.lists(nasty, min_size=2, max_size=4).map("".join))
# Any unicode including lone surrogates and controls: only for encoded_form and JSON.
raw_text = st.text(st.characters(), max_size=300)
boundary = st.one_of(st.sampled_from(BOUNDARY), raw_text,
                     st.tuples(st.sampled_from(BOUNDARY), text).map("".join))
# Built as digit strings: Hypothesis itself cannot print an int of more than 4,300 digits.
_digits = st.text(st.sampled_from("0123456789"), min_size=1, max_size=6000)
huge_integers = st.one_of(st.sampled_from(HUGE_NUMBERS), _digits,
                          st.tuples(st.sampled_from(["-", "--", "+", "-+", "- "]), _digits).map("".join))
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-(10 ** 30), 10 ** 30).map(str),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.floats().map(str), huge_integers, values)
out_of_range_ids = st.one_of(st.sampled_from(IDS), st.integers(2 ** 31, 10 ** 40).map(str),
                             st.integers(-(10 ** 40), 0).map(str), huge_integers)
dates = st.one_of(st.sampled_from(DATES), st.sampled_from(EXTREME_DATES), st.dates().map(str), values)
school_years = st.one_of(st.sampled_from(SCHOOL_YEARS), st.sampled_from(EXTREME_SCHOOL_YEARS),
                         st.integers(-5, 12000).map(lambda y: f"{y}-{y + 1}"), values)
hostile_text = st.one_of(values, boundary)


def _json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 50), 10 ** 50), st.floats(allow_nan=False),
                        raw_text, st.sampled_from(BOUNDARY))
    return st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(raw_text, children, max_size=4)), max_leaves=20)


def _deep(depth: int, opener: str) -> bytes:
    closer = {"[": "]", "{\"a\":": "}"}[opener]
    return (opener * depth + "1" + closer * depth).encode()


# JSON bodies: well formed (with lone surrogates as \u escapes), nested up to
# 20,000 deep, truncated, and not UTF-8 at all.
json_bodies = st.one_of(
    _json_values().map(lambda v: json.dumps(v).encode()),
    st.builds(_deep, st.integers(0, 20_000), st.sampled_from(["[", "{\"a\":"])),
    st.sampled_from([b'{"title": "\\ud800"}', b'["\\udfff"]', b'{"a": "\\u0000"}', b"[" * 10_000,
                     b'{"a": ', b"\xff\xfe{", b"", b"null", b"1" * 5000]),
    st.binary(max_size=300),
)


def encoded_form(data: dict) -> bytes:
    """An application/x-www-form-urlencoded body for `data` (values: a string
    or a list of strings) that keeps lone surrogates (surrogatepass), which
    the test client's own encoder refuses."""
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key.encode("utf-8", "surrogatepass"), str(item).encode("utf-8", "surrogatepass")))
    return urlencode(pairs).encode("ascii")


def row_counts(session, *models) -> tuple[int, ...]:
    """The number of rows of each model: equal before and after a refused request."""
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in models)


def assert_nothing_saved_unless_accepted(response, before, after, data) -> None:
    """A request that was not accepted (no redirect) left no row behind."""
    if response.status_code != 302:
        assert before == after, f"{response.status_code} but rows {before} -> {after} for {data!r}"[:3000]


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
