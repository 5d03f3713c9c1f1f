"""Load-or-404 and the permission check of the offer views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.extensions import db, login_manager
from portal.models import Organisation


def load_school(organisation_id: int) -> Organisation:
    """A vmbo school, or 404 (other organisations have no profielen)."""
    org = db.session.get(Organisation, organisation_id)
    if org is None or org.kind != "vmbo":
        abort(404)
    return org


def require(allowed: bool):
    """Anonymous -> login; logged in without the right -> 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed:
        abort(403)
