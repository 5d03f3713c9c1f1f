"""A route's history: its audit entries, the fields each one changed, and
stored values as the user reads them (the history tab and the conflict
message of an edit)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.domain import routes as rules
from portal.domain import vocab
from portal.domain.routes import FIELD_LABELS
from portal.models import AuditLog, LearningRoute
from portal.services.learning_routes.snapshots import AUDIT_TYPE


def history(session: Session, route: LearningRoute) -> list[AuditLog]:
    return list(session.scalars(
        select(AuditLog).where(AuditLog.object_type == AUDIT_TYPE, AuditLog.object_id == route.id)
        .options(selectinload(AuditLog.actor)).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ))


def field_changes(entry: AuditLog) -> list[tuple[str, object, object]]:
    """(field, before, after) of one audit entry, in form order, without version_id."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in FIELD_LABELS if k in before or k in after]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def display_value(name: str, value) -> str:
    """A stored value as the user reads it."""
    if value is None or value == "" or value == []:
        return "–"
    lookup = {
        "kind": vocab.names(vocab.ROUTE_KINDS), "status": rules.STATUS_NAMES,
        "mbo_level": vocab.names(vocab.MBO_LEVELS), "mbo_domain": vocab.names(vocab.MBO_DOMAINS),
        "teaching_location": rules.TEACHING_LOCATION_NAMES, "pathways": vocab.names(vocab.PATHWAYS),
        "profiles": vocab.names(vocab.PROFILES), "archived": {True: "ja", False: "nee"},
    }.get(name)
    if isinstance(value, list):
        return ", ".join(str(lookup.get(v, v)) if lookup else str(v) for v in value)
    if lookup and not isinstance(value, (dict, list)):
        return str(lookup.get(value, value))
    return str(value)
