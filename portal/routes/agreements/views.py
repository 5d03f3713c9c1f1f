"""/overeenkomsten: samenwerkingsovereenkomsten. Each view: load or 404 ->
permission or 403 -> validate -> service -> commit once -> render/redirect."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.domain.bounds import INT_LIMIT
from portal.extensions import db
from portal.forms.agreements import (
    ActionForm,
    AgreementForm,
    DocumentForm,
    TerminateForm,
    parse_party_rows,
    party_row_errors,
)
from portal.forms.choices import options
from portal.forms.submission import create_once
from portal.models import LearningRoute, Organisation
from portal.models.agreement import Agreement
from portal.permissions import (
    can_create_agreement,
    can_edit_agreement,
    can_restore_agreement,
    can_see_agreement,
    can_view_agreement_details,
    is_staff,
)
from portal.routes.agreements.access import load, require_details, require_edit, saved_message
from portal.routes.agreements.blueprint import bp
from portal.routes.agreements.template_globals import expiring_agreements_for
from portal.services.agreements import operations, queries, route_basis, waiting
from portal.services.reference import organisation_search
from portal.web.transaction import posted_version, save

# --- lists and detail ------------------------------------------------------

@bp.get("/")
def index():
    if is_staff(current_user) and request.args.get("archief") == "1":
        return render_template("agreements/archived.html", agreements=queries.list_archived(db.session))
    agreements = [a for a in queries.list_agreements(db.session) if can_see_agreement(current_user, a)]
    expiring = expiring_agreements_for(current_user)
    mine: set[int] = set()
    org = None
    if current_user.is_authenticated and current_user.role == "coordinator" and current_user.organisation_id:
        org = current_user.organisation_id
        mine = {a.id for a in agreements if a.party_for(org)}
    wait = request.args.get("wacht")
    if wait in waiting.FILTERS:
        agreements = [a for a in agreements if waiting.matches_filter(a, org, wait)]
    else:
        wait = None
    return render_template("agreements/index.html", agreements=agreements, expiring=expiring, mine=mine,
                           wait=wait, wait_filters=waiting.FILTERS if org else {},
                           can_create=can_create_agreement(current_user), can_see_archive=is_staff(current_user))


@bp.get("/<int:agreement_id>")
def view_agreement(agreement_id: int):
    agreement = load(agreement_id, archived=True)
    if not can_see_agreement(current_user, agreement):
        abort(404)  # a concept does not exist for the public (like a concept route)
    details = current_user.is_authenticated and can_view_agreement_details(current_user, agreement)
    context = dict(agreement=agreement, details=details, action_form=ActionForm())
    if details:
        context.update(_detail_context(agreement))
    return render_template("agreements/detail.html", **context)


def _detail_context(agreement: Agreement) -> dict:
    can_edit = can_edit_agreement(current_user, agreement)
    return dict(
        can_restore=can_restore_agreement(current_user, agreement),
        checklist=queries.checklist(agreement), guarantee=queries.guarantee_check(agreement),
        allocations=queries.allocations(agreement), can_edit=can_edit,
        my_party=agreement.party_for(current_user.organisation_id) if current_user.role == "coordinator" else None,
        status=queries.current_status(agreement), document_form=DocumentForm(),
        terminate_form=TerminateForm(), party_names={p.id: p.organisation.name for p in agreement.parties},
        addendum=queries.has_addendum(agreement), still_to_sign=queries.unsigned_parties(agreement),
        addendum_diff=queries.addendum_diff(agreement) if queries.has_addendum(agreement) else [],
        ended_routes=route_basis.ended_routes(agreement),
    )


@bp.get("/<int:agreement_id>/checklist")
@login_required
def view_checklist(agreement_id: int):
    agreement = load(agreement_id, archived=True)  # staff read archived ones
    require_details(agreement)
    return render_template("agreements/checklist.html", agreement=agreement,
                           checklist=queries.checklist(agreement))


@bp.get("/<int:agreement_id>/afdrukken")
@login_required
def print_agreement(agreement_id: int):
    agreement = load(agreement_id, archived=True)  # staff read archived ones
    require_details(agreement)
    return render_template("agreements/print.html", agreement=agreement, **_detail_context(agreement))


# --- create and edit -------------------------------------------------------

def _route_choices(agreement: Agreement | None) -> list[SelectChoice]:
    routes = queries.routes_for(db.session, current_user.organisation_id)
    if agreement is not None:
        routes = list({r.id: r for r in [*routes, *agreement.routes]}.values())
    return options((r.id, f"{r.title} ({r.kind_code.upper()}, {r.status})") for r in sorted(routes, key=lambda r: r.title))


def _examining_choices(agreement: Agreement | None, route_ids: list[int]) -> list[SelectChoice]:
    if agreement is not None:
        orgs = [p.organisation for p in agreement.parties if p.role == "mbo"]
    else:
        # Ids come from the unvalidated form: only those that can exist (PostgreSQL: out of range was a 500).
        route_ids = [i for i in route_ids if isinstance(i, int) and 0 < i <= INT_LIMIT]
        routes = db.session.scalars(select(LearningRoute).where(LearningRoute.id.in_(route_ids or [0]))).all()
        routes = routes or queries.routes_for(db.session, current_user.organisation_id)
        orgs = list({p.organisation_id: p.organisation for r in routes for p in r.parties if p.role == "mbo"}.values())
    return options([("", "— kies —")] + [(str(o.id), o.name) for o in orgs])


def _fill_form(form: AgreementForm, agreement: Agreement) -> None:
    form.version_id.data = agreement.version_id
    form.title.data = agreement.title
    form.route_ids.data = [r.id for r in agreement.routes]
    form.start_date.data, form.end_date.data = agreement.start_date, agreement.end_date
    for name in queries.CLAUSE_FIELDS:
        getattr(form, name).data = getattr(agreement, name)
    form.mbo_domain_code.data = agreement.mbo_domain_code or ""
    form.examining_organisation_id.data = str(agreement.examining_organisation_id or "")
    form.team_qualification.data = {True: "ja", False: "nee"}.get(agreement.team_qualification)


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def create_agreement():
    if not can_create_agreement(current_user):
        abort(403)
    form = AgreementForm()
    form.route_ids.choices = _route_choices(None)
    form.examining_organisation_id.choices = _examining_choices(None, form.route_ids.data or [])
    if request.method == "GET":
        route_id = request.args.get("route", type=int)
        if route_id and any(c.value == route_id for c in form.route_ids.choices):
            form.route_ids.data = [route_id]
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: create_once(form, "agreement", lambda: operations.create_agreement(
            db.session, form.data_for_service(), current_user)), form)
        if saved.ok:
            flash("De overeenkomst is aangemaakt als concept.", "success")
            return redirect(url_for("agreements.view_agreement", agreement_id=saved.result.id))
        general = saved.general
    status = 422 if request.method == "POST" else 200
    return render_template("agreements/edit.html", form=form, agreement=None, general=general), status


@bp.route("/<int:agreement_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_agreement(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    form = AgreementForm()
    form.route_ids.choices = _route_choices(agreement)
    form.examining_organisation_id.choices = _examining_choices(agreement, [])
    if request.method == "GET":
        _fill_form(form, agreement)
    general: list[str] = []
    conflict = None
    if form.validate_on_submit():
        saved = save(lambda: operations.update_agreement(
            db.session, agreement, form.data_for_service(), current_user,
            expected_version=form.version_id.data or None), form)
        if saved.ok:
            flash(saved_message(agreement, saved.result), "success")
            return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
        general, conflict = saved.general, saved.conflict
    status = 422 if request.method == "POST" else 200
    return render_template("agreements/edit.html", form=form, agreement=agreement, general=general,
                           conflict=conflict), status


@bp.route("/<int:agreement_id>/partijen", methods=["GET", "POST"])
@login_required
def edit_parties(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    errors: dict[str, list[str]] = {}
    rows = [dict(key=str(i), organisation_id=p.organisation_id, role=p.role, organisation=p.organisation,
                 governing_body_name=p.governing_body_name or "", governing_body_number=p.governing_body_number or "")
            for i, p in enumerate(agreement.parties)]
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        rows = parse_party_rows(request.form)
        errors = party_row_errors(rows)
        if not errors:
            saved = save(lambda: operations.set_parties(db.session, agreement, rows, current_user,
                                                        expected_version=posted_version()))
            if saved.ok:
                flash(saved_message(agreement, saved.result), "success")
                return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
            errors = saved.error.errors
        orgs = {o.id: o for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_([r["organisation_id"] for r in rows])))}
        for r in rows:
            r["organisation"] = orgs.get(r["organisation_id"])
    taken = {r["organisation_id"] for r in rows}
    choices = [(i, label) for i, label in organisation_search.select_options(db.session) if i not in taken]
    return render_template("agreements/parties.html", agreement=agreement, rows=rows, errors=errors,
                           choices=choices, action_form=ActionForm(),
                           next_key=len(rows)), 422 if errors else 200


