"""/bibliotheek: writing a practice (create, edit, attachments), submitting
it, and the moderation actions of staff (publish, send back, archive,
restore). Thin: load or 404 -> permission or 403 -> form -> service ->
commit once -> redirect, or the page again with the errors."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from portal.domain.practices import practice_errors
from portal.extensions import db
from portal.forms.attachments import AttachmentForm
from portal.forms.choices import options
from portal.forms.practices import ActionForm, PracticeForm, SendBackForm
from portal.forms.submission import create_once
from portal.models import LearningRoute, MboDomain, MboLevel, Region
from portal.models.practice import GoodPractice, PracticeAttachment
from portal.permissions import (
    can_archive_practice,
    can_create_practice,
    can_edit_practice,
    can_moderate_practices,
    can_restore_practice,
    can_submit_practice,
)
from portal.routes.practices.access import load_practice, require
from portal.routes.practices.blueprint import bp
from portal.routes.practices.views import render_show
from portal.services.learning_routes.filters import visibility_clause
from portal.services.practices import attachments
from portal.services.practices import operations as service
from portal.services.reference import organisation_search
from portal.services.reference.boundaries import current_region_year
from portal.web.transaction import act, save
from portal.web.uploads import load_attachment


def _fill_choices(form: PracticeForm, practice: GoodPractice | None) -> None:
    session = db.session
    form.organisation_ids.choices = options((str(i), label) for i, label in organisation_search.select_options(session))
    year = current_region_year(session)
    regions = session.execute(select(Region.id, Region.code, Region.name).where(Region.year == year)
                              .order_by(Region.name)).all() if year else []
    linked = {r.id for r in practice.regions} if practice else set()
    extra = [r for r in (practice.regions if practice else []) if r.year != year]
    form.region_ids.choices = options([(str(r.id), f"{r.name} ({r.code})") for r in regions] + [
        (str(r.id), f"{r.name} ({r.code}, {r.year})") for r in extra if r.id in linked])
    linked_routes = [r.id for r in practice.routes] if practice else []
    routes = session.execute(select(LearningRoute.id, LearningRoute.title)
                             .where(LearningRoute.archived_at.is_(None),
                                    or_(visibility_clause(current_user), LearningRoute.id.in_(linked_routes)))
                             .order_by(LearningRoute.title)).all()
    form.route_ids.choices = options((str(r.id), r.title) for r in routes)
    form.domain_codes.choices = options((d.code, d.name) for d in session.scalars(
        select(MboDomain).order_by(MboDomain.sort_order)))
    form.level_codes.choices = options((x.code, x.name) for x in session.scalars(
        select(MboLevel).order_by(MboLevel.sort_order)))


def _all_field_errors(form: PracticeForm) -> None:
    """When the form itself fails, also show the domain rules' messages, so the
    user sees every problem at once (e.g. a missing theme)."""
    for name, messages in practice_errors(form.data_for_service()).items():
        field = getattr(form, name, None)
        if field is not None and not field.errors:
            field.errors = list(messages)


def _form_from(practice: GoodPractice) -> PracticeForm:
    return PracticeForm(
        formdata=None, title=practice.title, summary=practice.summary, body=practice.body,
        themes=practice.theme_codes, tags=", ".join(practice.tag_names),
        organisation_ids=[str(o.id) for o in practice.organisations],
        region_ids=[str(r.id) for r in practice.regions], route_ids=[str(r.id) for r in practice.routes],
        domain_codes=[d.code for d in practice.domains], level_codes=[x.code for x in practice.levels],
        contact_name=practice.contact_name, contact_email=practice.contact_email,
        source=practice.source, version_id=practice.version_id,
    )


@bp.route("/nieuw", methods=["GET", "POST"])
def create():
    require(can_create_practice(current_user))
    if request.method == "GET":
        organisation_ids = [str(current_user.organisation_id)] if current_user.organisation_id else []
        form = PracticeForm(formdata=None, organisation_ids=organisation_ids,
                            contact_name=current_user.name, contact_email=current_user.email)
    else:
        form = PracticeForm()
    _fill_choices(form, None)
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: create_once(form, "practice", lambda: service.create_practice(
            db.session, form.data_for_service(), current_user)), form)
        if saved.ok:
            flash("Het voorbeeld is opgeslagen als concept. Dien het in als het klaar is.", "success")
            return redirect(url_for("practices.show", practice_id=saved.result.id))
        general = saved.general
    elif form.is_submitted():
        _all_field_errors(form)
    return render_template("practices/edit.html", form=form, practice=None, general=general)


@bp.route("/<int:practice_id>/bewerken", methods=["GET", "POST"])
def edit(practice_id: int):
    practice = load_practice(practice_id)
    require(can_edit_practice(current_user, practice))
    form = PracticeForm() if request.method == "POST" else _form_from(practice)
    _fill_choices(form, practice)
    general: list[str] = []
    conflict = None
    if form.validate_on_submit():
        saved = save(lambda: service.update_practice(
            db.session, practice, form.data_for_service(), current_user,
            expected_version=form.version_id.data or None), form)
        if saved.ok:
            flash("De wijzigingen zijn opgeslagen.", "success")
            return redirect(url_for("practices.show", practice_id=practice.id))
        general, conflict = saved.general, saved.conflict
    elif form.is_submitted():
        _all_field_errors(form)
    return render_template("practices/edit.html", form=form, practice=practice, general=general,
                           conflict=conflict)


def _transition(practice_id: int, allowed, action, message: str):
    practice = load_practice(practice_id)
    require(allowed(practice))
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    act(lambda: action(practice, form.version_id.data or None), message)
    return redirect(url_for("practices.show", practice_id=practice_id))


@bp.post("/<int:practice_id>/indienen")
def submit(practice_id: int):
    return _transition(
        practice_id, lambda p: can_submit_practice(current_user, p),
        lambda p, v: service.submit_practice(db.session, p, current_user, expected_version=v),
        "Het voorbeeld is ingediend. Een programmamedewerker bekijkt het.")


@bp.post("/<int:practice_id>/publiceren")
def publish(practice_id: int):
    return _transition(
        practice_id, lambda p: can_moderate_practices(current_user),
        lambda p, v: service.publish_practice(db.session, p, current_user, expected_version=v),
        "Het voorbeeld is gepubliceerd en voor iedereen te vinden.")


@bp.post("/<int:practice_id>/archiveren")
def archive(practice_id: int):
    return _transition(
        practice_id, lambda p: can_archive_practice(current_user, p),
        lambda p, v: service.archive_practice(db.session, p, current_user),
        "Het voorbeeld is gearchiveerd.")


@bp.post("/<int:practice_id>/herstellen")
def restore(practice_id: int):
    return _transition(
        practice_id, lambda p: can_restore_practice(current_user, p),
        lambda p, v: service.restore_practice(db.session, p, current_user),
        "Het voorbeeld is hersteld.")


@bp.post("/<int:practice_id>/terugsturen")
def send_back(practice_id: int):
    practice = load_practice(practice_id)
    require(can_moderate_practices(current_user))
    form = SendBackForm()
    if form.validate_on_submit():
        saved = save(lambda: service.send_back_practice(db.session, practice, form.reason.data, current_user,
                                                        expected_version=form.version_id.data or None), form)
        if not saved.ok:
            return render_show(practice, send_back_form=form, general=saved.general, status=200)
        flash("Het voorbeeld is teruggestuurd naar de auteur, met je reden.", "success")
        return redirect(url_for("practices.show", practice_id=practice_id))
    return render_show(practice, send_back_form=form, status=200)


@bp.post("/<int:practice_id>/bijlagen")
def add_attachment(practice_id: int):
    practice = load_practice(practice_id)
    require(can_edit_practice(current_user, practice))
    form = AttachmentForm()
    if form.validate_on_submit():
        saved = save(lambda: attachments.add_attachment(db.session, practice, form.file.data, form.title.data,
                                                        current_user), form)
        if not saved.ok:
            return render_show(practice, attachment_form=form, general=saved.general, status=200)
        flash("De bijlage is toegevoegd.", "success")
        return redirect(url_for("practices.show", practice_id=practice_id) + "#bijlagen")
    return render_show(practice, attachment_form=form, status=200)


@bp.post("/<int:practice_id>/bijlagen/<int:attachment_id>/verwijderen")
def remove_attachment(practice_id: int, attachment_id: int):
    practice = load_practice(practice_id)
    require(can_edit_practice(current_user, practice))
    attachment = load_attachment(PracticeAttachment, attachment_id, "practice_id", practice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: attachments.remove_attachment(db.session, attachment, current_user), "De bijlage is verwijderd.")
    return redirect(url_for("practices.show", practice_id=practice_id) + "#bijlagen")
