"""Where an mbo institution teaches: its locations (BRIN + vestiging)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import TimestampMixin
from portal.models.region import Municipality


class MboLocation(TimestampMixin, db.Model):
    """One location of an mbo institution (an Organisation of kind mbo).
    A location that disappears from the reference file is ended, never
    deleted: routes may name it."""

    __tablename__ = "mbo_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # BRIN + 2-digit vestiging, e.g. 25LH10: the key for idempotent imports.
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    street: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(255))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    ended_on: Mapped[date | None] = mapped_column(Date)

    municipality: Mapped[Municipality | None] = relationship()

    @property
    def display_name(self) -> str:
        place = f", {self.city}" if self.city and self.city.lower() not in self.name.lower() else ""
        return f"{self.name}{place} ({self.code})"

    def __repr__(self) -> str:
        return f"<MboLocation {self.code} {self.name!r}>"
