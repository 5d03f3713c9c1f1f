"""A merge of two organisations: the removed one is deleted (its data is in
the audit entry of the merge) and this row keeps its id pointing at the
organisation that was kept, so old links (/organisaties/<id>, bookmarks,
exports) still lead somewhere. No foreign key on removed_id: that row is gone."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import utcnow


class OrganisationMerge(db.Model):
    __tablename__ = "organisation_merges"

    removed_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    removed_name: Mapped[str] = mapped_column(String(255))
    kept_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
