"""Delivering the outbox, one step per transaction (the command commits each):

1. claim(): a batch of due pending rows becomes "sending" under a fresh claim
   token, in ONE statement `UPDATE ... WHERE status = 'pending' AND id IN
   (...)`. On PostgreSQL the inner SELECT takes the rows FOR UPDATE SKIP
   LOCKED, so two deliverers split the work instead of waiting; a row that
   another deliverer claimed in between no longer matches `status =
   'pending'` when the UPDATE re-checks it. On SQLite a flask command holds
   the database's one write lock from its BEGIN (BEGIN IMMEDIATE,
   portal/extensions.py), so claims are serialised. Either way a row is
   claimed by one deliverer only, and only the claimer sends it.
2. after the SMTP server accepted it: mark_sent() (only for the claim token).
3. on a temporary failure: retry_later() puts it back to pending with a
   growing wait (domain.notifications.retry_delay), or gives up after
   MAX_ATTEMPTS; a permanent failure: give_up().

A deliverer that dies between the SMTP server's "250 OK" and step 2 leaves
the row "sending": it is never sent again automatically (never twice), and
`flask notifications deliver` reports such rows so that a person can look."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.domain import notifications as rules
from portal.models import Notification
from portal.models.base import utcnow

STUCK_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Claim:
    token: str
    ids: list[int]


def claim(session: Session, limit: int = 50, now: datetime | None = None) -> Claim:
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = (select(Notification.id)
           .where(Notification.status == rules.PENDING, Notification.next_attempt_at <= now)
           .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    session.execute(
        update(Notification)
        .where(Notification.status == rules.PENDING, Notification.id.in_(due.scalar_subquery()))
        .values(status=rules.SENDING, claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False))
    ids = list(session.scalars(select(Notification.id).where(Notification.claim_token == token)
                               .order_by(Notification.id)))
    return Claim(token, ids)


def load(session: Session, notification_id: int, token: str) -> Notification | None:
    """The claimed row, only while this claim holds it."""
    return session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.claim_token == token,
        Notification.status == rules.SENDING).execution_options(populate_existing=True))


def _finish(session: Session, notification_id: int, token: str, **values) -> bool:
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.claim_token == token,
               Notification.status == rules.SENDING)
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def mark_sent(session: Session, notification_id: int, token: str, now: datetime | None = None) -> bool:
    return _finish(session, notification_id, token, status=rules.SENT, sent_at=now or utcnow(),
                   attempts=Notification.attempts + 1, claim_token=None, last_error=None)


def retry_later(session: Session, notification_id: int, token: str, error: str,
                now: datetime | None = None) -> str:
    """Back to pending with a later next attempt, or failed after the last one.
    Returns the new status."""
    now = now or utcnow()
    attempts = session.scalar(select(Notification.attempts).where(Notification.id == notification_id)) or 0
    when = rules.next_attempt(now, attempts + 1)
    status = rules.PENDING if when is not None else rules.FAILED
    _finish(session, notification_id, token, status=status, attempts=attempts + 1, claim_token=None,
            next_attempt_at=when or now, last_error=error[:500])
    return status


def give_up(session: Session, notification_id: int, token: str, error: str) -> None:
    _finish(session, notification_id, token, status=rules.FAILED, attempts=Notification.attempts + 1,
            claim_token=None, last_error=error[:500])


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())


def stuck(session: Session, now: datetime | None = None) -> int:
    """Rows claimed long ago and never finished (a deliverer died mid-send)."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.status == rules.SENDING, Notification.claimed_at < (now or utcnow()) - STUCK_AFTER)) or 0
