"""Import runs: one record per run of an import (the route CSV import, the
reference loaders, DUO's RIO list), written even when the import itself
rolled back, so that staff see the imports that ended with errors."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import imports as rules
from portal.extensions import db
from portal.models.base import one_of, utcnow
from portal.models.user import User


class ImportRun(db.Model):
    """`scope` says which runs are "the same import" (the person for the route
    CSV import, the year for boundaries; empty for the national files): a later
    successful run of the same kind and scope settles one with errors.
    `errors` keeps the first domain.imports.MAX_KEPT_ERRORS errors as
    {"line", "column", "message"}; `error_count` counts them all."""

    __tablename__ = "import_runs"
    __table_args__ = (
        one_of("kind", rules.KINDS, name="kind"),
        one_of("outcome", rules.OUTCOMES, name="outcome"),
        one_of("channel", rules.CHANNELS, name="channel"),
        Index("ix_import_runs_kind_scope", "kind", "scope", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(8), default="web")
    source: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_ok: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def kind_name(self) -> str:
        return rules.KINDS.get(self.kind, self.kind)

    @property
    def outcome_name(self) -> str:
        return rules.OUTCOME_NAMES.get(self.outcome, self.outcome)
