"""Route outcomes: per route and school year, the pupils who started, those
who left (per phase of the overstapgarantie and destination, with each one's
wait in school days) and the diplomas. Aggregates only: never a pupil's name."""
from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.outcomes import MAX_PUPILS, OUTCOME_DESTINATIONS
from portal.extensions import db
from portal.models.base import TimestampMixin, one_of
from portal.models.route import LearningRoute


class RouteOutcomeLeavers(db.Model):
    """The pupils who left in one phase (months of the route; NULL: no phase
    agreed) to one destination: their waits, one whole number of school days
    per pupil, sorted (the count is the list's length)."""

    __tablename__ = "route_outcome_leavers"
    __table_args__ = (
        UniqueConstraint("outcome_id", "phase_from_month", "destination", name="uq_route_outcome_leavers_group"),
        one_of("destination", OUTCOME_DESTINATIONS, name="destination"),
        CheckConstraint("(phase_from_month IS NULL AND phase_to_month IS NULL) OR "
                        "(phase_from_month >= 1 AND phase_to_month >= phase_from_month)", name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("route_outcomes.id", ondelete="CASCADE"), index=True)
    phase_from_month: Mapped[int | None] = mapped_column(Integer)
    phase_to_month: Mapped[int | None] = mapped_column(Integer)
    destination: Mapped[str] = mapped_column(String(16))
    waits: Mapped[list[int]] = mapped_column(JSON, default=list)

    outcome: Mapped[RouteOutcome] = relationship(back_populates="leavers")


class RouteOutcome(TimestampMixin, db.Model):
    """One route's figures in one school year (one row per route x year)."""

    __tablename__ = "route_outcomes"
    __table_args__ = (
        UniqueConstraint("route_id", "school_year", name="uq_route_outcomes_route_year"),
        CheckConstraint(f"started BETWEEN 0 AND {MAX_PUPILS}", name="started"),
        CheckConstraint("diplomas_vmbo >= 0 AND diplomas_vmbo <= started", name="diplomas_vmbo"),
        CheckConstraint("diplomas_mbo >= 0 AND diplomas_mbo <= started", name="diplomas_mbo"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("learning_routes.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    started: Mapped[int] = mapped_column(Integer)
    diplomas_vmbo: Mapped[int] = mapped_column(Integer, default=0)
    diplomas_mbo: Mapped[int] = mapped_column(Integer, default=0)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    route: Mapped[LearningRoute] = relationship()
    leavers: Mapped[list[RouteOutcomeLeavers]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan",
        order_by=(RouteOutcomeLeavers.phase_from_month, RouteOutcomeLeavers.destination))

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def left(self) -> int:
        return sum(len(group.waits) for group in self.leavers)
