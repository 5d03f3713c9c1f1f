"""/beheer: user management for staff and admin."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.domain.vocab import ROLES
from portal.extensions import db
from portal.forms.auth import UserForm
from portal.forms.choices import term_options
from portal.models import Organisation, User
from portal.permissions import can_assign_role, staff_required
from portal.services.accounts import users as user_service
from portal.services.reference import organisation_search
from portal.web.transaction import act, save

bp = Blueprint("admin", __name__, url_prefix="/beheer")


def _organisation_choices() -> list[SelectChoice]:
    """Every organisation with its place, kind and code (the picker's no-JS fallback)."""
    return [SelectChoice("", "— geen —")] + [
        SelectChoice(str(i), label) for i, label in organisation_search.select_options(db.session)]


@bp.get("/")
@staff_required
def index():
    return redirect(url_for("admin.list_users"))


@bp.get("/gebruikers")
@staff_required
def list_users():
    users = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=users)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@staff_required
def create_user():
    form = UserForm()
    form.role.choices = term_options(r for r in ROLES if can_assign_role(current_user, r.code))
    form.organisation_id.choices = _organisation_choices()
    general: list[str] = []
    if form.validate_on_submit():
        organisation = None
        if form.organisation_id.data:
            try:
                organisation = db.session.get(Organisation, int(form.organisation_id.data))
            except ValueError:
                organisation = None
            if organisation is None:
                form.organisation_id.errors = ["Kies een bestaande organisatie."]
        if not form.organisation_id.errors:
            saved = save(lambda: user_service.create_user(
                db.session, email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data, organisation=organisation, actor=current_user,
            ), form)
            if saved.ok:
                flash(f"Account voor {saved.result.email} aangemaakt.", "success")
                return redirect(url_for("admin.list_users"))
            general = saved.general
    return render_template("admin/user_form.html", form=form, general=general)


@bp.route("/gebruikers/<int:user_id>/actief", methods=["GET", "POST"])
@staff_required
def toggle_user(user_id: int):
    """Activating is one click; deactivating (which ends every session of the
    account) is confirmed on its own page, naming the account: a POST without
    confirm=ja only shows that page."""
    user = db.session.get(User, user_id) or abort(404)
    if not can_assign_role(current_user, user.role):
        abort(403)
    if user.active and (request.method == "GET" or request.form.get("confirm") != "ja"):
        if request.method == "GET" and user.id == current_user.id:
            return redirect(url_for("admin.list_users"))
        return render_template("admin/deactivate.html", user=user)
    if request.method == "GET":
        return redirect(url_for("admin.list_users"))
    act(lambda: user_service.set_active(db.session, user, not user.active, current_user),
        lambda: f"Account {user.email} is {'geactiveerd' if user.active else 'gedeactiveerd'}.")
    return redirect(url_for("admin.list_users"))
