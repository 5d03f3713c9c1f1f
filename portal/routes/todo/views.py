"""/account/te-doen: the list of what waits for the user, the count in the
navigation (loaded by htmx on every page, so that pages stay as cheap as
they were), and "zet op actief" straight from the list."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forms.todo import ActivateForm
from portal.models import LearningRoute
from portal.permissions import can_edit_route, can_view_route
from portal.routes.todo.blueprint import bp
from portal.services.learning_routes import operations as route_operations
from portal.services.todo.items import items_for
from portal.web.transaction import messages, posted_version, save


@bp.get("")
@login_required
def list_items():
    items = items_for(db.session, current_user)
    return render_template("todo/list.html", items=items, form=ActivateForm())


@bp.get("/aantal")
def count():
    """The badge in the navigation: the number of items, or nothing."""
    number = len(items_for(db.session, current_user)) if current_user.is_authenticated else 0
    response = make_response(render_template("todo/_count.html", number=number))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/leerroutes/<int:route_id>/actief")
@login_required
def activate_route(route_id: int):
    route = db.session.get(LearningRoute, route_id)
    if route is None or route.archived_at is not None or not can_view_route(current_user, route):
        abort(404)
    if not can_edit_route(current_user, route):
        abort(403)
    ActivateForm().validate_on_submit() or abort(400)
    version = posted_version()
    saved = save(lambda: route_operations.set_status(db.session, route, "actief", current_user,
                                                     expected_version=version))
    if saved.ok:
        flash(f"De leerroute “{route.title}” staat nu op actief.", "success")
    elif saved.conflict:
        flash("Deze leerroute is intussen door iemand anders gewijzigd; er is niets veranderd. Bekijk de route en "
              "probeer het opnieuw.", "error")
    else:
        for message in messages(saved.error):
            flash(message, "error")
    return redirect(url_for("todo.list_items"))
