"""The overview of the plans as CSV or XLSX (cells made safe by core.spreadsheets)."""
from __future__ import annotations

import csv
import io
from typing import Any

from portal.core.spreadsheets import append_row, csv_cell, new_workbook

COLUMNS = ("planregio", "ronde", "penvoerder", "status", "markering", "totaal_begroting", "bedrijfsleven",
           "cofinanciering_procent", "versies")


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(title="Regioplannen")
    append_row(sheet, COLUMNS)
    for row in rows:
        append_row(sheet, [row[c] for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
