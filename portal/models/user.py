"""Accounts. Email is unique case-insensitively (stored lower-cased)."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import vocab
from portal.domain.vocab import STAFF_ROLES
from portal.extensions import db
from portal.models.base import one_of, utcnow
from portal.models.organisation import Organisation


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", vocab.codes_in_order(vocab.ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Rotated on logout and password change: every session holding the old one ends.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    organisation: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    # Flask-Login: the session stores the token, not the id, so rotating it
    # invalidates copied cookies.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
