"""The search blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/zoeken")
