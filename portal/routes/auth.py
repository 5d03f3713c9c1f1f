"""Login, logout and password change."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from portal.extensions import db
from portal.forms.auth import ChangePasswordForm, LoginForm
from portal.services.accounts import throttle
from portal.services.accounts import users as user_service
from portal.web.transaction import save

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Het e-mailadres of het wachtwoord klopt niet."
# The same for every account and address: it does not reveal whether an account exists.
LOGIN_THROTTLED = "Te veel mislukte inlogpogingen. Wacht {wait} en probeer het dan opnieuw."


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


def _safe_next(target: str | None) -> str | None:
    """Only relative paths on this site: no open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        keys = throttle.login_keys(form.email.data, request.remote_addr)
        wait = throttle.retry_after(db.session, keys)
        if wait:
            error = LOGIN_THROTTLED.format(wait=_minutes(wait))
            response = make_response(render_template("auth/login.html", form=form, error=error), 429)
            response.headers["Retry-After"] = str(wait)
            return response

        def attempt():
            user = user_service.authenticate(db.session, form.email.data, form.password.data)
            if user is None:
                throttle.record_failure(db.session, keys)
            else:
                throttle.clear_account(db.session, form.email.data)
            return user

        user = save(attempt).result
        if user is None:
            error = LOGIN_FAILED
            status = 200
        else:
            # Rotate the session: nothing from before the login survives.
            session.clear()
            login_user(user)
            session["login_at"] = session["last_seen"] = time.time()
            flash(f"Welkom, {user.name}. Je bent ingelogd.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    elif request.method == "POST":
        status = 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    save(lambda: user_service.rotate_session_token(db.session, current_user._get_current_object()))
    logout_user()
    session.clear()
    flash("Je bent uitgelogd.", "success")
    return redirect(url_for("main.home"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    general: list[str] = []
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # Guessing the current password counts as a failed login.
        keys = throttle.login_keys(user.email, request.remote_addr)
        wait = throttle.retry_after(db.session, keys)
        if wait:
            general = [LOGIN_THROTTLED.format(wait=_minutes(wait))]
            response = make_response(render_template(
                "auth/change_password.html", form=form, general=general), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        saved = save(lambda: user_service.change_password(
            db.session, user, form.current_password.data, form.new_password.data), form)
        if not saved.ok:
            if "current_password" in saved.error.errors:
                save(lambda: throttle.record_failure(db.session, keys))
            general = saved.general
        else:
            # Other sessions hold the old token and end; this one continues.
            session.clear()
            login_user(user)
            session["login_at"] = session["last_seen"] = time.time()
            flash("Je wachtwoord is gewijzigd. Andere sessies zijn uitgelogd.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form, general=general)
