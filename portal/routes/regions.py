"""Placeholder blueprint for /regio; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("regions", __name__, url_prefix="/regio")
