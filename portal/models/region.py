"""Arbeidsmarktregio's and gemeenten, versioned by the year of the indeling."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Region(db.Model):
    """One arbeidsmarktregio in one year's indeling (AM01 in 2025 != AM01 in 2024)."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer, index=True)
    # GeoJSON geometry (WGS84) as text; null when no boundary file was loaded.
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.year}>"


class Province(db.Model):
    """One of the 12 provincies (CBS PV20..PV31), for the landelijke dekking of the profielen."""

    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"<Province {self.code}>"


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The provincie, the boundary (GeoJSON, WGS84) and a point inside the gemeente
    # (its "centre" for thuisnabij distances); null until the files are loaded.
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True, nullable=True)
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)
    label_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    label_lon: Mapped[float | None] = mapped_column(Float, nullable=True)

    province: Mapped[Province | None] = relationship()

    memberships: Mapped[list[MunicipalityRegion]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan"
    )


class MunicipalityRegion(db.Model):
    """A gemeente belongs to exactly one region per year."""

    __tablename__ = "municipality_regions"
    __table_args__ = (UniqueConstraint("municipality_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)

    municipality: Mapped[Municipality] = relationship(back_populates="memberships")
    region: Mapped[Region] = relationship()
