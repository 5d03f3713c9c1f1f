"""The data version's counters (core/data_version.py): a few rows, each a
counter that writers add to; the version is their sum. And the log of the
steps: what each one changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class DataVersionSlot(db.Model):
    __tablename__ = "data_version_slots"
    __table_args__ = (CheckConstraint("counter > 0", name="counter_positive"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(BigInteger)


class DataVersionChange(db.Model):
    """What one step of a counter changed (core/data_version.add_step): the
    routes it touched, or `other` when it touched anything else (or what it
    touched is not known). A reader holding figures of an older version patches
    them from the routes of the steps in between instead of counting again
    (core/aggregates: kept with patch=...); a step is kept for a short while only."""
    __tablename__ = "data_version_changes"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter_after: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    counter_before: Mapped[int] = mapped_column(BigInteger)
    route_ids: Mapped[str] = mapped_column(Text, default="")
    other: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
