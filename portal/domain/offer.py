"""DUO's names for leerwegen, profielen and sectors, mapped to the portal's
codes (domain.vocab). Pure rules: no Flask, no SQLAlchemy."""
from __future__ import annotations

import re

from portal.domain import vocab

PUPIL_TYPE_RE = re.compile(r"^VMBO (BL|KL|GL|TL) lj 3-4$")
PUPIL_PATHWAYS = {"BL": "BB", "KL": "KB", "GL": "GL", "TL": "TL"}
# "VMBO B - techniek"; LWT (leerwerktraject) is a route within the basisberoepsgerichte leerweg.
EXAM_RE = re.compile(r"^VMBO (B|K|G|T|LWT)\b")
EXAM_PATHWAYS = {"B": "BB", "K": "KB", "G": "GL", "T": "TL", "LWT": "BB"}

# The ten profielen by their official name (DUO writes "Maritiem en Techniek",
# "Media, vormgeving en ICT": compared case-insensitively).
VOCATIONAL_BY_NAME = {t.name.lower(): t.code for t in vocab.VOCATIONAL_PROFILES}
# The theoretische leerweg had sectors until the new TL profielen; a sector maps
# to the TL profiel with the same content.
TL_BY_SECTOR = {"economie": "TL-EC", "landbouw": "TL-GR", "techniek": "TL-TE", "zorg & welzijn": "TL-ZW",
                "zorg en welzijn": "TL-ZW"}
NOT_APPLICABLE = "n.v.t."
SCHOOL_YEAR_FROM_FILE_RE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def pathway_of_pupil_type(onderwijstype: str) -> str | None:
    """'VMBO BL lj 3-4' -> 'BB'; None for every other onderwijstype."""
    match = PUPIL_TYPE_RE.match(onderwijstype.strip())
    return PUPIL_PATHWAYS[match.group(1)] if match else None


def pathway_of_exam(opleiding: str) -> str | None:
    match = EXAM_RE.match(opleiding.strip())
    return EXAM_PATHWAYS[match.group(1)] if match else None


def profile_of(pathway: str, sector: str, afdeling: str) -> tuple[str, str | None]:
    """DUO's name for the row's profiel (or, for TL, sector) and the portal's
    profiel code, or None when the row names a programme (Vakmanschapsroute
    Techniek, Beroepsroute Landbouw, ...) or nothing at all."""
    afdeling, sector = afdeling.strip(), sector.strip()
    if pathway == "TL":
        if afdeling and afdeling.lower() != NOT_APPLICABLE:
            return afdeling, None
        return (sector or "N.v.t."), TL_BY_SECTOR.get(sector.lower())
    return (afdeling or "N.v.t."), VOCATIONAL_BY_NAME.get(afdeling.lower())


def school_year_of_peildatum_year(year: int) -> str:
    """DUO's pupil files count on 1 October: the 2019 file is 2019-2020."""
    return f"{year}-{year + 1}"


def school_year_from_file_name(name: str) -> str | None:
    match = SCHOOL_YEAR_FROM_FILE_RE.search(name)
    return school_year_of_peildatum_year(int(match.group(1))) if match else None


def is_vocational(profile_code: str) -> bool:
    return profile_code in VOCATIONAL_BY_NAME.values()
