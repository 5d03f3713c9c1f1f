"""The regioplannen blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/regioplannen")
