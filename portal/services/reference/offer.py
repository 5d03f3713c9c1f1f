"""What each vmbo vestiging offers, from DUO's published files:

- "01. Leerlingen vo per vestiging naar onderwijstype": pupils in leerjaar 3
  and 4 per vestiging x leerweg x profiel (vmbo BB/KB/GL) or sector (TL);
- "Examenkandidaten en geslaagden": the leerwegen a vestiging examined, per
  school year.

Figures are stored per vestigingscode and school year with their source; a
new run of the same year replaces that year's figures. DUO's names are mapped
to the portal's codes (domain.offer); a programme row that maps to no profiel
(Vakmanschapsroute Techniek, ...) is kept with its leerweg and reported."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.domain import offer as rules
from portal.models import OfferExamFigure, OfferPathwayYear, OfferProfileFigure
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv

PUPIL_COLUMNS = ("BRIN NUMMER", "VESTIGINGSNUMMER", "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR", "VMBO SECTOR",
                 "AFDELING", "LEER- OF VERBLIJFSJAAR 3 - MAN", "LEER- OF VERBLIJFSJAAR 3 - VROUW",
                 "LEER- OF VERBLIJFSJAAR 4 - MAN", "LEER- OF VERBLIJFSJAAR 4 - VROUW")
EXAM_COLUMNS = ("VESTIGINGSCODE", "ONDERWIJSTYPE VO", "OPLEIDINGSNAAM")
EXAM_YEAR_RE = re.compile(r"^EXAMENKANDIDATEN SCHOOLJAAR (\d{4}-\d{4}) - TOTAAL$")


@dataclass
class OfferImportReport(ImportReport):
    vestigingen: int = 0
    rows: int = 0
    unmapped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        text = f"{self.rows} regels voor {self.vestigingen} vestigingen"
        if self.unmapped:
            text += "; zonder profiel (programma's, per naam): " + ", ".join(
                f"{name}: {count}" for name, count in sorted(self.unmapped.items()))
        return text


def _count(row: dict[str, str], column: str, line: int) -> int:
    value = row[column] or "0"
    if not value.isdecimal():
        raise ReferenceDataError(f"Regel {line}: '{value}' in kolom {column} is geen geheel getal.")
    return int(value)


def _vestigingscode(brin: str, number: str, line: int) -> str:
    if len(number) == 6 and number.startswith(brin):  # some DUO files give BRIN + nummer
        number = number[4:]
    code = brin + number
    if not re.fullmatch(r"[0-9]{2}[A-Z]{2}[0-9]{2}", code):
        raise ReferenceDataError(f"Regel {line}: '{brin}' + '{number}' is geen vestigingscode (BRIN + 2 cijfers).")
    return code


def parse_profile_figures(raw: bytes | str, school_year: str) -> tuple[list[dict], Counter]:
    """The vmbo rows of leerjaar 3-4 summed per vestiging x leerweg x DUO name
    (DUO splits regular, LWOO and LWT rows), with the portal's profiel code or
    None; and the count of DUO rows per unmapped name."""
    sums: dict[tuple[str, str, str], list[int]] = {}
    profile_of: dict[tuple[str, str, str], str | None] = {}
    unmapped: Counter = Counter()
    for line, row in read_csv(raw, PUPIL_COLUMNS, legacy=True):
        pathway = rules.pathway_of_pupil_type(row["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"])
        if pathway is None:
            continue
        code = _vestigingscode(row["BRIN NUMMER"], row["VESTIGINGSNUMMER"], line)
        name, profile = rules.profile_of(pathway, row["VMBO SECTOR"], row["AFDELING"])
        year3 = _count(row, "LEER- OF VERBLIJFSJAAR 3 - MAN", line) + \
            _count(row, "LEER- OF VERBLIJFSJAAR 3 - VROUW", line)
        year4 = _count(row, "LEER- OF VERBLIJFSJAAR 4 - MAN", line) + \
            _count(row, "LEER- OF VERBLIJFSJAAR 4 - VROUW", line)
        if profile is None:
            unmapped[f"{pathway} {name}"] += 1
        key = (code, pathway, name)
        pair = sums.setdefault(key, [0, 0])
        pair[0] += year3
        pair[1] += year4
        profile_of[key] = profile
    rows = [{"vestigingscode": code, "school_year": school_year, "source": "duo_leerlingen",
             "pathway_code": pathway, "profile_code": profile_of[(code, pathway, name)], "duo_name": name[:120],
             "pupils_year3": y3, "pupils_year4": y4}
            for (code, pathway, name), (y3, y4) in sorted(sums.items())]
    if not rows:
        raise ReferenceDataError("Het bestand bevat geen vmbo-regels van leerjaar 3-4 (ONDERWIJSTYPE 'VMBO .. lj 3-4').")
    return rows, unmapped


def import_profile_figures(session: Session, raw: bytes | str, school_year: str, actor=None) -> OfferImportReport:
    """Replace DUO's profiel figures of `school_year` by those in the file."""
    rows, unmapped = parse_profile_figures(raw, school_year)
    session.execute(delete(OfferProfileFigure).where(OfferProfileFigure.school_year == school_year,
                                                     OfferProfileFigure.source == "duo_leerlingen"))
    session.execute(insert(OfferProfileFigure), rows)
    report = OfferImportReport(vestigingen=len({r["vestigingscode"] for r in rows}), rows=len(rows),
                               unmapped=unmapped, created=len(rows))
    record(session, actor, "offer_profiles", None, "import",
           after={"schooljaar": school_year, "regels": len(rows), "zonder_profiel": dict(unmapped)})
    return report


