"""The to-do blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("todo", __name__, url_prefix="/account/te-doen")
