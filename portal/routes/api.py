"""Placeholder blueprint for /api/v1; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
