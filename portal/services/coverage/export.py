"""Tables of coverage figures and their CSV / XLSX files (the map's regions
table and the dashboard's goals per school year)."""
from __future__ import annotations

import csv
import io

from portal.core.spreadsheets import append_row, csv_cell, new_workbook
from portal.domain.school_year import current_school_year

REGION_COLUMNS = (
    "Regiocode", "Regio", "Leerroutes", "DLR", "GLR", "Leerlab", "Overige routes",
    "Mbo-niveaus gedekt", "Niveaus", "Aandeel profielen met route (%)", "Leerroutes per 1.000 leerlingen",
    "Vmbo-scholen", "Vmbo-scholen met route", "Vmbo-leerlingen", "Mbo-instellingen", "Leerlingen in routes",
)

GOAL_COLUMNS = (
    "Schooljaar", "Regio's met DLR", "Regio's met GLR", "Regio's met leerlab", "Regio's met een route",
    "Regio's met route op elk mbo-niveau", "Aantal regio's", "Leerroutes", "Leerlingen in routes",
)


def region_rows(figures) -> list[list]:
    return [
        [f.code, f.name, f.routes, f.kind_count("dlr"), f.kind_count("glr"), f.kind_count("leerlab"),
         f.kind_count("overig"), f.niveaus_covered, " ".join(sorted(f.levels)), f.profile_share,
         f.routes_per_1000_pupils, f.vmbo_schools, f.vmbo_schools_with_route, f.vmbo_pupils,
         f.mbo_institutions, f.pupils_in_routes]
        for f in figures
    ]


def goal_rows(years, region_count: int) -> list[list]:
    return [
        [y.school_year, y.regions_with_kind("dlr"), y.regions_with_kind("glr"), y.regions_with_kind("leerlab"),
         y.regions_with_route, y.regions_all_levels, region_count, y.routes, y.pupils_in_routes]
        for y in years
    ]


def to_csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(v) if not isinstance(v, float) else str(v).replace(".", ",") for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: list[tuple[str, tuple, list[list]]]) -> bytes:
    workbook = new_workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        append_row(sheet, columns)
        for row in rows:
            append_row(sheet, ["" if v is None else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_name(base: str, school_year: str | None, fmt: str) -> str:
    year = school_year or current_school_year()
    return f"{base}-{year}.{fmt}"
