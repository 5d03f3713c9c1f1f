"""Programme monitoring's two blueprints: the targets staff maintain
(/beheer/doelen) and the public year report (/kaart/rapportage)."""
from flask import Blueprint

targets_bp = Blueprint("targets", __name__, url_prefix="/beheer/doelen")
monitoring_bp = Blueprint("monitoring", __name__, url_prefix="/kaart/rapportage")
