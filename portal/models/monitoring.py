"""Programme monitoring: the programme's targets and the frozen snapshots of
its indicators on a peildatum (issue 17)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Float, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.monitoring import INDICATORS
from portal.extensions import db
from portal.models.base import TimestampMixin, one_of, utcnow


class Target(TimestampMixin, db.Model):
    """A dated target of the programme, against one indicator."""

    __tablename__ = "monitor_targets"
    __table_args__ = (
        one_of("indicator", INDICATORS, name="indicator"),
        CheckConstraint("target_value >= 0", name="target_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    indicator: Mapped[str] = mapped_column(String(40))
    target_value: Mapped[float] = mapped_column(Float)
    target_school_year: Mapped[str] = mapped_column(String(9))
    source: Mapped[str] = mapped_column(String(500))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class MonitorSnapshot(db.Model):
    """The indicators, nationally and per region, and the routes that counted,
    frozen on a peildatum. Never edited: taking it again for the same
    peildatum adds the next version and keeps the old one."""

    __tablename__ = "monitor_snapshots"
    __table_args__ = (UniqueConstraint("peildatum", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peildatum: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    school_year: Mapped[str] = mapped_column(String(9), index=True)
    region_year: Mapped[int | None] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # {"indicators": {code: {"value", "region_total", "regions": {code: value}}},
    #  "regions": {code: name}, "routes": [{"id", "title", "kind", "level", "status", "parties", "regions"}]}
    data: Mapped[dict] = mapped_column(JSON)


class FrozenSnapshotError(RuntimeError):
    """A snapshot was about to be changed or deleted."""


@event.listens_for(MonitorSnapshot, "before_update")
def _refuse_update(_mapper, _connection, target: MonitorSnapshot) -> None:
    raise FrozenSnapshotError(f"Snapshot {target.id} is vastgesteld en wordt nooit gewijzigd.")


@event.listens_for(MonitorSnapshot, "before_delete")
def _refuse_delete(_mapper, _connection, target: MonitorSnapshot) -> None:
    raise FrozenSnapshotError(f"Snapshot {target.id} is vastgesteld en wordt nooit verwijderd.")
