"""Route outcomes: recorded on a route's own page (/leerroutes/<id>/uitkomsten)."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, url_prefix="/leerroutes")
