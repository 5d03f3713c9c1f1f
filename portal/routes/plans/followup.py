"""The penvoerder's yearly progress report of a plan in uitvoering."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import plans as dom
from portal.domain.bounds import parse_whole_number
from portal.domain.funding import parse_decimal
from portal.extensions import db
from portal.forms.plans import ActionForm, parse_progress_texts
from portal.permissions import is_plan_lead
from portal.routes.plans.access import load_plan, require
from portal.routes.plans.blueprint import bp
from portal.services.plans import followup
from portal.web.transaction import save


@bp.route("/<int:plan_id>/voortgang", methods=["GET", "POST"])
@login_required
def report_progress(plan_id: int):
    plan = load_plan(plan_id)
    require(is_plan_lead(current_user, plan.region) and plan.state == dom.RUNNING)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        texts, errors = parse_progress_texts(request.form, [a.id for a in plan.actions])
        actions = {a.id: {"percent_done": parse_whole_number(request.form.get(f"action-{a.id}-percent")),
                          "explanation": texts.get(a.id, "")} for a in plan.actions}
        spending: dict[int, dict] = {}
        for line in plan.budget_lines:
            try:
                spent: Decimal | None = parse_decimal(request.form.get(f"line-{line.id}-spent", ""))
            except ValueError as exc:
                spent = None
                errors.setdefault(f"line-{line.id}", []).append(f"Uitgegeven: {exc}")
            spending[line.id] = {"spent": spent}
        if not errors:
            year = parse_whole_number(request.form.get("year"))
            saved = save(lambda: followup.report_progress(db.session, plan, year, actions, spending, current_user))
            if saved.ok:
                flash("De voortgangsrapportage is opgeslagen.", "success")
                return redirect(url_for("plans.view_plan", plan_id=plan.id))
            errors = {k: list(v) for k, v in saved.error.errors.items()}
    return render_template("plans/progress.html", plan=plan, errors=errors, values=values,
                           action_form=ActionForm(), reports=followup.reports_of(db.session, plan),
                           BUDGET_STREAMS=dom.BUDGET_STREAMS), 422 if errors else 200
