"""The notifications blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/account/meldingen")
