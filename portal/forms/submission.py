"""The one-time submission key of the create forms, and the view helper that
turns a retried submit into a redirect to the object made the first time.
The mechanism itself is portal/core/idempotency.py."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from wtforms import HiddenField

from portal.core import idempotency
from portal.extensions import db

T = TypeVar("T")

# object type -> (endpoint, view argument) of the page the redirect goes to
DETAIL_PAGES = {
    "route": ("learning_routes.detail", "route_id"),
    "agreement": ("agreements.view_agreement", "agreement_id"),
    "practice": ("practices.show", "practice_id"),
}


def new_key() -> str:
    return secrets.token_urlsafe(24)


def SubmissionKeyField() -> HiddenField:  # noqa: N802  reads like a field class in a form body
    """A fresh key each time the form is shown; kept when it is shown again
    with errors, so the corrected form still counts as the same submit."""
    return HiddenField(default=new_key)


def was_submitted(form) -> bool:
    """This form's key was used before: create_once will answer with the
    earlier object, so checks on the content (issue 20 §4) need not run."""
    raw = form.submission_key.raw_data
    key = raw[0] if raw else None
    return idempotency.valid_key(key) and idempotency.find(db.session, key) is not None


def create_once(form, object_type: str, create: Callable[[], T]) -> T:
    """Call `create` (the create service) unless this form's key was used
    before; then flash and answer with a redirect to the earlier object
    (raised, so the view needs no branch). A form posted without a key (API
    clients, scripts) is saved as before; a malformed key is ignored."""
    raw = form.submission_key.raw_data
    key = raw[0] if raw else None
    if not idempotency.valid_key(key):
        return create()
    try:
        return idempotency.create_once(db.session, key, current_user.id, object_type, create)
    except idempotency.AlreadySubmitted as exc:
        earlier = exc.submission
        if earlier is None:
            abort(400)  # the first submit was still running and failed: send again
        if earlier.user_id != current_user.id or earlier.object_type != object_type or earlier.object_id is None:
            abort(400)
        endpoint, argument = DETAIL_PAGES[object_type]
        flash("Dit formulier was al verzonden; je ziet wat de eerste keer is opgeslagen.", "warning")
        abort(redirect(url_for(endpoint, **{argument: earlier.object_id})))
