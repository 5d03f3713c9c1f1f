"""The digitale landkaart's two blueprints: the map and dashboard (/kaart) and the region pages (/regio)."""
from flask import Blueprint

maps_bp = Blueprint("maps", __name__, url_prefix="/kaart")
regions_bp = Blueprint("regions", __name__, url_prefix="/regio")
