"""Shared column helpers for the models."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def one_of(column: str, codes: Iterable[str], name: str) -> CheckConstraint:
    """The database's copy of a domain vocabulary: `column IN ('a', 'b', ...)`,
    built from the domain's codes so the two cannot drift apart."""
    values = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    return CheckConstraint(f"{column} IN ({values})", name=name)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; treat them as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
