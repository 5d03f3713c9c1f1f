"""The imports blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/beheer/imports")
