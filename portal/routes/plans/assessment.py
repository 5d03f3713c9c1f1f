"""The commission's pages: staff keep the beoordelingskader and assign
assessors; an assigned assessor who is no party of the plan scores it and
writes the advice; the mid-term findings."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import plans as dom
from portal.extensions import db
from portal.forms.choices import options
from portal.forms.plans import ActionForm, AdviceForm, AssignForm, CriterionForm, MidtermForm, parse_score_rows
from portal.permissions import is_independent_assessor, is_staff
from portal.routes.plans.access import assigned_ids, load_plan, require
from portal.routes.plans.blueprint import bp
from portal.services.plans import assessment, followup, lifecycle, queries
from portal.web.transaction import save


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@bp.route("/beoordelingskader", methods=["GET", "POST"])
@login_required
def edit_criteria():
    require(is_staff(current_user))
    form = CriterionForm()
    if form.validate_on_submit():
        saved = save(lambda: assessment.add_criterion(db.session, form.name.data, form.description.data or "",
                                                      form.weight.data, current_user), form)
        if saved.ok:
            flash(f"Criterium ‘{saved.result.name}’ is toegevoegd.", "success")
            return redirect(url_for("plans.edit_criteria"))
    return render_template("plans/criteria.html", form=form, criteria=assessment.active_criteria(db.session)), \
        422 if form.errors else 200


@bp.route("/<int:plan_id>/toewijzen", methods=["GET", "POST"])
@login_required
def start_review(plan_id: int):
    plan = load_plan(plan_id)
    require(is_staff(current_user))
    form = AssignForm()
    people = queries.assessors(db.session)
    form.assessors.choices = options((str(u.id), u.name + (f" ({u.organisation.name})" if u.organisation else ""))
                                     for u in people)
    if request.method == "GET":
        form.version_id.data = str(plan.version_id)
    if form.validate_on_submit():
        saved = save(lambda: lifecycle.start_review(db.session, plan, form.assessor_ids(), current_user,
                                                    _version(form.version_id.data)), form)
        if saved.ok:
            flash("De beoordeling is gestart.", "success")
            return redirect(url_for("plans.view_plan", plan_id=plan.id))
        general = saved.general
    else:
        general = []
    return render_template("plans/assign.html", plan=plan, form=form, general=general), \
        422 if form.errors or general else 200


@bp.route("/<int:plan_id>/beoordelen", methods=["GET", "POST"])
@login_required
def assess_plan(plan_id: int):
    """Scores per criterion with a motivation, then the advice. Only an
    assigned assessor who is no party of the plan (the service checks again)."""
    plan = load_plan(plan_id)
    require(is_independent_assessor(current_user, plan, assigned_ids(plan)))
    criteria = assessment.active_criteria(db.session)
    mine = {s.criterion_id: s for s in assessment.scores_of(db.session, plan) if s.assessor_id == current_user.id}
    rows = {c.id: {"score": mine[c.id].score if c.id in mine else None,
                   "motivation": mine[c.id].motivation if c.id in mine else ""} for c in criteria}
    errors: dict[str, list[str]] = {}
    advice = AdviceForm(prefix="advies")
    general: list[str] = []
    if request.method == "GET":
        advice.version_id.data = str(plan.version_id)
        advice.flag.data = plan.advice_flag
    elif request.form.get("action") == "scores":
        if ActionForm().validate_on_submit():
            rows, errors = parse_score_rows(request.form, [c.id for c in criteria])
            if not errors:
                saved = save(lambda: assessment.set_scores(db.session, plan, rows, current_user))
                if saved.ok:
                    flash("De scores zijn opgeslagen.", "success")
                    return redirect(url_for("plans.assess_plan", plan_id=plan.id))
                errors = {k: list(v) for k, v in saved.error.errors.items()}
    elif advice.validate_on_submit():
        saved = save(lambda: lifecycle.advise(
            db.session, plan, advice.outcome.data, advice.advice_text.data or "",
            advice.improvement_points.data or "", advice.flag.data or "", current_user,
            _version(advice.version_id.data)), advice)
        if saved.ok:
            flash(f"Het advies ‘{dom.STATE_NAMES[plan.state]}’ is gegeven.", "success")
            return redirect(url_for("plans.view_plan", plan_id=plan.id))
        general = saved.general
    status = 422 if errors or general or any(f.errors for f in advice) else 200
    return render_template("plans/assess.html", plan=plan, criteria=criteria, rows=rows, errors=errors,
                           advice=advice, general=general, action_form=ActionForm(),
                           in_review=plan.state == dom.IN_REVIEW, SCORES=range(dom.SCORE_MIN, dom.SCORE_MAX + 1)), \
        status


@bp.route("/<int:plan_id>/tussenevaluatie", methods=["GET", "POST"])
@login_required
def record_midterm(plan_id: int):
    """The commission's mid-term findings on a plan in uitvoering: staff and the plan's assessors."""
    plan = load_plan(plan_id)
    require(is_staff(current_user) or is_independent_assessor(current_user, plan, assigned_ids(plan)))
    form = MidtermForm()
    if request.method == "GET":
        form.findings.data = plan.midterm_findings
        form.version_id.data = str(plan.version_id)
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: followup.record_midterm(db.session, plan, form.findings.data, current_user,
                                                     _version(form.version_id.data)), form)
        if saved.ok:
            flash("De bevindingen van de tussenevaluatie zijn opgeslagen.", "success")
            return redirect(url_for("plans.view_plan", plan_id=plan.id))
        general = saved.general
    return render_template("plans/midterm.html", plan=plan, form=form, general=general), \
        422 if form.errors or general else 200


