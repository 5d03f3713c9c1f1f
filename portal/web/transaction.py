"""The one way a request ends its transaction.

A view calls a service write through `save` (a form's submit) or `act` (a
button: archive, sign, ...). Either commits once when the write succeeds, and
rolls back everything the request wrote when the service refuses
(ServiceError), when somebody else saved first (ConflictError, answered with
the conflict on the form and the input kept), or on any other exception (which
is then raised again, so the error page or the test sees it). Services flush
and never commit; views never call commit() or rollback() themselves.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, request
from flask_wtf import FlaskForm
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from portal.core.errors import ConflictError, ServiceError
from portal.domain.bounds import parse_whole_number
from portal.extensions import db

# PostgreSQL: serialization_failure and deadlock_detected. Both mean "another
# transaction changed the same rows at the same moment": nothing was saved.
CONCURRENT_UPDATE_SQLSTATES = frozenset({"40001", "40P01"})
CONCURRENT_UPDATE_MESSAGE = ("Iemand anders heeft dit intussen gewijzigd; je wijziging is niet opgeslagen. Je "
                             "invoer staat hieronder nog: bekijk de wijziging van de ander en sla opnieuw op.")


def apply_service_errors(form: FlaskForm, exc: ServiceError) -> list[str]:
    """Attach each message to its field; return those that belong to no field.
    A service names the thing ("organisation"), a form often its picker
    ("organisation_id"): both are the same field to the person filling it in."""
    general: list[str] = []
    for field_name, messages in exc.errors.items():
        target = None
        if field_name != "__all__":
            target = getattr(form, field_name, None) or getattr(form, f"{field_name}_id", None)
        if target is not None and hasattr(target, "errors"):
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.extend(messages)
        else:
            general.extend(messages)
    return general


@dataclass
class Saved:
    """What a write did: `ok` with the service's result; or the service's
    error (`error`, with `conflict` set when somebody else saved first) and,
    with a form, the messages that belong to none of its fields."""
    ok: bool
    result: Any = None
    error: ServiceError | None = None
    general: list[str] = field(default_factory=list)

    @property
    def conflict(self) -> ConflictError | None:
        return self.error if isinstance(self.error, ConflictError) else None


def _as_conflict(exc: BaseException) -> ConflictError | None:
    """A write that lost a race below the services' version check: the ORM's
    compare-and-set of version_id matched no row (StaleDataError), or
    PostgreSQL refused the transaction as a serialization failure or deadlock.
    Answered as the conflict it is, never as a 500."""
    if isinstance(exc, StaleDataError) or (
            isinstance(exc, DBAPIError)
            and getattr(exc.orig, "sqlstate", None) in CONCURRENT_UPDATE_SQLSTATES):
        error = ConflictError(CONCURRENT_UPDATE_MESSAGE)
        error.changes = []
        return error
    return None


def save(write: Callable[[], Any], form: FlaskForm | None = None) -> Saved:
    """Run a service write in the request's one transaction and commit it; or
    roll back and report the service's Dutch messages (on the form's fields
    when a form is given). After a conflict the form keeps the input, and its
    version_id moves to the current version so that saving again applies it."""
    try:
        try:
            result = write()
            db.session.commit()
        except (StaleDataError, DBAPIError) as exc:
            conflict = _as_conflict(exc)
            if conflict is None:
                raise
            raise conflict from exc
    except ServiceError as exc:
        db.session.rollback()
        general: list[str] = []
        if form is not None:
            if isinstance(exc, ConflictError):
                current = getattr(exc, "current_version", None)
                if current is not None and hasattr(form, "version_id"):
                    form.version_id.data = current
            general = apply_service_errors(form, exc)
        return Saved(False, error=exc, general=general)
    except BaseException:
        db.session.rollback()
        raise
    return Saved(True, result)


def posted_version() -> int | None:
    """The version a hand-written editor (rows of funding, guarantee, parties)
    was opened at, from its posted `version_id`: None when none was posted; a
    400 when it is no whole number, so that a tampered value can never skip
    the optimistic lock (WTForms forms check theirs as a field)."""
    raw = request.form.get("version_id")
    if raw is None:
        return None
    version = parse_whole_number(raw, low=1)
    if version is None:
        abort(400)
    return version


def messages(error: ServiceError, prefix: str = "") -> list[str]:
    """Every Dutch message of a service error, in order."""
    return [prefix + message for field_messages in error.errors.values() for message in field_messages]


def act(write: Callable[[], Any], success: str | Callable[[], str], *, prefix: str = "") -> bool:
    """A button's action (archive, restore, sign, ...): `save` the write and
    flash the success message (a callable is evaluated after the commit), or
    flash each of the service's Dutch messages. Returns whether it was saved."""
    saved = save(write)
    if saved.ok:
        flash(success() if callable(success) else success, "success")
    else:
        for message in messages(saved.error, prefix):
            flash(message, "error")
    return saved.ok


def end(commit: bool) -> None:
    """End the transaction of a write whose outcome is a report rather than an
    exception (the CSV import, also while it streams): commit everything, or
    roll everything back."""
    if commit:
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    else:
        db.session.rollback()
