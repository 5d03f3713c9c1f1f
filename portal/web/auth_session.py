"""Login sessions: Flask-Login wired to the per-user session token, with
idle and absolute timeouts, and the age of the last authentication (the login
or a re-entered password) for actions that ask the password again."""
from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select

from portal.extensions import db, login_manager
from portal.models import User

# Signing on behalf of a bevoegd gezag asks the password again when the last
# authentication (login or re-authentication) is older than this.
REAUTH_AFTER_SECONDS = 15 * 60


def needs_reauthentication(now: float | None = None) -> bool:
    """True when the last login or re-entered password is older than 15 minutes."""
    last = session.get("auth_at", session.get("login_at"))
    return last is None or (time.time() if now is None else now) - float(last) > REAUTH_AFTER_SECONDS


def mark_reauthenticated() -> None:
    """The password was entered again just now (the login time, which the
    absolute timeout counts from, stays as it is)."""
    session["auth_at"] = time.time()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te bekijken."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        if not token:
            return None
        user = db.session.scalar(select(User).where(User.session_token == token))
        if user is None or not user.active:
            return None
        return user

    @app.before_request
    def start_with_a_clean_user():
        # A request may run inside an app context that is already pushed (the
        # test suite, CLI tasks); never let a user cached in g carry over.
        g.pop("_login_user", None)
        g.pop("csp_nonce", None)
        g.pop("csrf_token", None)

    @app.before_request
    def enforce_session_timeouts():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = time.time()
        started = session.get("login_at", now)
        last_seen = session.get("last_seen", now)
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        if now - last_seen > idle or now - started > absolute:
            logout_user()
            session.clear()
            flash("Je sessie is verlopen. Log opnieuw in.", "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        session["last_seen"] = now
        return None
