"""The learning_routes blueprint (its views register on it)."""
from flask import Blueprint

bp = Blueprint("learning_routes", __name__, url_prefix="/leerroutes")
