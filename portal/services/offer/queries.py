"""Reads of a school's offer: what the region page and the school's own
offer section show, each with its source and school year."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain import offer as rules
from portal.models import OfferBasis, OfferPathwayYear, OfferProfileFigure, OfferStatement, Organisation


@dataclass
class SourceCount:
    label: str
    schools: int


def profile_sources(session: Session, organisation_ids: list[int]) -> list[SourceCount]:
    """Where the profielen of these schools come from, per source and school
    year ("profielen volgens DUO, 2019-2020"), newest first. One query."""
    if not organisation_ids:
        return []
    rows = session.execute(
        select(OfferBasis.profiles_source, OfferBasis.profiles_school_year, func.count())
        .where(OfferBasis.organisation_id.in_(organisation_ids), OfferBasis.profiles_source.is_not(None))
        .group_by(OfferBasis.profiles_source, OfferBasis.profiles_school_year)
        .order_by(OfferBasis.profiles_school_year.desc()))
    return [SourceCount(rules.profiles_source_label(source, year), count) for source, year, count in rows]


@dataclass
class DuoProfile:
    pathway: str
    profile: str | None
    duo_name: str
    pupils_year3: int
    pupils_year4: int


@dataclass
class SchoolOffer:
    """A school's offer: DUO's newest profiel figures and examined leerwegen,
    the school's newest statement, and which one the portal uses."""
    duo_year: str | None = None
    duo_profiles: list[DuoProfile] = field(default_factory=list)
    exam_year: str | None = None
    exam_pathways: list[str] = field(default_factory=list)
    statement: OfferStatement | None = None
    basis: OfferBasis | None = None

    @property
    def current_profiles_label(self) -> str | None:
        if self.basis is None or not self.basis.profiles_source:
            return None
        return rules.profiles_source_label(self.basis.profiles_source, self.basis.profiles_school_year)


def school_offer(session: Session, organisation: Organisation) -> SchoolOffer:
    """What templates/offer/_offer_section.html needs for one school."""
    result = SchoolOffer(basis=session.get(OfferBasis, organisation.id))
    result.statement = session.scalar(
        select(OfferStatement).where(OfferStatement.organisation_id == organisation.id)
        .order_by(OfferStatement.school_year.desc()).limit(1))
    code = organisation.vestigingscode
    if not code:
        return result
    result.duo_year = session.scalar(select(func.max(OfferProfileFigure.school_year))
                                     .where(OfferProfileFigure.vestigingscode == code))
    if result.duo_year:
        result.duo_profiles = [
            DuoProfile(f.pathway_code, f.profile_code, f.duo_name, f.pupils_year3, f.pupils_year4)
            for f in session.scalars(select(OfferProfileFigure).where(
                OfferProfileFigure.vestigingscode == code, OfferProfileFigure.school_year == result.duo_year)
                .order_by(OfferProfileFigure.pathway_code, OfferProfileFigure.duo_name))]
    result.exam_year = session.scalar(select(func.max(OfferPathwayYear.school_year))
                                      .where(OfferPathwayYear.vestigingscode == code))
    if result.exam_year:
        order = rules.PATHWAY_ORDER
        result.exam_pathways = sorted(session.scalars(select(OfferPathwayYear.pathway_code).where(
            OfferPathwayYear.vestigingscode == code, OfferPathwayYear.school_year == result.exam_year)),
            key=order.index)
    return result
