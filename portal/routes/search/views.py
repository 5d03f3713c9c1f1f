"""/zoeken: the options of a picker (static/js/combobox.js asks for them as
you type). Each answer is the listbox's options plus the sentence its live
region announces. Organisations are public reference data (name, kind,
place, codes; never an e-mail); routes are only those the user may choose."""
from __future__ import annotations

import re

from flask import abort, render_template, request
from flask_login import current_user

from portal.domain.pickers import PICKER_KINDS, count_message, organisation_option
from portal.domain.text import check_text
from portal.extensions import db
from portal.routes.search.blueprint import bp
from portal.services.reference import organisation_search
from portal.services.search import routes as route_search

FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")


def _field_and_query() -> tuple[str, str, str | None]:
    """The picker's field id (names the option ids), the query, and the Dutch
    reason the query cannot be searched (a control character), or None."""
    field = request.args.get("field", "keuze")
    if not FIELD_ID.fullmatch(field):
        abort(400, description="Onbekend zoekveld.")
    q = request.args.get("q", "")
    return field, q, check_text(q, name=True)


def _answer(field: str, q: str, options, more: bool, refused: str | None):
    message = refused or (count_message(len(options), more) if q.strip() else "")
    return render_template("search/_options.html", field=field, options=options, message=message)


@bp.get("/organisaties")
def organisations():
    kind = request.args.get("kind", "")
    if kind not in PICKER_KINDS:
        abort(400, description="Onbekende soort organisatie.")
    field, q, refused = _field_and_query()
    found = organisation_search.search_organisations(db.session, "" if refused else q, kind)
    return _answer(field, q, found.options, found.more, refused)


@bp.get("/leerroutes")
def routes():
    scope = request.args.get("voor", "voorbeeld")
    if scope not in route_search.SCOPES:
        abort(400, description="Onbekende keuzelijst.")
    field, q, refused = _field_and_query()
    options, more = route_search.search_routes(db.session, "" if refused else q, current_user, scope)
    return _answer(field, q, options, more, refused)


@bp.app_template_global("picker_label")
def picker_label(organisation) -> str:
    """An organisation as a picker shows it: the name, then place, kind and code."""
    option = organisation_search.option_of(organisation)
    return organisation_option(option.name, option.details)
