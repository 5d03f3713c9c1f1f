"""Placeholder blueprint for /kaart; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("maps", __name__, url_prefix="/kaart")
