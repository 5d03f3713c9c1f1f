"""Home page and health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import LearningRoute, Organisation, Region
from portal.services.coverage.figures import selected_route_ids, selection_filters
from portal.services.reference.boundaries import current_region_year

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    year = current_region_year(db.session)
    region_count = (
        db.session.scalar(select(func.count(Region.id)).where(Region.year == year)) if year else 0
    )
    with_boundaries = (
        db.session.scalar(
            select(func.count(Region.id)).where(Region.year == year, Region.geometry.is_not(None))
        ) if year else 0
    )
    vmbo_count = db.session.scalar(
        select(func.count(Organisation.id)).where(Organisation.kind == "vmbo")
    )
    # The map's selection (actief in the current school year, public routes):
    # the same count as /kaart, the dashboard and the API.
    route_count = db.session.scalar(
        selected_route_ids(selection_filters(), None, year).with_only_columns(func.count(LearningRoute.id))
    )
    return render_template(
        "main/home.html", region_year=year, region_count=region_count,
        with_boundaries=with_boundaries, vmbo_count=vmbo_count, route_count=route_count,
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001  any failure means: not healthy
        db.session.rollback()
        response = jsonify({"status": "error", "database": "unreachable"})
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    return jsonify({"status": "ok", "database": "ok"})
