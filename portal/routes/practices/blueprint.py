"""The practices blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("practices", __name__, url_prefix="/bibliotheek")
