"""The agreements blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/overeenkomsten")
