"""Recording audit entries. Every service write calls record()."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from portal.core.data_version import bump_data_version
from portal.models import AuditLog, User
from portal.models.base import utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def changes_since(session: Session, obj_type: str, obj_id: int, version: int,
                  labels: dict[str, str]) -> list[dict[str, Any]]:
    """What was saved to an object after `version` was read (optimistic
    locking): from its audit entries that carry the version they made, oldest
    first, one row per field: who, at, label, before, after."""
    entries = session.scalars(
        select(AuditLog).where(AuditLog.object_type == obj_type, AuditLog.object_id == obj_id)
        .options(selectinload(AuditLog.actor)).order_by(AuditLog.at, AuditLog.id))
    rows: list[dict[str, Any]] = []
    for entry in entries:
        after = entry.after or {}
        try:
            made = int(after.get("version_id") or 0)
        except (TypeError, ValueError):
            continue
        if made <= version:
            continue
        who = entry.actor.name if entry.actor is not None else "onbekend"
        for key, value in after.items():
            if key != "version_id":
                rows.append({"who": who, "at": entry.at, "field": key, "label": labels.get(key, key),
                             "before": _display((entry.before or {}).get(key)), "after": _display(value)})
    return rows


def record(
    session: Session,
    actor: User | None,
    obj_type: str,
    obj_id: int | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    data_change: bool = True,
) -> AuditLog:
    """Add one audit entry. Only changed keys are kept when both sides are given.
    data_change=False for events that change nothing a page shows (log in, log
    out): the data version, and so every cached page, stays as it is."""
    if before is not None and after is not None:
        keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
        before = {k: before.get(k) for k in sorted(keys)}
        after = {k: after.get(k) for k in sorted(keys)}
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        object_type=obj_type,
        object_id=obj_id,
        action=action,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    session.add(entry)
    session.flush()
    if data_change:
        bump_data_version(session)
    return entry


def record_many(
    session: Session,
    actor: User | None,
    entries: list[tuple[str, int | None, str, dict[str, Any] | None, dict[str, Any] | None]],
) -> int:
    """record() for many objects at once (bulk imports): the same entries in
    one multi-row INSERT, and one data-version bump. Each entry: (obj_type,
    obj_id, action, before, after). Returns the number of entries."""
    rows = []
    now = utcnow()
    for obj_type, obj_id, action, before, after in entries:
        if before is not None and after is not None:
            keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
            before = {k: before.get(k) for k in sorted(keys)}
            after = {k: after.get(k) for k in sorted(keys)}
        rows.append({
            "at": now, "actor_id": actor.id if actor is not None else None, "object_type": obj_type,
            "object_id": obj_id, "action": action, "before": _jsonable(before) if before is not None else None,
            "after": _jsonable(after) if after is not None else None,
        })
    if not rows:
        return 0
    session.execute(insert(AuditLog.__table__), rows)
    bump_data_version(session)
    return len(rows)
