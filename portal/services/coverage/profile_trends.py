"""The trends of /dekking: pupils per leerweg (DUO's pupil files, the school years the portal has) and
exam candidates per leerweg and per leerweg x sector (DUO's examenkandidaten), nationally, in one region
or per region. Cheap grouped queries, read per request (not part of the cached ProfileCoverage).
DUO's "<5" cells are unknown and never added."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.offer import EXAM_SECTORS
from portal.models import (
    MunicipalityRegion,
    OfferExamFigure,
    OfferPathwayYear,
    OfferProfileFigure,
    Organisation,
    Region,
)
from portal.services.reference.boundaries import current_region_year

PUPIL_SOURCE = "DUO, leerlingen vo per vestiging naar onderwijstype, 1 oktober van elk schooljaar"
EXAM_SOURCE = "DUO, examenkandidaten en geslaagden (vmbo per leerweg en sector)"
PATHWAY_ORDER = ("BB", "KB", "GL", "TL")
SECTOR_ORDER = tuple(code for code, _ in EXAM_SECTORS)
NATIONAL = ""  # the key of the national figures in the per-region results

# area ("" nationally, else the region code) -> series key -> school year -> n
Series = dict[str, dict[str, int]]
# None: DUO published only "<5" cells for it (between 1 and 4 per vestiging, unknown)
SectorSeries = dict[tuple[str, str], dict[str, int | None]]


def pupil_trend(session: Session, region: str | None = None) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Pupils in leerjaar 3 and 4 per leerweg per school year of the profiel figures (nationally or in one
    region): (years, pathway -> year -> n)."""
    total = func.sum(OfferProfileFigure.pupils_year3 + OfferProfileFigure.pupils_year4)
    query = select(OfferProfileFigure.school_year, OfferProfileFigure.pathway_code, total)
    if region:
        query = _placed(session, query, OfferProfileFigure.vestigingscode).where(Region.code == region)
    result: dict[str, dict[str, int]] = defaultdict(dict)
    years: set[str] = set()
    for year, pathway, n in session.execute(query.group_by(OfferProfileFigure.school_year,
                                                           OfferProfileFigure.pathway_code)):
        result[pathway][year] = int(n or 0)
        years.add(year)
    return sorted(years), dict(result)


def exam_trend(session: Session, region: str | None = None) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Exam candidates per leerweg per school year (nationally or in one region): (years, pathway -> year -> n).
    DUO's "<5" cells are unknown and not added."""
    query = select(OfferPathwayYear.school_year, OfferPathwayYear.pathway_code,
                   func.coalesce(func.sum(OfferPathwayYear.candidates), 0))
    if region:
        query = _placed(session, query, OfferPathwayYear.vestigingscode).where(Region.code == region)
    result: dict[str, dict[str, int]] = defaultdict(dict)
    years: set[str] = set()
    for year, pathway, total in session.execute(query.group_by(OfferPathwayYear.school_year,
                                                               OfferPathwayYear.pathway_code)):
        result[pathway][year] = int(total)
        years.add(year)
    return sorted(years), dict(result)


def _placed(session: Session, query, vestigingscode):
    """The query joined to each vestiging's arbeidsmarktregio of the year in use (Region.code available)."""
    region_year = current_region_year(session)
    return (query.join(Organisation, Organisation.vestigingscode == vestigingscode)
            .join(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                  & (MunicipalityRegion.year == (region_year or 0)))
            .join(Region, Region.id == MunicipalityRegion.region_id))


def _sector_key(key: tuple[str, str]) -> tuple[int, int]:
    pathway, sector = key
    return (PATHWAY_ORDER.index(pathway) if pathway in PATHWAY_ORDER else len(PATHWAY_ORDER),
            SECTOR_ORDER.index(sector) if sector in SECTOR_ORDER else len(SECTOR_ORDER))


def exam_sector_trend(session: Session, region: str | None = None) -> tuple[list[str], SectorSeries]:
    """Exam candidates per leerweg x sector per school year, nationally or in one region:
    (years, (pathway, sector) -> year -> n), the keys in the order BB..TL, economie..geen; n None where
    DUO published only "<5" cells, absent (0) where there were no candidates."""
    years, per_area = _exam_sectors(session, region=region, per_region=False)
    return years, per_area.get(region or NATIONAL, {})


def exam_sector_trend_per_region(session: Session) -> tuple[list[str], dict[str, SectorSeries]]:
    """The same nationally ("") and for every region with candidates: (years, area -> (pathway, sector) -> year -> n)."""
    years, national = exam_sector_trend(session)
    _, per_region = _exam_sectors(session, region=None, per_region=True)
    return years, {NATIONAL: national, **dict(sorted(per_region.items()))}


def _exam_sectors(session: Session, *, region: str | None, per_region: bool) -> tuple[list[str], dict[str, SectorSeries]]:
    total = func.sum(OfferExamFigure.candidates)  # NULL when every cell was "<5"
    columns = [OfferExamFigure.school_year, OfferExamFigure.pathway_code, OfferExamFigure.sector, total]
    group = [OfferExamFigure.school_year, OfferExamFigure.pathway_code, OfferExamFigure.sector]
    query = select(*columns)
    if region or per_region:
        query = _placed(session, select(Region.code, *columns), OfferExamFigure.vestigingscode)
        group.insert(0, Region.code)
        if region:
            query = query.where(Region.code == region)
    found: dict[str, SectorSeries] = defaultdict(lambda: defaultdict(dict))
    years: set[str] = set()
    for row in session.execute(query.group_by(*group)):
        area, (year, pathway, sector, n) = (row[0], row[1:]) if len(row) == 5 else (NATIONAL, row)
        found[area][(pathway, sector)][year] = None if n is None else int(n)
        years.add(year)
    return sorted(years), {area: {key: dict(series[key]) for key in sorted(series, key=_sector_key)}
                           for area, series in found.items()}


def pupil_trend_per_region(session: Session) -> tuple[list[str], dict[str, Series]]:
    """Pupils in leerjaar 3 and 4 per leerweg per school year, nationally ("") and for every region with
    figures: (years, area -> pathway -> year -> n)."""
    years, national = pupil_trend(session)
    total = func.sum(OfferProfileFigure.pupils_year3 + OfferProfileFigure.pupils_year4)
    query = _placed(session, select(Region.code, OfferProfileFigure.school_year, OfferProfileFigure.pathway_code,
                                    total), OfferProfileFigure.vestigingscode)
    found: dict[str, Series] = defaultdict(lambda: defaultdict(dict))
    for area, year, pathway, n in session.execute(query.group_by(Region.code, OfferProfileFigure.school_year,
                                                                 OfferProfileFigure.pathway_code)):
        found[area][pathway][year] = int(n or 0)
    return years, {NATIONAL: national, **{area: dict(found[area]) for area in sorted(found)}}
