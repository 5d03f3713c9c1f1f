"""The trends of /dekking: pupils per leerweg (DUO's pupil files, the school years the portal has) and
exam candidates per leerweg (DUO's examenkandidaten), nationally or in one region. Cheap grouped queries,
read per request (not part of the cached ProfileCoverage)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import MunicipalityRegion, OfferPathwayYear, OfferProfileFigure, Organisation, Region
from portal.services.reference.boundaries import current_region_year


def pupil_trend(session: Session, region: str | None = None) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Pupils in leerjaar 3 and 4 per leerweg per school year of the profiel figures (nationally or in one
    region): (years, pathway -> year -> n)."""
    total = func.sum(OfferProfileFigure.pupils_year3 + OfferProfileFigure.pupils_year4)
    query = select(OfferProfileFigure.school_year, OfferProfileFigure.pathway_code, total)
    if region:
        region_year = current_region_year(session)
        query = (query.join(Organisation, Organisation.vestigingscode == OfferProfileFigure.vestigingscode)
                 .join(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                       & (MunicipalityRegion.year == (region_year or 0)))
                 .join(Region, Region.id == MunicipalityRegion.region_id).where(Region.code == region))
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
        region_year = current_region_year(session)
        query = (query.join(Organisation, Organisation.vestigingscode == OfferPathwayYear.vestigingscode)
                 .join(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                       & (MunicipalityRegion.year == (region_year or 0)))
                 .join(Region, Region.id == MunicipalityRegion.region_id).where(Region.code == region))
    result: dict[str, dict[str, int]] = defaultdict(dict)
    years: set[str] = set()
    for year, pathway, total in session.execute(query.group_by(OfferPathwayYear.school_year,
                                                               OfferPathwayYear.pathway_code)):
        result[pathway][year] = int(total)
        years.add(year)
    return sorted(years), dict(result)
