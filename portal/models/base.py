"""Shared column helpers for the models."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class StoredFileMixin:
    """An uploaded file (PDF or image) stored outside static/ by
    portal.core.uploads, with the title its uploader gave it: the columns an
    attachment table shares whatever it is attached to (a plan, a practice).
    The class adds its own id and the foreign key to its owner."""

    title: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:  # a new constraint object for each table
        return (CheckConstraint("size >= 0", name="size"),)


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
