"""Signing, termination, archiving, the signed document and the versions of an
agreement, on the `agreements` blueprint (same order in every view: load or
404 -> permission or 403 -> validate -> service -> commit once -> redirect)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.core.uploads import store_upload
from portal.extensions import db
from portal.forms.agreements import ActionForm, DocumentForm, SignForm, TerminateForm
from portal.models.agreement import AgreementParty
from portal.permissions import can_restore_agreement, can_sign_for_party
from portal.routes.agreements.access import load, require_details, require_edit
from portal.routes.agreements.blueprint import bp
from portal.services.accounts import users as user_service
from portal.services.agreements import lifecycle, queries
from portal.web.auth_session import mark_reauthenticated, needs_reauthentication
from portal.web.transaction import act, save
from portal.web.uploads import send_stored

# --- signing, termination, document ----------------------------------------

@bp.post("/<int:agreement_id>/ter-ondertekening")
@login_required
def send_agreement(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    ActionForm().validate_on_submit() or abort(400)
    act(lambda: lifecycle.send_for_signature(db.session, agreement, current_user),
        "De overeenkomst ligt nu ter ondertekening bij alle partijen.")
    return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>/partijen/<int:party_id>/ondertekenen", methods=["GET", "POST"])
@login_required
def sign_agreement(agreement_id: int, party_id: int):
    """Signing on behalf of a bevoegd gezag is confirmed on its own page (no
    JS needed): the body's name and the version being signed, and the password
    when the last authentication is older than 15 minutes. A POST without the
    confirmed version (the old one-click form) only shows this page."""
    agreement = load(agreement_id)
    party = db.session.get(AgreementParty, party_id)
    if party is None or party.agreement_id != agreement.id:
        abort(404)
    if not can_sign_for_party(current_user, party):
        abort(403)
    if request.method == "GET" and (party.is_signed or queries.current_status(agreement) != "ter_ondertekening"):
        flash("Deze partij heeft al getekend." if party.is_signed else
              "Deze overeenkomst ligt niet ter ondertekening.", "info")
        return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
    form = SignForm()
    reauth = needs_reauthentication()
    status, general, retry_after = 200, [], 0
    if request.method == "POST" and not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        form.revision.errors = []  # not confirmed yet: show the confirmation, sign nothing
    elif request.method == "POST":
        refused = _password_refused(form) if reauth else None
        if refused:
            (message, retry_after), status = refused, 429 if refused[1] else 422
            general, form.password.errors = [message], [message]
        else:
            if reauth:
                mark_reauthenticated()
            if act(lambda: lifecycle.sign(db.session, agreement, party, current_user, revision=form.revision.data),
                   lambda: f"Je hebt getekend namens {party.signed_on_behalf_of}.") \
                    and agreement.status == "getekend":
                flash("Alle partijen hebben getekend: de overeenkomst is getekend." if agreement.revision == 1 else
                      f"Alle partijen hebben getekend: addendum versie {agreement.revision} is nu in werking.",
                      "success")
            return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
    form.revision.data = agreement.revision
    form.password.data = ""
    response = make_response(render_template("agreements/sign.html", agreement=agreement, party=party, form=form,
                                             reauth=reauth, general=general), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _password_refused(form: SignForm) -> tuple[str, int] | None:
    """The password again, counted by the login throttle; the failure is committed."""
    if not form.password.data:
        return "Vul je wachtwoord in.", 0
    user = current_user._get_current_object()
    return save(lambda: user_service.check_password_again(db.session, user, form.password.data,
                                                          request.remote_addr)).result


@bp.route("/<int:agreement_id>/opzeggen", methods=["GET", "POST"])
@login_required
def terminate_agreement(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    form = TerminateForm()
    general: list[str] = []
    if request.method == "GET":
        form.terminated_on.data = date.today()
    if form.validate_on_submit():
        saved = save(lambda: lifecycle.terminate(db.session, agreement, form.terminated_on.data,
                                                 form.termination_reason.data, current_user), form)
        if saved.ok:
            ended = [r.title for r in saved.result or []]
            flash("De overeenkomst is opgezegd." + (
                f" Deze leerroutes hebben geen getekende overeenkomst meer en zijn beëindigd: {', '.join(ended)}."
                if ended else " De leerroutes eronder lopen door tot de opzegdatum."
                if form.terminated_on.data and form.terminated_on.data > date.today() else ""), "success")
            return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
        general = saved.general
    return render_template("agreements/terminate.html", agreement=agreement, form=form,
                           general=general), 422 if request.method == "POST" else 200


@bp.post("/<int:agreement_id>/archiveren")
@login_required
def archive_agreement(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    ActionForm().validate_on_submit() or abort(400)
    if not act(lambda: lifecycle.archive(db.session, agreement, current_user), "De overeenkomst is gearchiveerd."):
        return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))
    return redirect(url_for("agreements.index"))


@bp.post("/<int:agreement_id>/herstellen")
@login_required
def restore_agreement(agreement_id: int):
    agreement = load(agreement_id, archived=True)  # 404 for whoever may not see archived agreements
    if not can_restore_agreement(current_user, agreement):
        abort(403)
    ActionForm().validate_on_submit() or abort(400)
    act(lambda: lifecycle.restore(db.session, agreement, current_user),
        lambda: f"De overeenkomst ‘{agreement.title}’ is hersteld.")
    return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))


@bp.post("/<int:agreement_id>/document")
@login_required
def upload_document(agreement_id: int):
    agreement = load(agreement_id)
    require_edit(agreement)
    form = DocumentForm()
    form.validate_on_submit() or abort(400)
    # The file is stored only once the service has accepted the upload; one
    # stored by a write that then does not commit is removed at the end of the
    # request (web/uploads.py): no file on disk without its row.
    act(lambda: lifecycle.attach_document(db.session, agreement, lambda: store_upload(
        form.document.data, allowed=("pdf",), max_bytes=10 * 1024 * 1024, field="document"), current_user),
        "Het getekende document is opgeslagen.", prefix="Document: ")
    return redirect(url_for("agreements.view_agreement", agreement_id=agreement.id))


@bp.get("/<int:agreement_id>/document")
@login_required
def download_document(agreement_id: int):
    agreement = load(agreement_id, archived=True)  # staff read archived ones
    require_details(agreement)
    if not agreement.document_stored_name:
        abort(404)
    return send_stored(agreement.document_stored_name, agreement.document_name or "overeenkomst.pdf",
                       "application/pdf")


# --- versions --------------------------------------------------------------

@bp.get("/<int:agreement_id>/versies")
@login_required
def list_versions(agreement_id: int):
    agreement = load(agreement_id, archived=True)  # staff read archived ones
    require_details(agreement)
    numbers = [v.number for v in agreement.versions]
    a = request.args.get("a", type=int) or (numbers[-2] if len(numbers) > 1 else None)
    b = request.args.get("b", type=int) or (numbers[-1] if numbers else None)
    diff = None
    if a is not None and b is not None and a in numbers and b in numbers:
        diff = queries.version_diff(agreement, a, b)
    elif request.args.get("a") or request.args.get("b"):
        abort(404)
    return render_template("agreements/versions.html", agreement=agreement, diff=diff, a=a, b=b)
