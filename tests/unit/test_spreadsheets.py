"""core/spreadsheets.py: every string becomes a cell a workbook can hold,
read back with openpyxl (an illegal character would make saving or opening
the file fail)."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from portal.core import spreadsheets


def round_trip(values):
    workbook = Workbook()
    spreadsheets.append_row(workbook.active, values)
    out = io.BytesIO()
    workbook.save(out)
    return [c for c in load_workbook(io.BytesIO(out.getvalue())).active[1]]


@pytest.mark.parametrize("value, shown", [
    ("a\x00b", "a\ufffdb"), ("a\x08b\x0c", "a\ufffdb\ufffd"), ("half \ud800", "half \ufffd"),
    ("non\ufffechar\uffff", "non\ufffdchar\ufffd"), ("tab\tand\nline", "tab\tand\nline"), ("café", "café"),
])
def test_characters_a_workbook_cannot_hold_are_written_as_the_replacement_character(value, shown):
    assert round_trip([value])[0].value == shown


def test_text_longer_than_a_cell_holds_is_cut_at_excels_limit():
    assert len(round_trip(["x" * 40000])[0].value) == spreadsheets.XLSX_MAX_CHARS


def test_csv_cells_keep_the_apostrophe_rule():
    assert [spreadsheets.csv_cell(v) for v in ("=1", "-1", "@a", "\t=1", "a=1", None, 5)] == \
        ["'=1", "'-1", "'@a", "'\t=1", "a=1", "", 5]