def _add(previous: int | None, value: int | None, seen: bool) -> int | None:
    """Candidates summed over DUO rows; None ("<5") stays None only while every part is "<5"."""
    if not seen:
        return value
    return value if previous is None else previous + (value or 0)


def parse_exam_figures(raw: bytes | str) -> list[dict]:
    """Per vestiging x school year x leerweg x sector: the vmbo examenkandidaten (None when DUO only
    says "<5"). Years without candidates are left out."""
    parsed = read_csv(raw, EXAM_COLUMNS, legacy=True)
    years = sorted({m.group(1) for column in (parsed[0][1] if parsed else {}) if (m := EXAM_YEAR_RE.match(column))})
    if parsed and not years:
        raise ReferenceDataError("Regel 1: geen kolommen 'EXAMENKANDIDATEN SCHOOLJAAR jjjj-jjjj - TOTAAL'.")
    found: dict[tuple[str, str, str, str], int | None] = {}
    for line, row in parsed:
        if row["ONDERWIJSTYPE VO"].upper() != "VMBO":
            continue
        pathway = rules.pathway_of_exam(row["OPLEIDINGSNAAM"])
        if pathway is None:
            raise ReferenceDataError(f"Regel {line}: opleiding '{row['OPLEIDINGSNAAM']}' hoort bij geen leerweg.")
        sector = rules.sector_of_exam(row["OPLEIDINGSNAAM"])
        if sector is None:
            raise ReferenceDataError(f"Regel {line}: opleiding '{row['OPLEIDINGSNAAM']}' noemt een onbekende sector.")
        code = row["VESTIGINGSCODE"]
        if not re.fullmatch(r"[0-9]{2}[A-Z]{2}[0-9]{2}", code):
            raise ReferenceDataError(f"Regel {line}: '{code}' is geen vestigingscode (BRIN + 2 cijfers).")
        for year in years:
            value = row[f"EXAMENKANDIDATEN SCHOOLJAAR {year} - TOTAAL"]
            if value in ("", "0"):
                continue
            if value != "<5" and not value.isdecimal():
                raise ReferenceDataError(f"Regel {line}: '{value}' examenkandidaten in {year} is geen aantal.")
            key = (code, year, pathway, sector)
            found[key] = _add(found.get(key), int(value) if value.isdecimal() else None, key in found)
    if not found:
        raise ReferenceDataError("Het bestand bevat geen vmbo-examenkandidaten.")
    return [{"vestigingscode": code, "school_year": year, "pathway_code": pathway, "sector": sector,
             "candidates": number} for (code, year, pathway, sector), number in sorted(found.items())]


def exam_pathways_of(figures: list[dict]) -> list[dict]:
    """The figures summed over the sectors: per vestiging x school year x the leerweg it examined."""
    found: dict[tuple[str, str, str], int | None] = {}
    for figure in figures:
        key = (figure["vestigingscode"], figure["school_year"], figure["pathway_code"])
        found[key] = _add(found.get(key), figure["candidates"], key in found)
    return [{"vestigingscode": code, "school_year": year, "source": "duo_examens", "pathway_code": pathway,
             "candidates": number} for (code, year, pathway), number in sorted(found.items())]


def parse_exam_pathways(raw: bytes | str) -> list[dict]:
    """Per vestiging x school year x leerweg: the vmbo examenkandidaten (at
    least; None when DUO only says "<5"). Years without candidates are left out."""
    return exam_pathways_of(parse_exam_figures(raw))


def import_exam_pathways(session: Session, raw: bytes | str, actor=None) -> OfferImportReport:
    """Replace DUO's examined leerwegen, and the candidates per leerweg x sector, of the school years in
    the file."""
    figures = parse_exam_figures(raw)
    rows = exam_pathways_of(figures)
    years = sorted({r["school_year"] for r in rows})
    session.execute(delete(OfferPathwayYear).where(OfferPathwayYear.school_year.in_(years),
                                                   OfferPathwayYear.source == "duo_examens"))
    session.execute(delete(OfferExamFigure).where(OfferExamFigure.school_year.in_(years)))
    session.execute(insert(OfferPathwayYear), rows)
    session.execute(insert(OfferExamFigure), figures)
    record(session, actor, "offer_pathways", None, "import",
           after={"schooljaren": years, "regels": len(rows), "regels_per_sector": len(figures)})
    return OfferImportReport(vestigingen=len({r["vestigingscode"] for r in rows}), rows=len(rows), created=len(rows))
