"""Notifications: the outbox (one row per recipient and event, written in the
same transaction as the change that caused it) and each user's choices."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import notifications as rules
from portal.extensions import db
from portal.models.base import one_of, utcnow
from portal.models.user import User


class Notification(db.Model):
    """One message to one user. `summary` names the object and the action in
    Dutch; `link` is a path in the portal (the mail makes it absolute from
    PORTAL_BASE_URL). `dedupe_key` makes scheduled events (expiry) unique."""

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("event", rules.ALL_EVENTS, name="event"),
        one_of("status", rules.STATUSES, name="status"),
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=rules.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A user's choices: which events come by e-mail (the rest only in the
    portal), the regions (arbeidsmarktregio codes) they follow, and a weekly
    digest instead of single mails. No row: every event by e-mail, no regions,
    no digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_events: Mapped[list] = mapped_column(JSON, default=rules.email_events_default)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}
