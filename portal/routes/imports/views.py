"""/beheer/imports: the newest import runs, one run's errors with their line
numbers, and marking a run with errors handled. Staff only: the errors of a
coordinator's import name rows of their file."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from portal.extensions import db
from portal.forms.imports import HandledForm
from portal.models import ImportRun
from portal.permissions import staff_required
from portal.routes.imports.blueprint import bp
from portal.services.imports import runs as import_runs
from portal.web.transaction import act


def _load(run_id: int) -> ImportRun:
    run = db.session.get(ImportRun, run_id)
    if run is None:
        abort(404)
    return run


@bp.get("/")
@staff_required
def list_runs():
    runs = import_runs.list_runs(db.session)
    open_ids = {r.id for r in import_runs.open_runs(db.session)}
    return render_template("imports/list.html", runs=runs, open_ids=open_ids)


@bp.get("/<int:run_id>")
@staff_required
def show_run(run_id: int):
    run = _load(run_id)
    open_ids = {r.id for r in import_runs.open_runs(db.session)}
    return render_template("imports/show.html", run=run, is_open=run.id in open_ids, form=HandledForm())


@bp.post("/<int:run_id>/afgehandeld")
@staff_required
def mark_handled(run_id: int):
    run = _load(run_id)
    if not HandledForm().validate_on_submit():
        abort(400)
    act(lambda: import_runs.mark_handled(db.session, run, current_user), "De import staat als afgehandeld genoteerd.")
    return redirect(url_for("imports.show_run", run_id=run.id))
