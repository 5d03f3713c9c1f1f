"""Hypothesis over the CSV import of leerroutes (issue 14), the small import
and the streamed one (more than STREAM_THRESHOLD rows), on SQLite and
PostgreSQL. Files are valid rows with hostile cells spliced in: C0/C1
control characters (NUL included), bidi controls, zero-width-only cells,
lone surrogates (as undecodable bytes over HTTP, as parsed cells in the
service), huge, negative and doubly negative integers, 5,000-digit ids,
school years from -5 to 12000. Checked for every example:

- the answer is the import page (200), complete, never the error page, and a
  streamed page is never the "De import is mislukt" report of an unexpected
  error (the stream logs such errors instead of raising them);
- nothing half-saved: the row counts before and after differ by exactly the
  routes the report says were imported (all-or-nothing: none), each with one
  audit entry and at least two parties;
- nothing that the boundary refuses was stored (no control or bidi
  character, no visually empty title).

HYPOTHESIS_EXAMPLES sets the number of examples (default 200; the streamed
variant runs a tenth of them, each with more than 200 rows)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.domain import text as text_rules
from portal.models import AuditLog, LearningRoute, RouteParty
from portal.routes.learning_routes.csv_io import STREAM_THRESHOLD
from portal.services.learning_routes import columns
from portal.services.learning_routes import csv_import as route_import
from tests.conftest import login_as
from tests.factories_routes import RouteWorld
from tests.strategies_fuzz import EXAMPLES, FUZZ_SETTINGS

pytestmark = pytest.mark.fuzz

HEADER = [c for c, _ in columns.IMPORT_COLUMNS]
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
ODD = [*sorted(text_rules.BIDI_CONTROLS), *sorted(text_rules.INVISIBLE), "\ufffe", "\uffff", "\ud800", "\udfff"]
STREAMED_SETTINGS = settings(FUZZ_SETTINGS, max_examples=max(5, EXAMPLES // 10))

# --- strategies ------------------------------------------------------------------

hostile_chars = st.text(st.sampled_from(CONTROLS + ODD), min_size=1, max_size=3)
invisible_only = st.text(st.sampled_from([" ", *sorted(text_rules.INVISIBLE)]), min_size=1, max_size=4)
integers = st.one_of(
    st.integers(-(10 ** 40), 10 ** 40).map(str),
    st.integers(4290, 6000).map(lambda n: "9" * n),
    st.integers(4290, 6000).map(lambda n: "-" + "9" * n),
    st.integers(1, 4).flatmap(lambda n: st.integers(0, 500).map(lambda v: "-" * n + str(v))),
    st.sampled_from(["--5", "-0", "+5", "0x10", "1e5", "١٢", "²", "１２", " - 5", "5-", "12,5", "∞"]),
)
school_years = st.one_of(
    st.integers(-5, 12000).map(lambda y: f"{y:04d}-{y + 1:04d}"),
    st.sampled_from(["0000-0001", "1999-2000", "2099-2100", "2100-2101", "9999-10000", "2025-2025", "2025/2026"]),
)
party_keys = st.one_of(
    st.integers(-(10 ** 30), 10 ** 30).map(lambda i: f"id:{i}"),
    st.integers(4290, 6000).map(lambda n: "id:" + "9" * n),
    st.sampled_from(["[id:]", "x [id:١]", "id: 0", "id:-1", "[[id:1]]"]),
)


def spliced(value: str):
    """`value` with hostile characters put in at some place."""
    return st.builds(lambda i, chars: value[:i] + chars + value[i:], st.integers(0, len(value)), hostile_chars)


def hostile_cell(column: str, value: str):
    specific = {"leerlingen_per_cohort": integers, "eerste_schooljaar": school_years,
                "laatste_schooljaar": school_years, "vmbo_partijen": party_keys, "mbo_partijen": party_keys,
                "bedrijven": party_keys}.get(column, st.nothing())
    return st.one_of(spliced(value), invisible_only, specific, st.just("\x00"))


def base_row(world, title: str) -> dict[str, str]:
    return {"titel": title, "soort": "GLR", "status": "concept", "vmbo_partijen": world.school.name,
            "mbo_partijen": f"ROC [id:{world.roc.id}]", "bedrijven": "", "leerwegen": "BB, KB",
            "profielen": "Z&W", "mbo_niveau": "2", "opleidingsdomein": "Zorg en welzijn", "crebo": "25498",
            "kwalificatie": "Helpende zorg en welzijn", "lesplaats": "vmbo-locatie",
            "eerste_schooljaar": "2026-2027", "laatste_schooljaar": "2030-2031", "leerlingen_per_cohort": "12",
            "contactpersoon": "Jan", "contact_email": "jan@example.org", "contact_telefoon": "0318-123456",
            "omschrijving": "Een route.\nTweede regel."}


@st.composite
def fuzzed_rows(draw, world, count: int):
    """`count` rows, each valid with 0 to 3 hostile cells."""
    rows = []
    for n in range(count):
        row = base_row(world, f"Fuzzimport {n}")
        for column in draw(st.lists(st.sampled_from(HEADER), max_size=3, unique=True)):
            row[column] = draw(hostile_cell(column, row[column]))
        rows.append(row)
    return rows


def encode(rows: list[dict[str, str]], bom: bool) -> bytes:
    """As a spreadsheet writes it (';', quoted where needed); a lone surrogate
    becomes the bytes of one (undecodable UTF-8, as a broken file has)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[c] for c in HEADER])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8", "surrogatepass")


