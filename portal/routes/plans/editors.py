"""The plan editors: vision and analysis (a form), the actions and the
budget (row editors, as the agreements' funding editor: rows are added and
removed by buttons, and the budget shows the co-financing share live while
typing, through htmx, nothing saved until 'Opslaan')."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import plans as dom
from portal.domain.funding import format_decimal
from portal.extensions import db
from portal.forms.attachments import AttachmentForm
from portal.forms.plans import ActionForm, PlanTextForm, parse_action_rows, parse_budget_rows
from portal.permissions import can_edit_plan
from portal.routes.plans.access import load_plan, require
from portal.routes.plans.blueprint import bp
from portal.services.plans import editing
from portal.web.templating import is_htmx_fragment_request
from portal.web.transaction import posted_version, save


@bp.route("/<int:plan_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    form = PlanTextForm(obj=plan if request.method == "GET" else None)
    if request.method == "GET":
        form.version_id.data = str(plan.version_id)
    general: list[str] = []
    if form.validate_on_submit():
        values = {f: getattr(form, f).data or "" for f in editing.TEXT_FIELDS}
        saved = save(lambda: editing.update_text(db.session, plan, values, current_user,
                                                 _version(form.version_id.data)), form)
        if saved.ok:
            flash("Het plan is opgeslagen.", "success")
            return redirect(url_for("plans.view_plan", plan_id=plan.id))
        general = saved.general
    status = 422 if any(f.errors for f in form) or general else 200
    return render_template("plans/edit.html", plan=plan, form=form, general=general,
                           attachment_form=AttachmentForm(formdata=None), action_form=ActionForm()), status


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _rows_action(rows: list[dict], prefix: str, new_row: dict) -> bool:
    """Add or remove a row; True when the posted action was one of those."""
    action = request.form.get("action", "")
    if action == f"add-{prefix}":
        key = str(max([int(r["key"]) for r in rows] + [-1]) + 1)
        rows.append({**new_row, "key": key, "errors": []})
        return True
    if action.startswith(f"remove-{prefix}-"):
        rows[:] = [r for r in rows if r["key"] != action.removeprefix(f"remove-{prefix}-")]
        return True
    return False


def _save_rows(plan, write):
    saved = save(lambda: write(posted_version()))
    if saved.ok:
        flash("Het plan is opgeslagen.", "success")
        return redirect(url_for("plans.view_plan", plan_id=plan.id)), {}
    return None, {k: list(v) for k, v in saved.error.errors.items()}


@bp.route("/<int:plan_id>/acties", methods=["GET", "POST"])
@login_required
def edit_actions(plan_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        rows = [dict(key=str(i), description=a.description, owner_organisation_id=a.owner_organisation_id,
                     raw_year=str(a.year), measurable_result=a.measurable_result, errors=[])
                for i, a in enumerate(plan.actions)] or [
            dict(key="0", description="", owner_organisation_id=plan.region.lead_organisation_id, raw_year="",
                 measurable_result="", errors=[])]
    else:
        ActionForm().validate_on_submit() or abort(400)
        rows = parse_action_rows(request.form)
        new = dict(description="", owner_organisation_id=None, raw_year="", measurable_result="")
        if not _rows_action(rows, "action", new) and request.form.get("action") == "save":
            response, errors = _save_rows(plan, lambda version: editing.set_actions(
                db.session, plan, rows, current_user, version))
            if response is not None:
                return response
    return render_template("plans/actions.html", plan=plan, rows=rows, errors=errors, action_form=ActionForm(),
                           members=sorted(plan.region.members, key=lambda m: m.organisation.name)), \
        422 if errors else 200


def _co_financing(rows: list[dict]) -> dom.CoFinancing:
    return dom.co_financing([dom.BudgetLine(r["year"] or 0, r["stream"], r["amount"]) for r in rows
                             if r.get("amount") is not None and r.get("stream") in dom.BUDGET_STREAMS])


@bp.route("/<int:plan_id>/begroting", methods=["GET", "POST"])
@login_required
def edit_budget(plan_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        rows = [dict(key=str(i), year=b.year, raw_year=str(b.year), stream=b.stream, amount=b.amount,
                     raw_amount=format_decimal(b.amount), errors=[]) for i, b in enumerate(plan.budget_lines)]
        if not rows:
            rows = [dict(key=str(i), year=None, raw_year="", stream=s, amount=None, raw_amount="", errors=[])
                    for i, s in enumerate(dom.BUDGET_STREAMS)]
    else:
        ActionForm().validate_on_submit() or abort(400)
        rows = parse_budget_rows(request.form)
        last = rows[-1] if rows else {}
        new = dict(year=last.get("year"), raw_year=last.get("raw_year", ""), stream=dom.SUBSIDY, amount=None,
                   raw_amount="")
        action = request.form.get("action", "check")
        if _rows_action(rows, "line", new):
            pass
        elif action == "save":
            response, errors = _save_rows(plan, lambda version: editing.set_budget(
                db.session, plan, rows, current_user, version))
            if response is not None:
                return response
        else:  # check: the live co-financing share and the row errors, nothing saved
            errors = editing.validate_budget(rows)
            if is_htmx_fragment_request():
                return render_template("plans/_budget_check.html", rows=rows, errors=errors,
                                       check=_co_financing(rows))
    return render_template("plans/budget.html", plan=plan, rows=rows, errors=errors, check=_co_financing(rows),
                           action_form=ActionForm(), BUDGET_STREAMS=dom.BUDGET_STREAMS), 422 if errors else 200
