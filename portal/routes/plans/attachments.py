"""Attachments of the labour-market analysis: the penvoerder adds and
removes them while the plan can be edited; whoever may see the plan downloads them."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forms.attachments import AttachmentForm
from portal.forms.plans import ActionForm
from portal.models.plan import PlanAttachment
from portal.permissions import can_edit_plan, can_view_plan
from portal.routes.plans.access import assigned_ids, load_plan, require
from portal.routes.plans.blueprint import bp
from portal.services.plans import attachments
from portal.web.transaction import act, messages, save
from portal.web.uploads import load_attachment, send_attachment


@bp.post("/<int:plan_id>/bijlagen")
@login_required
def add_attachment(plan_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    form = AttachmentForm()
    if form.validate_on_submit():
        saved = save(lambda: attachments.add_attachment(db.session, plan, form.file.data, form.title.data,
                                                        current_user), form)
        if saved.ok:
            flash("De bijlage is toegevoegd.", "success")
        else:
            for message in messages(saved.error):
                flash(message, "error")
    else:
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("plans.edit_plan", plan_id=plan.id) + "#bijlagen")


@bp.get("/<int:plan_id>/bijlagen/<int:plan_attachment_id>")
@login_required
def download_attachment(plan_id: int, plan_attachment_id: int):
    plan = load_plan(plan_id)
    require(can_view_plan(current_user, plan, assigned_ids(plan)))
    return send_attachment(load_attachment(PlanAttachment, plan_attachment_id, "plan_id", plan_id))


@bp.post("/<int:plan_id>/bijlagen/<int:plan_attachment_id>/verwijderen")
@login_required
def remove_attachment(plan_id: int, plan_attachment_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    attachment = load_attachment(PlanAttachment, plan_attachment_id, "plan_id", plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: attachments.remove_attachment(db.session, attachment, current_user), "De bijlage is verwijderd.")
    return redirect(url_for("plans.edit_plan", plan_id=plan.id) + "#bijlagen")
