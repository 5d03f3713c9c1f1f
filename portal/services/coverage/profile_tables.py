"""The figures of /dekking as tables: what the page shows beside its charts and
maps, and what the CSV/XLSX exports and the API give. One place, so the page,
the files and the API never disagree."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.core.spreadsheets import append_row, csv_cell, new_workbook
from portal.domain import profile_coverage as pc
from portal.domain.offer import EXAM_SECTOR_NAMES
from portal.domain.vocab import VOCATIONAL_PROFILES
from portal.services.coverage import profile_trends as trends
from portal.services.coverage.profiles import PROFILE_CODES, ProfileCoverage

PROFILE_NAMES = {t.code: t.name for t in VOCATIONAL_PROFILES}
STATE_WORDS = {pc.OFFERED: "aangeboden", pc.NOT_OFFERED: "niet aangeboden",
               pc.NOT_APPLICABLE: "geen beroepsgericht vmbo-aanbod"}
TABLES = ("verdeling", "profielen", "provincies", "gemeenten", "klein", "afstand", "leerlingen", "examens")
TREND_TABLES = ("leerlingen", "examens")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[list]
    # A trend spans several school years and has its own source; None: the school year of the coverage.
    years: str | None = None
    source: str | None = None


def share_value(share: pc.Share) -> float | None:
    return None if share.value is None else round(share.value * 100, 1)


def distribution_table(cov: ProfileCoverage) -> Table:
    groups = [("Nederland", cov.distribution())]
    groups += [(f"{name} (provincie)", cov.distribution(province=code)) for code, (name, _) in cov.provinces.items()]
    groups += [(f"{name} ({code})", cov.distribution(region=code)) for code, name in sorted(cov.regions.items())]
    columns = ("Gebied", "Vestigingen", *[f"{n} profiel{'en' if n > 1 else ''}" for n in range(1, 11)],
               "Eén profiel (%)", "Maximaal drie (%)")
    rows = [[label, d.total, *[d.counts[n] for n in range(1, 11)], _pct(d.share(1)), _pct(d.share_at_most(3))]
            for label, d in groups]
    return Table("verdeling", "Vestigingen naar het aantal beroepsgerichte profielen", columns, rows)


def profile_table(cov: ProfileCoverage) -> Table:
    columns = ("Profiel", "Code", "Nederland (%)", *[f"{name} (%)" for name, _ in cov.provinces.values()])
    rows = [[PROFILE_NAMES[p], p, share_value(cov.profile_share_cached(p)),
             *[share_value(cov.profile_share_cached(p, code)) for code in cov.provinces]]
            for p in PROFILE_CODES]
    return Table("profielen", "Aandeel van de gemeenten met beroepsgericht vmbo-aanbod waar het profiel wordt "
                 "aangeboden", columns, rows)


def province_matrix_table(cov: ProfileCoverage) -> Table:
    matrix = cov.province_matrix()
    columns = ("Provincie", *[PROFILE_NAMES[p] for p in PROFILE_CODES])
    rows = [[name, *[matrix[code][p] for p in PROFILE_CODES]] for code, (name, _) in cov.provinces.items()]
    return Table("provincies", "Vestigingen per provincie en profiel", columns, rows)


def municipality_table(cov: ProfileCoverage, profile: str) -> Table:
    columns = ("Gemeentecode", "Gemeente", "Provincie", "Regio", "Profiel", "Stand", "Dichtstbijzijnde vestiging",
               "Afstand (km)")
    nearest = cov.nearest(profile)
    rows = []
    for area in cov.municipalities.values():
        n = nearest.get(area.code)
        school = cov.school(str(n.school)) if n and n.school else None
        rows.append([area.code, area.name, cov.provinces.get(area.province or "", ("", None))[0], area.region or "",
                     PROFILE_NAMES[profile], STATE_WORDS[cov.area_state(area.code, profile)],
                     school.name if school else "", None if not n or n.km is None else round(n.km, 1)])
    return Table("gemeenten", f"Gemeenten en het profiel {PROFILE_NAMES[profile]}", columns, rows)


def small_table(cov: ProfileCoverage, province: str | None = None, region: str | None = None) -> Table:
    columns = ("Vestigingscode", "Vestiging", "Plaats", "Regio", "Leerweg", "Profiel", "Leerjaar 3", "Leerjaar 4")
    rows = [[s.vestigingscode, s.name, s.city or "", s.region or "", row.pathway, PROFILE_NAMES.get(row.profile or "", ""),
             row.pupils_year3, row.pupils_year4]
            for s, row in cov.small_rows(province=province, region=region)]
    return Table("klein", f"Kleine profielen (hoogstens {pc.SMALL_PROFILE_MAX_PUPILS} leerlingen per leerjaar)",
                 columns, rows)


def distance_table(cov: ProfileCoverage, profile: str, threshold_km: float, region: str | None = None) -> Table:
    columns = ("Gemeentecode", "Gemeente", "Regio", "Profiel", "Afstand tot dichtstbijzijnde aanbod (km)",
               "Dichtstbijzijnde vestiging")
    rows = []
    for area, n in cov.far_from(profile, threshold_km, region=region):
        school = cov.school(str(n.school)) if n.school else None
        rows.append([area.code, area.name, area.region or "", PROFILE_NAMES[profile],
                     None if n.km is None else round(n.km, 1), school.name if school else "nergens aangeboden"])
    return Table("afstand", f"Gemeenten verder dan {threshold_km:g} km van een vestiging met "
                 f"{PROFILE_NAMES[profile]}", columns, rows)


def _area_label(area: str, region_names: dict[str, str]) -> str:
    return "Nederland" if area == trends.NATIONAL else region_names.get(area, area)


def _span(years: list[str]) -> str | None:
    return None if not years else years[0] if len(years) == 1 else f"{years[0]} tot en met {years[-1]}"


def pupil_trend_table(years: list[str], per_area: dict[str, trends.Series], region_names: dict[str, str]) -> Table:
    columns = ("Gebied", "Regiocode", "Leerweg", *years)
    rows = [[_area_label(area, region_names), area, pathway, *[series[pathway].get(y, 0) for y in years]]
            for area, series in per_area.items()
            for pathway in sorted(series, key=lambda p: trends.PATHWAY_ORDER.index(p)
                                  if p in trends.PATHWAY_ORDER else len(trends.PATHWAY_ORDER))]
    return Table("leerlingen", "Leerlingen in leerjaar 3 en 4 per leerweg en schooljaar", columns, rows,
                 years=_span(years) or "geen jaar", source=trends.PUPIL_SOURCE)


def exam_trend_table(years: list[str], per_area: dict[str, trends.SectorSeries],
                     region_names: dict[str, str]) -> Table:
    columns = ("Gebied", "Regiocode", "Leerweg", "Sector", *years)
    rows = [[_area_label(area, region_names), area, pathway, EXAM_SECTOR_NAMES.get(sector, sector),
             *[values.get(y, 0) for y in years]]
            for area, series in per_area.items() for (pathway, sector), values in series.items()]
    return Table("examens", 'Examenkandidaten vmbo per leerweg, sector en schooljaar (cellen "<5" niet meegeteld; '
                 'leeg: alleen cellen "<5")',
                 columns, rows, years=_span(years) or "geen jaar", source=trends.EXAM_SOURCE)


def trend_table(session: Session, name: str, region_names: dict[str, str], region: str | None = None) -> Table:
    """A trend table for one region, or nationally and for every region (region None)."""
    if name == "leerlingen":
        if region:
            years, pupils = trends.pupil_trend(session, region)
            return pupil_trend_table(years, {region: pupils} if pupils else {}, region_names)
        return pupil_trend_table(*trends.pupil_trend_per_region(session), region_names)
    if name == "examens":
        if region:
            years, exams = trends.exam_sector_trend(session, region)
            return exam_trend_table(years, {region: exams} if exams else {}, region_names)
        return exam_trend_table(*trends.exam_sector_trend_per_region(session), region_names)
    raise KeyError(name)


def table(cov: ProfileCoverage, name: str, *, profile: str, threshold_km: float, region: str | None = None) -> Table:
    if name == "verdeling":
        return distribution_table(cov)
    if name == "profielen":
        return profile_table(cov)
    if name == "provincies":
        return province_matrix_table(cov)
    if name == "gemeenten":
        return municipality_table(cov, profile)
    if name == "klein":
        return small_table(cov, region=region)
    if name == "afstand":
        return distance_table(cov, profile, threshold_km, region=region)
    raise KeyError(name)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def header_line(t: Table, cov: ProfileCoverage, filters: str) -> str:
    if t.years is not None:
        return f"{t.title}; schooljaren {t.years}; {filters}; bron: {t.source}"
    return f"{t.title}; schooljaar {cov.school_year}; {filters}; bron: {'; '.join(cov.sources) or 'geen gegevens'}"


def to_csv(t: Table, header: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([csv_cell(header)])
    writer.writerow(t.columns)
    for row in t.rows:
        writer.writerow(["" if v is None else (str(v).replace(".", ",") if isinstance(v, float) else csv_cell(v))
                         for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(t: Table, header: str) -> bytes:
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(title=t.name[:31])
    append_row(sheet, [header])
    append_row(sheet, t.columns)
    for row in t.rows:
        append_row(sheet, ["" if v is None else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_name(t: Table, cov: ProfileCoverage, filters: dict[str, str]) -> str:
    parts = ["dekking", t.name, (t.years.replace(" ", "-") if t.years else cov.school_year) or "geen-jaar"]
    parts += [f"{k}-{v}" for k, v in sorted(filters.items()) if v]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(parts))
