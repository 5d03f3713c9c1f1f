"""The learning_routes blueprint (its views register on it), and the staff's
DUO-registration pages (/beheer/rio, blueprint rio) of the same area."""
from flask import Blueprint

bp = Blueprint("learning_routes", __name__, url_prefix="/leerroutes")
rio_bp = Blueprint("rio", __name__, url_prefix="/beheer/rio")
