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
# The exam file names the four old vmbo sectors, not the ten profielen ("VMBO K - zorg en welzijn"). They are
# kept as DUO gives them: a sector such as techniek spans five profielen, so no sound mapping exists.
EXAM_SECTOR_RE = re.compile(r"^VMBO (?:B|K|G|T|LWT)\s*-\s*(.+)$")
EXAM_SECTORS = (("economie", "Economie"), ("landbouw", "Landbouw"), ("techniek", "Techniek"),
                ("zorg_welzijn", "Zorg en welzijn"), ("geen", "Zonder sector"))
EXAM_SECTOR_NAMES = dict(EXAM_SECTORS)
EXAM_SECTOR_BY_DUO_NAME = {"economie": "economie", "landbouw": "landbouw", "techniek": "techniek",
                           "zorg en welzijn": "zorg_welzijn", "zorg & welzijn": "zorg_welzijn"}

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


def sector_of_exam(opleiding: str) -> str | None:
    """'VMBO K - zorg en welzijn' -> 'zorg_welzijn'; 'VMBO T' (no sector named) -> 'geen'; None for a
    sector the portal does not know (an importer reports it)."""
    match = EXAM_SECTOR_RE.match(opleiding.strip())
    if match is None:
        return "geen" if EXAM_RE.match(opleiding.strip()) else None
    return EXAM_SECTOR_BY_DUO_NAME.get(match.group(1).strip().lower())


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


PATHWAY_ORDER = [t.code for t in vocab.PATHWAYS]
SOURCE_NAMES = {"duo_leerlingen": "volgens DUO", "duo_examens": "volgens DUO (examens)",
                "school": "opgegeven door de school"}


def profiles_source_label(source: str | None, school_year: str | None) -> str:
    """'profielen volgens DUO, 2019-2020' or 'profielen opgegeven door de school, 2026-2027'."""
    return f"profielen {SOURCE_NAMES.get(source or '', source or 'onbekend')}, {school_year or 'jaar onbekend'}"


VOCATIONAL_PATHWAYS = frozenset({"BB", "KB", "GL"})


def statement_errors(pathways: list[str], profiles: list[str]) -> dict[str, list[str]]:
    """A school's own statement of its leerwegen and profielen: Dutch messages
    per field (pathways, profiles); empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    known_pathways, known_profiles = vocab.codes(vocab.PATHWAYS), vocab.codes(vocab.PROFILES)
    if any(p not in known_pathways for p in pathways):
        errors.setdefault("pathways", []).append("Kies leerwegen uit de lijst.")
    if any(p not in known_profiles for p in profiles):
        errors.setdefault("profiles", []).append("Kies profielen uit de lijst.")
    if not pathways:
        errors.setdefault("pathways", []).append("Kies minstens één leerweg die de school aanbiedt.")
    vocational = [p for p in profiles if is_vocational(p)]
    tl_profiles = [p for p in profiles if p in vocab.codes(vocab.TL_PROFILES)]
    if vocational and not VOCATIONAL_PATHWAYS & set(pathways):
        errors.setdefault("profiles", []).append(
            "Een beroepsgericht profiel hoort bij BB, KB of GL: kies ook die leerweg, of haal het profiel weg.")
    if tl_profiles and "TL" not in pathways:
        errors.setdefault("profiles", []).append(
            "Een TL-profiel hoort bij de theoretische leerweg: kies ook TL, of haal het profiel weg.")
    if VOCATIONAL_PATHWAYS & set(pathways) and not vocational:
        errors.setdefault("profiles", []).append(
            "Kies de beroepsgerichte profielen die de school in BB, KB of GL aanbiedt.")
    return errors
