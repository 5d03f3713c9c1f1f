"""The digitale landkaart's blueprints: the map and dashboard (/kaart), the region pages (/regio) and the
landelijke dekking of the profielen (/dekking)."""
from flask import Blueprint

maps_bp = Blueprint("maps", __name__, url_prefix="/kaart")
regions_bp = Blueprint("regions", __name__, url_prefix="/regio")
profiles_bp = Blueprint("dekking", __name__, url_prefix="/dekking")
