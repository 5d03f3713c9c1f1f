"""The data version's counters (core/data_version.py): a few rows, each a
counter that writers add to; the version is their sum."""
from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class DataVersionSlot(db.Model):
    __tablename__ = "data_version_slots"
    __table_args__ = (CheckConstraint("counter > 0", name="counter_positive"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(BigInteger)
