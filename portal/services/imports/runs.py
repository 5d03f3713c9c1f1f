"""The record of each import run (domain/imports.py says what is kept).

`record_run` is called after the import's own transaction has ended (its
callers commit it in a transaction of its own), so a run that rolled back
still leaves its record: nothing of the import, all of its report. `open_runs`
is computed from the records on every request: a run with errors is open
until a later run of the same kind and scope succeeds or staff mark it
handled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain import imports as rules
from portal.domain.imports import RunError
from portal.models import ImportRun
from portal.models.base import utcnow

LISTED = 100


def record_run(session: Session, kind: str, actor, *, committed: bool, rows_total: int, rows_ok: int,
               errors: list[RunError], error_count: int | None = None, scope: str = "", channel: str = "web",
               source: str = "", started_at: datetime | None = None) -> ImportRun:
    """Add the record of one run (flush, never commit). `committed`: whether
    the import's own transaction kept its rows."""
    if kind not in rules.KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    count = len(errors) if error_count is None else max(error_count, len(errors))
    run = ImportRun(kind=kind, scope=scope[:64], channel=channel if channel in rules.CHANNELS else "web",
                    source=source[:255], actor_id=getattr(actor, "id", None), started_at=started_at or utcnow(),
                    finished_at=utcnow(), outcome=rules.outcome_of(rows_ok if committed else 0, count, committed),
                    rows_total=rows_total, rows_ok=rows_ok if committed else 0, error_count=count,
                    errors=rules.kept(errors))
    session.add(run)
    session.flush()
    return run


def open_runs(session: Session) -> list[ImportRun]:
    """The runs that ended with errors and still wait: not marked handled, and
    no later run of the same kind and scope succeeded. Newest first."""
    later = aliased(ImportRun)
    settled = select(later.id).where(later.kind == ImportRun.kind, later.scope == ImportRun.scope,
                                     later.id > ImportRun.id, later.outcome == rules.OK).exists()
    return list(session.scalars(
        select(ImportRun).options(joinedload(ImportRun.actor))
        .where(ImportRun.outcome.in_(rules.WITH_ERRORS), ImportRun.handled_at.is_(None), ~settled)
        .order_by(ImportRun.id.desc())))


def list_runs(session: Session, limit: int = LISTED) -> list[ImportRun]:
    """The newest runs, with who ran and who handled them."""
    return list(session.scalars(
        select(ImportRun).options(joinedload(ImportRun.actor), joinedload(ImportRun.handled_by))
        .order_by(ImportRun.id.desc()).limit(limit)))


def mark_handled(session: Session, run: ImportRun, actor) -> ImportRun:
    """Staff take a run with errors off the to-do list (e.g. the file was
    wrong and will not be loaded again). Audited."""
    if run.outcome not in rules.WITH_ERRORS:
        raise ServiceError("Deze import is geslaagd; er is niets af te handelen.")
    if run.handled_at is not None:
        raise ServiceError("Deze import is al afgehandeld.")
    run.handled_at = utcnow()
    run.handled_by_id = getattr(actor, "id", None)
    session.flush()
    record(session, actor, "import_run", run.id, "handled", before={"handled": False},
           after={"handled": True, "kind": run.kind, "outcome": run.outcome})
    return run
