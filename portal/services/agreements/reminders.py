"""Expiry notifications: signed agreements that end within 90 and within 30
days get one notification per party coordinator each (a dedupe key of event,
agreement and end date: a later end date, after an addendum, warns again).
Run by `flask notifications deliver` before it sends."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import notifications as rules
from portal.models import Notification
from portal.services.agreements import queries
from portal.services.notifications import outbox as notifications


def schedule_expiry(session: Session, on: date | None = None) -> int:
    """Add the expiry notifications that are due and not yet made; returns how many rows."""
    on = on or queries.today()
    added = 0
    for days in sorted(rules.EXPIRY_EVENTS, reverse=True):
        event = rules.EXPIRY_EVENTS[days]
        for agreement in queries.list_expiring(session, on, days=days):
            if days == 90 and (agreement.end_date - on).days <= 30:
                continue  # the 30-day warning says it
            key = f"{event}:{agreement.id}:{agreement.end_date.isoformat()}"
            if session.scalar(select(Notification.id).where(Notification.dedupe_key.like(f"{key}:%")).limit(1)):
                continue
            try:
                with session.begin_nested():  # another run made them at the same moment: keep theirs
                    added += len(notifications.record(session, event, agreement, None))
            except IntegrityError:
                continue
    return added
