"""Placeholder blueprint for /bibliotheek; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("practices", __name__, url_prefix="/bibliotheek")
