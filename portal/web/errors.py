"""Dutch error pages, and 503 with Retry-After when the database is unreachable."""
from __future__ import annotations

import contextlib

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt. Ververs de pagina en probeer het opnieuw."),
    403: ("Geen toegang", "Je hebt geen toestemming om deze pagina te bekijken of deze actie uit te voeren."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres of ga terug naar de startpagina."),
    405: ("Niet toegestaan", "Deze actie is op deze pagina niet toegestaan."),
    413: ("Bestand te groot", "Het bestand is te groot. Een bijlage mag hoogstens 10 MB zijn."),
    415: ("Verkeerd soort gegevens", "Dit formulier neemt alleen formuliergegevens aan, geen JSON."),
    429: ("Te veel pogingen", "Je hebt het te vaak geprobeerd. Wacht even en probeer het dan opnieuw."),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar", "De database is tijdelijk niet bereikbaar. Probeer het over enkele seconden opnieuw."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if detail:
        message = detail
    if wants_json():
        response = jsonify({"error": title, "message": message, "status": code})
    else:
        try:
            response = render_template("errors/error.html", code=code, title=title, message=message)
        except Exception:  # noqa: BLE001  the layout itself failed: plain Dutch text
            response = f"<!doctype html><html lang=nl><title>{title}</title><h1>{title}</h1><p>{message}</p>"
    return response, code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        code = exc.code or 500
        detail = None
        if code == 400 and getattr(exc, "description", "").startswith("The CSRF"):
            detail = "Het formulier is verlopen of ongeldig (CSRF). Ververs de pagina en probeer het opnieuw."
        body, status = render_error(code, detail)
        response = app.make_response((body, status))
        if code == 429 and getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        if code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # RFC 9110
        return response

    @app.teardown_appcontext
    def close_session_after_the_database_went_away(_exc):
        """Runs before Flask-SQLAlchemy's own teardown. If PostgreSQL went away
        after the view finished (a restart), rolling back the session at the
        end of the request fails; the answer is already made, so send it
        instead of a bare 500 from gunicorn. The dead connection is dropped
        from the pool (SQLAlchemy invalidates it)."""
        try:
            db.session.remove()
        except (OperationalError, InterfaceError):
            app.logger.warning("database went away before the session was closed")
            try:
                db.session.remove()
            except (OperationalError, InterfaceError):
                db.session.registry.clear()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_db_down(exc):
        app.logger.warning("database unavailable: %s", exc.__class__.__name__)
        with contextlib.suppress(Exception):  # the connection is gone anyway
            db.session.rollback()
        body, status = render_error(503)
        response = app.make_response((body, status))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        app.logger.exception("unhandled error")
        with contextlib.suppress(Exception):
            db.session.rollback()
        body, status = render_error(500)
        return app.make_response((body, status))
