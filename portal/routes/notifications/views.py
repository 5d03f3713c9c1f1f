"""/account/meldingen: the choices (per event e-mail or only the portal,
regions to follow, weekly digest), the user's notifications, and the signed
unsubscribe link of the mails (no login needed). Each view: load or 404 ->
permission -> validate -> service -> commit once -> render or redirect."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.core.unsubscribe import read_token
from portal.domain import notifications as rules
from portal.extensions import db
from portal.forms.choices import options
from portal.forms.notifications import ConfirmForm, PreferencesForm
from portal.models import User
from portal.routes.notifications.blueprint import bp
from portal.services.notifications import preferences
from portal.web.transaction import save


@bp.route("", methods=["GET", "POST"])
@login_required
def settings():
    pref = preferences.preferences(db.session, current_user)
    form = PreferencesForm(data={"email_events": list(pref.email_events), "regions": list(pref.regions),
                                 "weekly_digest": pref.weekly_digest, "version_id": pref.version_id})
    form.regions.choices = options(preferences.region_choices(db.session))
    general: list[str] = []
    conflict = None
    if form.validate_on_submit():
        version = form.version_id.data
        saved = save(lambda: preferences.save_preferences(
            db.session, current_user, email_events=form.email_events.data or [], regions=form.regions.data or [],
            weekly_digest=form.weekly_digest.data,
            expected_version=int(version) if str(version or "").isdigit() else None), form)
        if saved.ok:
            flash("Je keuzes voor meldingen zijn opgeslagen.", "success")
            return redirect(url_for("notifications.settings"))
        general, conflict = saved.general, saved.conflict
    return render_template("notifications/settings.html", form=form, general=general, conflict=conflict,
                           notifications=preferences.recent(db.session, current_user),
                           mail_on=bool(current_app.config.get("MAIL_SERVER")),
                           STATUS_NAMES=rules.STATUS_NAMES, EVENT_NAMES=rules.EVENTS)


def _token_user(token: str) -> tuple[User, str]:
    found = read_token(token)
    if found is None:
        abort(404)
    user = db.session.get(User, found[0])
    if user is None or not user.active or found[1] not in rules.ALL_EVENTS:
        abort(404)
    return user, found[1]


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows what the link does (a link checker or preview must not
    unsubscribe anybody); the button POSTs."""
    user, event = _token_user(token)
    form = ConfirmForm()
    what = ("alle e-mail van de portal (ook het weekoverzicht)" if event == rules.DIGEST
            else f"e-mail over: {rules.EVENTS[event].lower()}")
    if form.validate_on_submit():
        saved = save(lambda: preferences.unsubscribe(db.session, user, event))
        if saved.ok:
            return render_template("notifications/unsubscribed.html", what=what)
        flash("Afmelden is niet gelukt; probeer het opnieuw.", "error")
    return render_template("notifications/unsubscribe.html", form=form, what=what)
