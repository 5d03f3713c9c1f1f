"""The permission check of the /beheer/mbo-instellingen views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.extensions import login_manager


def require(allowed: bool):
    """Anonymous -> login; logged in without the right -> 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed:
        abort(403)
