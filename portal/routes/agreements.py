"""Placeholder blueprint for /overeenkomsten; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/overeenkomsten")
