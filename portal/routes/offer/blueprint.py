"""The offer blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("offer", __name__)
