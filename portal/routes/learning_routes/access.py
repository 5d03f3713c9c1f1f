"""Load-or-404 of the /leerroutes views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db
from portal.models import LearningRoute
from portal.services.learning_routes import listing as route_list
from portal.services.learning_routes.filters import visibility_clause


def load_route(route_id: int) -> LearningRoute:
    """The route if this user may see it (staff also see archived ones), else 404."""
    route = db.session.scalar(
        select(LearningRoute).where(LearningRoute.id == route_id, visibility_clause(current_user, True))
        .options(*route_list.route_options()))
    if route is None:
        abort(404)
    return route
