"""The institutions blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("institutions", __name__, url_prefix="/beheer/mbo-instellingen")
