"""Load-or-404 and the permission check of the /bibliotheek views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.extensions import db, login_manager
from portal.models.practice import GoodPractice


def load_practice(practice_id: int) -> GoodPractice:
    return db.session.get(GoodPractice, practice_id) or abort(404)


def require(allowed: bool):
    """Anonymous -> login; logged in without the right -> 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed:
        abort(403)
