"""Putting service errors back on the form fields that caused them."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Callable

from flask_wtf import FlaskForm

from portal.core.errors import ConflictError, ServiceError


def apply_service_errors(form: FlaskForm, exc: ServiceError) -> list[str]:
    """Attach each message to its field; return those that belong to no field."""
    general: list[str] = []
    for field_name, messages in exc.errors.items():
        field = getattr(form, field_name, None) if field_name != "__all__" else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        else:
            general.extend(messages)
    return general


@dataclass
class FormSave:
    """What save_form did: `ok` with the service's result, or the messages
    that belong to no field (the others are on the form's fields)."""
    ok: bool
    result: Any = None
    general: list[str] = dc_field(default_factory=list)
    conflict: ConflictError | None = None


def save_form(form: FlaskForm, write: Callable[[], Any]) -> FormSave:
    """Run a service write in the request's one transaction: commit it, or
    roll back everything and put the service's Dutch messages on the form."""
    from portal.extensions import db
    try:
        result = write()
    except ConflictError as exc:
        db.session.rollback()
        # Keep the input; the next save is on the current version (after
        # this person has seen the other change, shown from exc.changes).
        current = getattr(exc, "current_version", None)
        if current is not None and hasattr(form, "version_id"):
            form.version_id.data = current
        return FormSave(False, conflict=exc)
    except ServiceError as exc:
        db.session.rollback()
        return FormSave(False, general=apply_service_errors(form, exc))
    db.session.commit()
    return FormSave(True, result)


def commit_or_flash(write: Callable[[], Any], success: str | Callable[[], str]) -> bool:
    """A button's action (archive, restore, sign, ...): run the service write
    and commit with a success message, or roll back and flash the service's
    Dutch message. `success` may be a callable, evaluated after the commit."""
    from flask import flash

    from portal.extensions import db
    try:
        write()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(success() if callable(success) else success, "success")
    return True
