"""What a vmbo vestiging offers: leerwegen and profielen per school year, from
DUO's files (keyed by vestigingscode, so a figure survives without a matching
organisation) and from the school's own statement (per organisation)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.offer import EXAM_SECTORS
from portal.extensions import db
from portal.models.base import one_of, utcnow
from portal.models.vocab import Pathway, Profile

OFFER_SOURCES = ("duo_leerlingen", "duo_examens", "school")


class OfferProfileFigure(db.Model):
    """DUO's pupils in leerjaar 3 and 4 of one vestiging x leerweg x profiel
    in one school year. Rows of a programme that maps to no profiel keep the
    leerweg with profile_code NULL and the programme's name in `duo_name`."""

    __tablename__ = "offer_profile_figures"
    __table_args__ = (
        UniqueConstraint("vestigingscode", "school_year", "pathway_code", "duo_name"),
        one_of("source", OFFER_SOURCES, name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vestigingscode: Mapped[str] = mapped_column(String(6), index=True)
    school_year: Mapped[str] = mapped_column(String(9), index=True)
    source: Mapped[str] = mapped_column(String(16), default="duo_leerlingen")
    pathway_code: Mapped[str] = mapped_column(ForeignKey("pathways.code"))
    profile_code: Mapped[str | None] = mapped_column(ForeignKey("profiles.code"))
    # DUO's own afdeling (or, for TL, sector) name, as published.
    duo_name: Mapped[str] = mapped_column(String(120))
    pupils_year3: Mapped[int] = mapped_column(Integer, default=0)
    pupils_year4: Mapped[int] = mapped_column(Integer, default=0)


class OfferPathwayYear(db.Model):
    """A leerweg a vestiging examined in one school year (DUO's
    examenkandidaten); candidates NULL where DUO publishes "<5"."""

    __tablename__ = "offer_pathway_years"
    __table_args__ = (
        UniqueConstraint("vestigingscode", "school_year", "pathway_code"),
        one_of("source", OFFER_SOURCES, name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vestigingscode: Mapped[str] = mapped_column(String(6), index=True)
    school_year: Mapped[str] = mapped_column(String(9), index=True)
    source: Mapped[str] = mapped_column(String(16), default="duo_examens")
    pathway_code: Mapped[str] = mapped_column(ForeignKey("pathways.code"))
    candidates: Mapped[int | None] = mapped_column(Integer)


class OfferExamFigure(db.Model):
    """DUO's examenkandidaten of one vestiging x school year x leerweg x sector (the four old vmbo
    sectors, as DUO names them; LWT counts under BB as in OfferPathwayYear); candidates NULL where
    DUO publishes "<5". OfferPathwayYear is the same file summed over the sectors."""

    __tablename__ = "offer_exam_figures"
    __table_args__ = (
        UniqueConstraint("vestigingscode", "school_year", "pathway_code", "sector"),
        one_of("sector", [code for code, _ in EXAM_SECTORS], name="sector"),
        # Covers the national trend (grouped by these, summing candidates) without reading the table: on
        # /dekking at national size it takes the query from ~57 to ~8 ms (SQLite).
        Index("ix_offer_exam_figures_trend", "school_year", "pathway_code", "sector", "candidates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vestigingscode: Mapped[str] = mapped_column(String(6), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    pathway_code: Mapped[str] = mapped_column(ForeignKey("pathways.code"))
    sector: Mapped[str] = mapped_column(String(16))
    candidates: Mapped[int | None] = mapped_column(Integer)


statement_pathways = Table(
    "offer_statement_pathways",
    db.metadata,
    Column("statement_id", ForeignKey("offer_statements.id", ondelete="CASCADE"), primary_key=True),
    Column("pathway_code", ForeignKey("pathways.code"), primary_key=True),
)

statement_profiles = Table(
    "offer_statement_profiles",
    db.metadata,
    Column("statement_id", ForeignKey("offer_statements.id", ondelete="CASCADE"), primary_key=True),
    Column("profile_code", ForeignKey("profiles.code"), primary_key=True),
)


class OfferStatement(db.Model):
    """A school's own statement of the leerwegen and profielen it offers in a
    school year: one per organisation and school year (a new statement for
    the same year replaces the old one; the audit log keeps the history)."""

    __tablename__ = "offer_statements"
    __table_args__ = (UniqueConstraint("organisation_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    stated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    pathways: Mapped[list[Pathway]] = relationship(secondary=statement_pathways, order_by=Pathway.sort_order)
    profiles: Mapped[list[Profile]] = relationship(secondary=statement_profiles, order_by=Profile.sort_order)

    __mapper_args__ = {"version_id_col": version_id}


class OfferBasis(db.Model):
    """Which source and school year an organisation's current leerwegen and
    profielen (organisation_pathways / organisation_profiles, which coverage
    reads) were derived from: the newest the portal has for that school."""

    __tablename__ = "offer_bases"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    profiles_source: Mapped[str | None] = mapped_column(String(16))
    profiles_school_year: Mapped[str | None] = mapped_column(String(9))
    pathways_source: Mapped[str | None] = mapped_column(String(16))
    pathways_school_year: Mapped[str | None] = mapped_column(String(9))
