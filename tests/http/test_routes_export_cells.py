"""What the spreadsheet exports write into their cells (issue 14).

- A route title with a C0 control character (stored before the input
  boundary existed, or by any path that skips it) made GET
  /leerroutes/export.xlsx answer 500 for every visitor (openpyxl's
  IllegalCharacterError): such characters are written as U+FFFD.
- Formula injection: XLSX text cells are stored as text and formula-like ones
  quote-prefixed (the cell style's quotePrefix), their value unchanged and
  without a visible apostrophe; CSV keeps its documented rule, a leading
  apostrophe that the import takes off again.
The workbooks are read back with openpyxl, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.core import spreadsheets
from portal.services.coverage import export as coverage_export
from portal.services.learning_routes import csv_import as route_import
from tests.conftest import login_as
from tests.factories import make_route, make_user

FORMULAS = ['=HYPERLINK("http://x","klik")', "+31 6 1234", "-2 graden", "@SUM(A1)", "\t=1+1", "\r=1+1"]
CONTROLS = ["Bel\x07route", "Esc\x1b[31mroute", "Vt\x0broute", "Nul\x01\x02\x03route", "\x1f"]


def sheet_rows(response):
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    return header, list(sheet.iter_rows(min_row=2))


def cells_by_title_prefix(rows, header, prefix):
    column = header.index("titel")
    return {row[column].value: row for row in rows if str(row[column].value).startswith(prefix)}


@pytest.mark.parametrize("title", CONTROLS)
def test_a_stored_title_with_a_control_character_does_not_break_the_xlsx_export(client, db_session, title):
    make_route(title=title, description=f"omschrijving {title}\nregel 2")
    make_route(title="Gewone exportroute")
    response = client.get("/leerroutes/export.xlsx")
    header, rows = sheet_rows(response)
    titles = [row[header.index("titel")].value for row in rows]
    expected = spreadsheets.XLSX_ILLEGAL.sub("\ufffd", title)
    assert expected in titles and "Gewone exportroute" in titles
    assert "\ufffd" in expected  # the control is really replaced, not silently kept
    description = next(row for row in rows if row[header.index("titel")].value == expected)[
        header.index("omschrijving")].value
    assert description.endswith("\nregel 2")  # line breaks are text a workbook holds


def test_formula_like_text_is_a_quote_prefixed_text_cell_with_its_value_unchanged(client, db_session):
    for n, formula in enumerate(FORMULAS):
        make_route(title=f"Formuleroute {n}", description=formula, qualification_name=formula.strip())
    make_route(title="Formuleroute gewoon", description="Geen formule", pupils_per_cohort=12)
    login_as(client, make_user("staff"))
    header, rows = sheet_rows(client.get("/leerroutes/export.xlsx"))
    routes = cells_by_title_prefix(rows, header, "Formuleroute")
    for n, formula in enumerate(FORMULAS):
        cell = routes[f"Formuleroute {n}"][header.index("omschrijving")]
        # the value itself is unchanged, no apostrophe in front (XML reads a CR as a line feed)
        assert cell.value == formula.replace("\r", "\n")
        assert cell.data_type == "s" and cell.quotePrefix is True, formula
    plain = routes["Formuleroute gewoon"]
    assert plain[header.index("omschrijving")].quotePrefix is False  # control: only formula-like text
    count = plain[header.index("leerlingen_per_cohort")]
    assert count.value == 12 and count.data_type == "n"  # numbers stay numbers


def test_the_csv_export_keeps_its_apostrophe_rule_and_the_import_reads_it_back(client, db_session):
    make_route(title='=HYPERLINK("http://x")', description="-2 graden", status="actief")
    text = client.get("/leerroutes/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    exported = next(r for r in rows[1:] if r[rows[0].index("titel")].startswith("'=HYPERLINK"))
    assert exported[rows[0].index("titel")] == "'=HYPERLINK(\"http://x\")"
    assert exported[rows[0].index("omschrijving")] == "'-2 graden"
    parsed = dict(next(line for line in route_import.parse_csv(text.encode())
                       if line[1]["titel"].startswith("=HYPERLINK"))[1])
    assert (parsed["titel"], parsed["omschrijving"]) == ('=HYPERLINK("http://x")', "-2 graden")


def test_the_coverage_workbooks_use_the_same_cells():
    rows = [["AM99", "Regio\x07 Test", 3, "=1+1", None]]
    workbook = load_workbook(io.BytesIO(coverage_export.to_xlsx([("Regio's", ("a", "b", "c", "d", "e"), rows)])))
    cells = list(workbook["Regio's"].iter_rows(min_row=2))[0]
    assert cells[1].value == "Regio\ufffd Test" and cells[2].value == 3
    assert (cells[3].value, cells[3].quotePrefix) == ("=1+1", True)