# --- checks ----------------------------------------------------------------------

def state(session) -> dict[str, int]:
    session.expire_all()
    return {
        "routes": session.scalar(select(func.count(LearningRoute.id))),
        "parties": session.scalar(select(func.count(RouteParty.id))),
        "audit": session.scalar(select(func.count(AuditLog.id))),
        "last_id": session.scalar(select(func.max(LearningRoute.id))) or 0,
    }


def imported_count(html: str) -> int:
    """What the page says was saved: 0 for a refused file or all-or-nothing."""
    if "Er is niets geïmporteerd" in html or 'id="bestand-fout"' in html:
        return 0
    saved = re.search(r"([\d.]+) van [\d.]+ leerroutes? geïmporteerd", html)
    assert saved, html[-2000:]
    return int(saved.group(1).replace(".", ""))


def assert_nothing_half_saved_and_nothing_refused_stored(session, before, created: int) -> None:
    after = state(session)
    assert after["routes"] - before["routes"] == created
    assert after["audit"] - before["audit"] == created  # one create entry per route, nothing else
    assert after["parties"] - before["parties"] >= 2 * created
    new = session.scalars(select(LearningRoute).where(LearningRoute.id > before["last_id"])).all()
    for route in new:
        assert {p.role for p in route.parties} >= {"vmbo", "mbo"}
        assert not text_rules.is_visually_empty(route.title)
        for value in (route.title, route.qualification_name, route.contact_name, route.contact_phone):
            assert text_rules.check_text(value, name=True) is None, repr(value)
        assert text_rules.check_text(route.description, multiline=True) is None, repr(route.description)


def post_and_check(client, session, raw: bytes, mode: str) -> str:
    before = state(session)
    response = client.post("/leerroutes/importeren", content_type="multipart/form-data",
                           data={"mode": mode, "bestand": (io.BytesIO(raw), "fuzz.csv")})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)  # a streamed body is read to its end: no exception
    assert html.rstrip().endswith("</html>")
    assert "De import is mislukt" not in html and "Er ging iets mis" not in html
    assert_nothing_half_saved_and_nothing_refused_stored(session, before, imported_count(html))
    return html


@pytest.fixture
def world(db_session):
    return RouteWorld()


# --- the tests -------------------------------------------------------------------

def test_small_import_of_hostile_cells(client, db_session, world):
    @FUZZ_SETTINGS
    @given(data=st.data(), count=st.integers(1, 6), mode=st.sampled_from(["all", "valid"]), bom=st.booleans())
    def run(data, count, mode, bom):
        login_as(client, world.coordinator)
        post_and_check(client, db_session, encode(data.draw(fuzzed_rows(world, count)), bom), mode)

    run()


def test_streamed_import_of_hostile_cells(client, db_session, world):
    clean = [base_row(world, f"Fuzzstroom {n}") for n in range(STREAM_THRESHOLD)]

    @STREAMED_SETTINGS
    @given(data=st.data(), mode=st.sampled_from(["all", "valid"]), position=st.integers(0, STREAM_THRESHOLD))
    def run(data, mode, position):
        login_as(client, world.coordinator)
        hostile = data.draw(fuzzed_rows(world, 4))
        rows = clean[:position] + hostile + clean[position:]
        html = post_and_check(client, db_session, encode(rows, bom=True), mode)
        assert "<progress" in html or 'id="bestand-fout"' in html

    run()


def test_the_service_with_lone_surrogates_and_other_hostile_cells_in_parsed_rows(db_session, world):
    """Lone surrogates cannot travel in UTF-8, so here the parsed rows go to
    the import itself; what it keeps is flushed (PostgreSQL refuses a NUL or
    an over-long value at that point) and what it refuses leaves no row."""
    @FUZZ_SETTINGS
    @given(data=st.data(), count=st.integers(1, 5), mode=st.sampled_from(["all", "valid"]))
    def run(data, count, mode):
        rows = [(n + 2, row) for n, row in enumerate(data.draw(fuzzed_rows(world, count)))]
        db_session.commit()  # a savepoint: the example's own changes are undone below
        before = state(db_session)
        result = route_import.import_routes(db_session, rows, world.coordinator, mode=mode)
        if result.should_commit:
            db_session.flush()
            assert_nothing_half_saved_and_nothing_refused_stored(db_session, before, result.created)
        db_session.rollback()
        assert state(db_session) == before

    run()
