"""The pages of /regioplannen: the list of rounds and plans, a new round, a
plan region (new, parties), a plan and its versions, and the buttons that move
a plan (submit, withdraw, approve, start the execution)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import plans as dom
from portal.domain.vocab import ORGANISATION_KINDS, names
from portal.extensions import db
from portal.forms.choices import options
from portal.forms.plans import ActionForm, RegionForm, RoundForm
from portal.permissions import (
    can_create_plan_region,
    can_edit_plan,
    can_see_plan_scores,
    can_view_plan,
    is_plan_lead,
    is_staff,
)
from portal.routes.plans import area_map
from portal.routes.plans.access import assigned_ids, load_plan, load_round, require
from portal.routes.plans.blueprint import bp
from portal.services.plans import area, assessment, followup, lifecycle, queries, regions, snapshots
from portal.web.security import csp_nonce
from portal.web.transaction import act, posted_version, save

KIND_NAMES = names(ORGANISATION_KINDS)


@bp.route("/")
def index():
    """Every round with its public counts; a logged-in user also sees their plans."""
    rounds = [(r, queries.counts(queries.plans_of_round(db.session, r.id))) for r in queries.rounds(db.session)]
    mine = queries.plans_for_user(db.session, current_user) if current_user.is_authenticated else []
    return render_template("plans/index.html", rounds=rounds, mine=mine, STATE_NAMES=dom.STATE_NAMES,
                           can_create=can_create_plan_region(current_user), staff=is_staff(current_user))


@bp.route("/rondes/nieuw", methods=["GET", "POST"])
@login_required
def create_round():
    require(is_staff(current_user))
    form = RoundForm()
    if form.validate_on_submit():
        saved = save(lambda: regions.create_round(db.session, form.name.data, form.submission_deadline.data,
                                                  form.resubmission_deadline.data, current_user), form)
        if saved.ok:
            flash(f"Ronde ‘{saved.result.name}’ is aangemaakt.", "success")
            return redirect(url_for("plans.index"))
    return render_template("plans/round_form.html", form=form), 422 if form.errors else 200


def _region_choices(form: RegionForm, chosen: list[int]) -> list:
    """The organisations to tick: those chosen so far and those the search found."""
    found = queries.search_member_organisations(db.session, form.q.data or "")
    picked = queries.organisations_by_id(db.session, chosen)
    orgs = picked + [o for o in found if o.id not in set(chosen)]
    form.members.choices = options((str(o.id), f"{o.display_name} ({KIND_NAMES.get(o.kind, o.kind)})") for o in orgs)
    form.lead_organisation_id.choices = options([("", "— kies —")] + [
        (str(o.id), o.display_name) for o in picked if o.kind != "employer"])
    return found


def _region_form(form: RegionForm, plan_round, region, write):
    """Search (re-show the form with what was found) or save."""
    chosen = form.member_ids()
    if region is None and not is_staff(current_user) and current_user.organisation_id not in chosen:
        chosen.insert(0, current_user.organisation_id)  # the creator's organisation is the penvoerder
        form.members.data = [str(i) for i in chosen]
    searching = request.method == "POST" and request.form.get("action") == "search"
    if request.method == "GET" and region is not None:
        chosen = sorted(region.member_ids())
        form.members.data = [str(i) for i in chosen]
        form.lead_organisation_id.data = str(region.lead_organisation_id)
    found = _region_choices(form, chosen)
    if request.method == "POST" and not searching and form.validate_on_submit():
        lead = form.lead_id() if (is_staff(current_user) or region is not None) else current_user.organisation_id
        saved = save(lambda: write(form.name.data, lead, chosen), form)
        if saved.ok:
            flash("De planregio is opgeslagen.", "success")
            return redirect(url_for("plans.view_plan", plan_id=saved.result.plan.id))
    status = 422 if any(f.errors for f in form) else 200
    return render_template("plans/region_form.html", form=form, plan_round=plan_round, region=region, found=found,
                           searched=searching, lead_fixed=region is None and not is_staff(current_user)), status


@bp.route("/rondes/<int:round_id>/planregio/nieuw", methods=["GET", "POST"])
@login_required
def create_region(round_id: int):
    plan_round = load_round(round_id)
    require(can_create_plan_region(current_user))
    form = RegionForm()
    return _region_form(form, plan_round, None, lambda name, lead, members: regions.create_region(
        db.session, plan_round, name, lead, members, current_user))


@bp.route("/<int:plan_id>/partijen", methods=["GET", "POST"])
@login_required
def edit_region(plan_id: int):
    plan = load_plan(plan_id)
    require(can_edit_plan(current_user, plan))
    region = plan.region
    form = RegionForm(obj=region if request.method == "GET" else None)
    return _region_form(form, region.round, region, lambda name, lead, members: regions.set_members(
        db.session, region, name, lead, members, current_user, posted_version()))


@bp.route("/<int:plan_id>")
@login_required
def view_plan(plan_id: int):
    plan = load_plan(plan_id)
    assigned = assigned_ids(plan)
    require(can_view_plan(current_user, plan, assigned))
    scores = assessment.scores_of(db.session, plan) if can_see_plan_scores(current_user, plan, assigned) else None
    lead = is_plan_lead(current_user, plan.region)
    plan_area = area.plan_areas(db.session, [plan])
    return render_template(
        "plans/detail.html", plan=plan, region=plan.region, check=dom.co_financing(plan.domain_budget()),
        scores=scores, weighted=assessment.weighted(scores) if scores else None,
        show_advice=scores is not None, can_edit=can_edit_plan(current_user, plan),
        lead_moves=dom.moves_for(plan.state, dom.LEAD) if lead else [],
        staff_moves=dom.moves_for(plan.state, dom.STAFF) if is_staff(current_user) else [],
        can_assess=current_user.id in assigned and current_user.role == "assessor",
        submission_errors=dom.submission_errors([m.kind for m in plan.region.members], plan.domain_budget(),
                                                has_vision=bool(plan.vision.strip()),
                                                has_actions=bool(plan.actions)) if lead else [],
        is_lead=lead, reports=followup.reports_of(db.session, plan),
        map_parts=area_map.render(area_map.build(plan_area, lambda _id: None), csp_nonce()),
        overlaps=area.region_names(db.session, plan_area.plans[0].region_codes),
        action_form=ActionForm(), STATE_NAMES=dom.STATE_NAMES, BUDGET_STREAMS=dom.BUDGET_STREAMS,
        ADVICE_FLAGS=dom.ADVICE_FLAGS, ACTION_NAMES=dom.ACTION_NAMES)


@bp.route("/<int:plan_id>/versies")
@login_required
def list_versions(plan_id: int):
    plan = load_plan(plan_id)
    require(can_view_plan(current_user, plan, assigned_ids(plan)))
    rows = []
    previous = None
    for version in plan.versions:
        rows.append((version, snapshots.diff(previous, version.snapshot)))
        previous = version.snapshot
    return render_template("plans/versions.html", plan=plan, rows=list(reversed(rows)))


def _button(plan_id: int, allowed, write, success: str):
    plan = load_plan(plan_id)
    require(allowed(plan))
    if ActionForm().validate_on_submit():
        act(lambda: write(plan), success)
    else:
        flash("Het formulier is verlopen; probeer het opnieuw.", "error")
    return redirect(url_for("plans.view_plan", plan_id=plan.id))


@bp.route("/<int:plan_id>/indienen", methods=["POST"])
@login_required
def submit_plan(plan_id: int):
    return _button(plan_id, lambda p: is_plan_lead(current_user, p.region),
                   lambda p: lifecycle.submit(db.session, p, current_user, expected_version=posted_version()),
                   "Het plan is ingediend.")


@bp.route("/<int:plan_id>/intrekken", methods=["POST"])
@login_required
def withdraw_plan(plan_id: int):
    return _button(plan_id, lambda p: is_plan_lead(current_user, p.region),
                   lambda p: lifecycle.withdraw(db.session, p, current_user, posted_version()),
                   "Het plan is ingetrokken.")


@bp.route("/<int:plan_id>/goedkeuren", methods=["POST"])
@login_required
def approve_plan(plan_id: int):
    return _button(plan_id, lambda p: is_staff(current_user),
                   lambda p: lifecycle.approve(db.session, p, current_user, posted_version()),
                   "Het plan is goedgekeurd.")


@bp.route("/<int:plan_id>/uitvoering", methods=["POST"])
@login_required
def start_execution(plan_id: int):
    return _button(plan_id, lambda p: is_staff(current_user),
                   lambda p: lifecycle.start_execution(db.session, p, current_user, posted_version()),
                   "Het plan is in uitvoering.")
