"""Failed logins, for the login throttle when no Redis is configured.

The key is a SHA-256 digest of "account:<email>" or "ip:<address>", so the
table holds no e-mail addresses (nor passwords typed into the e-mail field)."""
from __future__ import annotations

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class LoginFailure(db.Model):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    # Seconds since the epoch (UTC): compares the same way on SQLite and PostgreSQL.
    failed_at: Mapped[float] = mapped_column(Float)
