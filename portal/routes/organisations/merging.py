"""Merging two organisations (staff): choose the one to keep and the one to
remove, a confirmation page listing what moves, then the merge."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.core.errors import ServiceError
from portal.domain.bounds import parse_id
from portal.extensions import db
from portal.forms.organisations import MergeForm
from portal.permissions import can_merge_organisations
from portal.routes.organisations.blueprint import admin_bp
from portal.services.organisations import merge as merge_service
from portal.services.organisations.duplicates import probable_duplicates
from portal.web.transaction import save


def _ids(form: MergeForm) -> tuple[int | None, int | None]:
    return parse_id(form.keep.data or ""), parse_id(form.remove.data or "")


@admin_bp.route("/samenvoegen", methods=["GET", "POST"])
@login_required
def merge():
    if not can_merge_organisations(current_user):
        abort(403)
    form = MergeForm()
    if request.method == "GET":
        form.keep.data = request.args.get("keep", "")[:12]
        form.remove.data = request.args.get("remove", "")[:12]
    plan, status = None, 200
    if request.method == "POST" and form.validate_on_submit():
        keep_id, remove_id = _ids(form)
        try:
            plan = merge_service.merge_plan(db.session, keep_id, remove_id)
        except ServiceError as exc:
            for name, messages in exc.errors.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [*target.errors, *messages]
            status = 422
        if plan is not None and form.confirmed.data == "1":
            kept_id = plan.kept.id
            saved = save(lambda: merge_service.merge_organisations(db.session, current_user, keep_id, remove_id))
            if saved.ok:
                flash("De organisaties zijn samengevoegd.", "success")
                return redirect(url_for("organisations.show", organisation_id=kept_id))
            for messages in saved.error.errors.values():
                for message in messages:
                    flash(message, "error")
            return redirect(url_for("organisation_admin.merge"))
    elif request.method == "POST":
        status = 422
    return render_template("organisations/merge.html", form=form, plan=plan, labels=merge_service.LINK_LABELS,
                           duplicates=probable_duplicates(db.session) if plan is None else []), status
