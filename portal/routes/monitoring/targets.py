"""/beheer/doelen: staff maintain the programme's targets."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.domain.monitoring import INDICATORS, format_value
from portal.extensions import db
from portal.forms.monitoring import DeleteTargetForm, TargetForm
from portal.models import Target
from portal.permissions import staff_required
from portal.routes.monitoring.blueprint import targets_bp as bp
from portal.services.monitoring import targets as service
from portal.web.transaction import act, save


def _target(target_id: int) -> Target:
    target = db.session.get(Target, target_id)
    if target is None:
        abort(404)
    return target


def _data(form: TargetForm) -> service.TargetData:
    value = form.target_value.data
    return service.TargetData(name=form.name.data or "", indicator=form.indicator.data or "",
                              target_value=float(value) if value is not None else None,
                              target_school_year=form.target_school_year.data or "",
                              source=form.source.data or "")


@bp.get("/")
@staff_required
def list_targets():
    return render_template("monitoring/targets.html", targets=service.list_targets(db.session),
                           indicators=INDICATORS, format_value=format_value, delete_form=DeleteTargetForm())


@bp.route("/nieuw", methods=["GET", "POST"])
@staff_required
def create_target():
    form = TargetForm()
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: service.create_target(db.session, _data(form), current_user), form)
        if saved.ok:
            flash(f"Doel ‘{saved.result.name}’ toegevoegd.", "success")
            return redirect(url_for("targets.list_targets"))
        general = saved.general
    return render_template("monitoring/target_form.html", form=form, general=general, target=None,
                           indicators=INDICATORS)


@bp.route("/<int:target_id>", methods=["GET", "POST"])
@staff_required
def edit_target(target_id: int):
    target = _target(target_id)
    form = TargetForm(obj=target)
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: service.update_target(db.session, target, _data(form), current_user,
                                                   form.version_id.data or None), form)
        if saved.ok:
            flash(f"Doel ‘{saved.result.name}’ opgeslagen.", "success")
            return redirect(url_for("targets.list_targets"))
        general = saved.general
    return render_template("monitoring/target_form.html", form=form, general=general, target=target,
                           indicators=INDICATORS)


@bp.post("/<int:target_id>/verwijderen")
@staff_required
def delete_target(target_id: int):
    target = _target(target_id)
    form = DeleteTargetForm()
    if not form.validate_on_submit():
        abort(400)
    name = target.name
    act(lambda: service.delete_target(db.session, target, current_user), f"Doel ‘{name}’ verwijderd.")
    return redirect(url_for("targets.list_targets"))
