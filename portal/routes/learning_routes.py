"""Placeholder blueprint for /leerroutes; the area's issue replaces this file."""
from flask import Blueprint

bp = Blueprint("learning_routes", __name__, url_prefix="/leerroutes")
