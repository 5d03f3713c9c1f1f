"""Cells of the CSV and XLSX files the portal writes (route exports, the
map's and dashboard's tables): safe to open in a spreadsheet.

- Formula injection. Text that starts like a formula (= + - @, or a tab or
  carriage return before one) must stay text. CSV has no cell types, so
  there such text gets a leading apostrophe (the route import takes it off
  again). In XLSX every text cell is stored as text (never a formula) and a
  formula-like one is marked quote-prefixed (the cell style's `quotePrefix`,
  Excel's own "text, shown without the apostrophe"), its value unchanged.
- Characters a workbook cannot hold. XML 1.0 has no C0 control characters
  (other than tab and line breaks), lone surrogates or U+FFFE/U+FFFF; openpyxl
  refuses the first with IllegalCharacterError, so one such title stored
  before the input boundary (portal/domain/text.py) existed made every export
  fail. They are written as U+FFFD, which shows that something was there.
- Excel holds at most 32,767 characters in a cell; longer text is cut.

openpyxl (4 MB in every worker) is loaded on the first XLSX export, not with
the app: most workers never make one.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CHARS = 32767
XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def csv_cell(value: Any) -> Any:
    """A CSV value: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def xlsx_text(value: str) -> str:
    """Text a workbook can hold: illegal characters as U+FFFD, at most 32,767 characters."""
    return XLSX_ILLEGAL.sub(REPLACEMENT, value)[:XLSX_MAX_CHARS]


def new_workbook(write_only: bool = True) -> Any:
    """An empty openpyxl workbook."""
    from openpyxl import Workbook  # noqa: PLC0415  (loaded on the first export: see the docstring)
    return Workbook(write_only=write_only)


def bold_row(sheet: Any, row: int = 1) -> None:
    """The cells of `row` (of a normal worksheet) in bold: a header row."""
    from openpyxl.styles import Font  # noqa: PLC0415  (see new_workbook)
    for cell in sheet[row]:
        cell.font = Font(bold=True)


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """One cell for `sheet` (a normal or a write-only worksheet): text stays
    text, formula-like text is quote-prefixed; numbers stay numbers."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415  (see new_workbook)
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=xlsx_text(value))
    cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of cells made by xlsx_cell."""
    sheet.append([xlsx_cell(sheet, value) for value in values])
