"""Organisations: vmbo vestigingen, mbo institutions, employers and others."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import vocab
from portal.extensions import db
from portal.models.base import TimestampMixin, one_of
from portal.models.region import Municipality
from portal.models.vocab import Pathway, Profile

organisation_pathways = Table(
    "organisation_pathways",
    db.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("pathway_code", ForeignKey("pathways.code"), primary_key=True),
)

organisation_profiles = Table(
    "organisation_profiles",
    db.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("profile_code", ForeignKey("profiles.code"), primary_key=True),
)


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        one_of("kind", vocab.codes_in_order(vocab.ORGANISATION_KINDS), name="kind"),
        CheckConstraint("pupils IS NULL OR pupils >= 0", name="pupils_nonnegative"),
        CheckConstraint("kvk_number IS NULL OR length(kvk_number) = 8", name="kvk_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    brin: Mapped[str | None] = mapped_column(String(4), index=True)
    vestigingsnummer: Mapped[str | None] = mapped_column(String(2))
    # BRIN + vestigingsnummer; the key for idempotent school imports.
    vestigingscode: Mapped[str | None] = mapped_column(String(6), unique=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    website: Mapped[str | None] = mapped_column(String(255))
    pupils: Mapped[int | None] = mapped_column(Integer)
    # Bevoegd gezag: the legal governing body that signs agreements.
    governing_body_name: Mapped[str | None] = mapped_column(String(255))
    governing_body_number: Mapped[str | None] = mapped_column(String(16))
    # Kamer van Koophandel number of an employer or other partner: 8 digits,
    # unique when known (NULLs do not collide), the duplicate check's key.
    kvk_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    # True for organisations created by the demo or synthetic data generators.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bekostigd (mbo): funded by the government; staff set it, pickers list funded first.
    is_funded: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    municipality: Mapped[Municipality | None] = relationship()
    pathways: Mapped[list[Pathway]] = relationship(secondary=organisation_pathways, order_by=Pathway.sort_order)
    profiles: Mapped[list[Profile]] = relationship(secondary=organisation_profiles, order_by=Profile.sort_order)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def display_name(self) -> str:
        return organisation_display_name(self.kind, self.name, self.city)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


def organisation_display_name(kind: str, name: str, city: str | None) -> str:
    """The name to show: a vmbo school's place is added when the name lacks it."""
    if kind == "vmbo" and city and city.lower() not in name.lower():
        return f"{name} ({city})"
    return name
