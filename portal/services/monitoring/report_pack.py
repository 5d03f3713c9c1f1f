"""The report pack as one XLSX, from the same Report as the page: the
definitions, the targets, one sheet per indicator (nationally and per region,
with the change) and the routes that counted."""
from __future__ import annotations

import io

from portal.core.spreadsheets import append_row, new_workbook
from portal.domain import monitoring as rules
from portal.domain import vocab
from portal.services.monitoring.report import Report

DEFINITIONS_SHEET = "Definities"
TARGETS_SHEET = "Doelen"
ROUTES_SHEET = "Meetellende routes"
NATIONAL = "Landelijk"
ROUTE_COLUMNS = ("Id", "Titel", "Soort", "Mbo-niveau", "Status", "Lesplaats", "Leerwegen", "Leerlingen per cohort",
                 "Gedekt door getekende overeenkomst", "Partijen", "Regio's")


def sheet_title(indicator: rules.Indicator) -> str:
    """An indicator's sheet: its name, cut to Excel's 31 characters."""
    return indicator.name[:31]


def _year_label(year) -> str:
    return f"{year.school_year} ({year.label})"


def _value(result: rules.Result | None) -> float | None:
    return None if result is None else result.value


def report_xlsx(report: Report) -> bytes:
    workbook = new_workbook(write_only=True)
    after, before = report.after, report.before
    sheet = workbook.create_sheet(DEFINITIONS_SHEET)
    append_row(sheet, ["Indicator", "Definitie", "Eenheid"])
    for indicator in rules.INDICATORS.values():
        append_row(sheet, [indicator.name, indicator.definition, indicator.unit])
    append_row(sheet, [])
    append_row(sheet, ["Stand", _year_label(after)])
    if before is not None:
        append_row(sheet, ["Vergeleken met", _year_label(before)])

    sheet = workbook.create_sheet(TARGETS_SHEET)
    append_row(sheet, ["Doel", "Indicator", "Doelwaarde", "Doelschooljaar", "Stand", "Status", "Bron"])
    for p in report.progress:
        append_row(sheet, [p.target.name, p.indicator.name, p.target.target_value, p.target.target_school_year,
                           p.assessment.latest, p.assessment.name, p.target.source])

    for row in report.rows:
        sheet = workbook.create_sheet(sheet_title(row.indicator))
        append_row(sheet, [row.indicator.name])
        append_row(sheet, [row.indicator.definition])
        append_row(sheet, ["Regiocode", "Regio", _year_label(before) if before else "Vorig jaar",
                           _year_label(after), "Verschil"])
        append_row(sheet, ["NL", NATIONAL, _value(row.before), _value(row.after), row.change])
        for region in row.regions:
            append_row(sheet, [region.code, region.name, region.before, region.after, region.change])

    sheet = workbook.create_sheet(ROUTES_SHEET)
    append_row(sheet, [f"De routes die meetelden in {_year_label(after)}"])
    append_row(sheet, ROUTE_COLUMNS)
    kinds = vocab.names(vocab.ROUTE_KINDS)
    for route in after.routes or []:
        append_row(sheet, [route["id"], route["title"], kinds.get(route["kind"], route["kind"]), route["level"] or "",
                           route["status"], route.get("teaching_location") or "",
                           " ".join(route.get("pathways") or []), route.get("pupils"),
                           "ja" if route.get("covered") else "nee", "; ".join(route.get("parties") or []),
                           " ".join(route.get("regions") or [])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
