"""One row per create form that was submitted successfully, so that a retried
submit (double click, browser resubmit, network retry) finds the object made
the first time instead of making a second one.

The key is the one-time token rendered in the form; the primary key makes it
unique, also under concurrency. The row is written in the same transaction as
the object it points to (see portal/core/idempotency.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import utcnow


class FormSubmission(db.Model):
    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    # Null only inside the transaction that claims the key, before the object exists.
    object_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
