"""The CSV import's input boundary (issue 14): every cell passes the same text
rule as the forms (portal/domain/text.py) and the route rules' bounds. A
hostile cell is a Dutch message at its row and column in the report, never an
exception; nothing of the file is saved in all-or-nothing mode, and with
"import the valid rows" the other rows are written and flushed (PostgreSQL
refused NUL and over-long text with an error, SQLite stored them)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.domain import text as text_rules
from portal.models import AuditLog, LearningRoute
from portal.services.learning_routes import csv_import as route_import
from tests.factories_routes import RouteWorld
from tests.services.test_routes_io import csv_bytes, row

CONTROL, SURROGATE, BIDI = text_rules.MESSAGE_CONTROL, text_rules.MESSAGE_SURROGATE, text_rules.MESSAGE_BIDI

# (column, hostile cell, the message at that column)
REFUSED = [
    ("titel", "Import\x00nul", CONTROL),
    ("titel", "Import\x07bel", CONTROL),
    ("titel", "Import\x7fdel", CONTROL),
    ("titel", "Import\x85c1", CONTROL),
    ("titel", "Import\x9bc1", CONTROL),
    ("titel", "Import\ud800half", SURROGATE),
    ("titel", "Import \u202egnp.exe", BIDI),
    ("titel", "Import \u2066isolaat\u2069", BIDI),
    ("vmbo_partijen", "Vmbo De Eerste\u202e", BIDI),
    ("mbo_partijen", "ROC\x00 Eerste", CONTROL),
    ("kwalificatie", "Helpende \u202dzorg", BIDI),
    ("contactpersoon", "Jan\nPiet", CONTROL),
    ("contact_telefoon", "0318\t123456", CONTROL),
    ("omschrijving", "een\x00nul", CONTROL),
    ("omschrijving", "een \udfff half", SURROGATE),
    ("titel", "\u200b\u200b", "Vul een titel in."),
    ("titel", " \u00ad\ufeff\u2060 ", "Vul een titel in."),
    ("eerste_schooljaar", "\u200b", "Vul het eerste schooljaar in"),
    ("leerlingen_per_cohort", "--5", "Vul een geheel getal van 0 of meer in."),
    ("leerlingen_per_cohort", "-" + "9" * 5000, "Vul een geheel getal van 0 of meer in."),
    ("leerlingen_per_cohort", "9" * 4301, "wel erg veel leerlingen"),
    ("leerlingen_per_cohort", "١٢", "Vul een geheel getal van 0 of meer in."),
    ("mbo_partijen", "id:" + "9" * 5000, "bestaat niet"),
    ("mbo_partijen", "ROC [id:99999999999999999999]", "bestaat niet"),
    ("mbo_partijen", "id:١", "bestaat niet"),
    ("eerste_schooljaar", "0000-0001", "tussen 2000-2001 en 2099-2100"),
    ("eerste_schooljaar", "2100-2101", "tussen 2000-2001 en 2099-2100"),
    ("laatste_schooljaar", "9998-9999", "tussen 2000-2001 en 2099-2100"),
    ("kwalificatie", "k" * 256, "Hoogstens 255 tekens (nu 256)."),
    ("contactpersoon", "c" * 256, "Hoogstens 255 tekens (nu 256)."),
    ("contact_email", "a" * 251 + "@x.nl", "Hoogstens 255 tekens (nu 256)."),
    ("contact_telefoon", "1" * 65, "Hoogstens 64 tekens (nu 65)."),
    ("omschrijving", "o" * 10001, "Hoogstens 10.000 tekens (nu 10.001)."),
]


@pytest.fixture
def world(db_session):
    return RouteWorld()


def rows_of(world, column, value):
    """Two data rows (lines 2 and 3): a clean one and the hostile one. A lone
    surrogate cannot travel in UTF-8 bytes, so those rows are handed over as
    parsed (what parse_csv returns)."""
    good, bad = row(world, "Import schoon"), row(world, "Import vijandig", **{column: "x"})
    rows = route_import.parse_csv(csv_bytes(good, bad))
    rows[1][1][column] = value
    return rows


def counts(session):
    return (session.scalar(select(func.count(LearningRoute.id))), session.scalar(select(func.count(AuditLog.id))))


@pytest.mark.parametrize("column, value, message", REFUSED,
                         ids=[f"{c}-{v[:12].encode('unicode_escape', 'backslashreplace').decode()}"
                              for c, v, _ in REFUSED])
def test_a_hostile_cell_is_a_dutch_message_at_its_row_and_column_and_nothing_is_saved(
        db_session, world, column, value, message):
    before = counts(db_session)
    result = route_import.import_routes(db_session, rows_of(world, column, value), world.coordinator, mode="all")
    assert result.failed_rows == 1 and not result.should_commit
    at_cell = [m.message for m in result.errors if (m.row, m.column) == (3, column)]
    assert any(message in m for m in at_cell), [(m.row, m.column, m.message) for m in result.errors]
    assert all(m.row == 3 for m in result.errors)
    assert all(len(m.message) < 300 for m in result.messages), "a message quotes a cell at most in part"
    db_session.rollback()
    assert counts(db_session) == before


@pytest.mark.parametrize("column, value, message", REFUSED[::4])
def test_importing_the_valid_rows_writes_the_clean_one_and_the_database_accepts_it(
        db_session, world, column, value, message):
    result = route_import.import_routes(db_session, rows_of(world, column, value), world.coordinator, mode="valid")
    assert (result.created, result.failed_rows, result.should_commit) == (1, 1, True)
    db_session.flush()  # PostgreSQL would refuse a NUL or an over-long value here
    titles = db_session.scalars(select(LearningRoute.title).where(LearningRoute.title.like("Import %"))).all()
    assert titles == ["Import schoon"]


@pytest.mark.parametrize("column, value, stored", [
    ("titel", "Import Cafe\u0301", "Import Café"),                   # NFC, as the forms store it
    ("omschrijving", '"regel 1\r\nregel\t2"', "regel 1\nregel\t2"),    # line breaks and tabs are text here
    ("omschrijving", "tekst \u202eomgekeerd", "tekst \u202eomgekeerd"),  # a description is not a name
    ("leerlingen_per_cohort", "0012", 12),
    ("eerste_schooljaar", "2099-2100", "2099-2100"),
])
def test_what_the_boundary_lets_through_is_stored_normalised(db_session, world, column, value, stored):
    """Controls for the refusals above: valid cells at the edge are imported."""
    field = {"titel": "title", "omschrijving": "description", "leerlingen_per_cohort": "pupils_per_cohort",
             "eerste_schooljaar": "first_school_year"}[column]
    rows = route_import.parse_csv(csv_bytes(row(world, "Import rand", **{column: value})))
    result = route_import.import_routes(db_session, rows, world.coordinator)
    assert result.errors == [] and result.created == 1
    db_session.flush()
    route = db_session.scalar(select(LearningRoute).order_by(LearningRoute.id.desc()).limit(1))
    assert getattr(route, field) == stored


def test_undecodable_bytes_are_refused_with_their_line(world):
    raw = csv_bytes(row(world, "Import 1"), row(world, "Import 2")).replace(b"Import 2", b"Import \xed\xa0\x80 2")
    with pytest.raises(route_import.ImportFileError) as caught:
        route_import.parse_csv(raw)
    assert str(caught.value).startswith("Regel 3: het bestand is geen UTF-8-tekst")
