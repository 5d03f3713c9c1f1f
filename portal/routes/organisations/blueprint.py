"""The organisations blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisaties")

# Staff pages of the area (merging), under the staff section's prefix.
admin_bp = Blueprint("organisation_admin", __name__, url_prefix="/beheer/organisaties")
