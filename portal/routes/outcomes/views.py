"""/leerroutes/<id>/uitkomsten: the coordinators of a route's parties (and
staff) record the route's outcomes per school year. Thin: load or 404 ->
permission or 403 -> form -> service -> commit once -> redirect."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.domain.outcomes import OUTCOME_DESTINATIONS, phase_label
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.forms.outcomes import fill_waits, outcome_form
from portal.models import LearningRoute
from portal.permissions import can_record_outcomes
from portal.routes.outcomes.blueprint import bp
from portal.services.learning_routes.filters import visibility_clause
from portal.services.outcomes import operations, queries
from portal.web.transaction import save


def _route(route_id: int) -> LearningRoute:
    """The route if this user may see it (staff also archived ones), else 404."""
    route = db.session.scalar(select(LearningRoute).where(LearningRoute.id == route_id,
                                                          visibility_clause(current_user, True)))
    if route is None:
        abort(404)
    return route


@bp.route("/<int:route_id>/uitkomsten", methods=["GET", "POST"])
@login_required
def edit_outcome(route_id: int):
    route = _route(route_id)
    if not can_record_outcomes(current_user, route):
        abort(403)
    years = queries.recordable_years(route)
    posted = request.form.get("school_year") if request.method == "POST" else None
    school_year = posted or request.args.get("schooljaar") or (years[0] if years else current_school_year())
    phases = queries.phase_choices(db.session, route, school_year)
    existing = queries.outcome_for(db.session, route.id, school_year)
    if request.method == "POST":
        form = outcome_form(phases)
    else:
        form = outcome_form(phases, obj=existing)
        form.school_year.data = school_year
        if existing is not None:
            fill_waits(form, queries.groups_of(existing))
    form.school_year.choices = [SelectChoice(y, y) for y in years] or [SelectChoice(school_year, school_year)]
    general: list[str] = []
    leaver_errors: list[str] = []
    conflict = None
    if form.validate_on_submit():
        data = operations.OutcomeData(form.started.data, form.diplomas_vmbo.data, form.diplomas_mbo.data,
                                      form.groups())
        version = int(form.version_id.data) if (form.version_id.data or "").isdigit() else None
        saved = save(lambda: operations.save_outcome(db.session, route, school_year, data, current_user,
                                                     version), form)
        if saved.ok:
            flash(f"De uitkomsten van schooljaar {school_year} zijn opgeslagen.", "success")
            return redirect(url_for("learning_routes.detail", route_id=route.id, _anchor="uitkomsten"))
        general, conflict = saved.general, saved.conflict
        if saved.error is not None:
            leaver_errors = saved.error.errors.get("leavers", [])
    return render_template("outcomes/edit.html", route=route, form=form, years=years, school_year=school_year,
                           phases={(p[0], p[1]): p[2] for p in phases}, general=general, conflict=conflict,
                           leaver_errors=leaver_errors,
                           existing=existing, phase_label=phase_label, destinations=OUTCOME_DESTINATIONS)
