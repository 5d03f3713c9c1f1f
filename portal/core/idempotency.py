"""Idempotent create forms: a retried submit finds the object of the first one.

Each create form carries a one-time `submission_key` (a random token rendered
when the form is shown). Saving the form first *claims* the key by inserting a
`form_submissions` row, then runs the create service and points the row at the
new object, all in the request's one transaction. The primary key on the key
makes a second claim impossible: a retry that comes after the commit finds the
row (`find`); a retry that runs at the same time blocks on the key's index
entry until the first transaction ends and then fails with an IntegrityError,
after which the caller rolls back and finds the row. A save that fails
(validation) rolls the claim back with everything else, so the corrected form
can be sent again with the same key.

The HTTP side (reading the key, flash, redirect) is portal/forms/submission.py.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models.base import utcnow
from portal.models.submission import FormSubmission

T = TypeVar("T")

# token_urlsafe(24) gives 32 characters; accept a sane range of that alphabet.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP_FOR = timedelta(days=30)


class AlreadySubmitted(Exception):
    """The key was used before. `submission` is the earlier row (None when it
    belongs to a transaction that rolled back in between: send again)."""

    def __init__(self, submission: FormSubmission | None):
        self.submission = submission
        super().__init__("form already submitted")


def valid_key(key: str | None) -> bool:
    if not key:
        return False
    return KEY_PATTERN.fullmatch(key) is not None


def find(session: Session, key: str) -> FormSubmission | None:
    return session.get(FormSubmission, key, populate_existing=True)


def claim(session: Session, key: str, user_id: int, object_type: str) -> FormSubmission:
    """Insert the row for this key (without object yet) and flush, or raise
    AlreadySubmitted. On a lost race the session is rolled back: call this
    before anything else is written in the transaction."""
    earlier = find(session, key)
    if earlier is not None:
        raise AlreadySubmitted(earlier)
    submission = FormSubmission(key=key, user_id=user_id, object_type=object_type)
    session.add(submission)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadySubmitted(find(session, key)) from None
    return submission


def create_once(session: Session, key: str, user_id: int, object_type: str, create: Callable[[], T]) -> T:
    """Run `create` (a service call that flushes and returns the new object)
    unless `key` was used already; record the object under the key in the
    same transaction. Raises AlreadySubmitted for a used key."""
    submission = claim(session, key, user_id, object_type)
    created = create()
    submission.object_id = created.id  # type: ignore[attr-defined]
    session.flush()
    return created


def prune(session: Session, now: datetime | None = None) -> int:
    """Forget keys older than KEEP_FOR (a retry never comes that late)."""
    cutoff = (now or utcnow()) - KEEP_FOR
    statement = delete(FormSubmission).where(FormSubmission.created_at < cutoff)
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount or 0


def submissions_for(session: Session, user_id: int) -> list[FormSubmission]:
    return list(session.scalars(select(FormSubmission).where(FormSubmission.user_id == user_id)))
