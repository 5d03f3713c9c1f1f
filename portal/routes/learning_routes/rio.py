"""Registration of routes in DUO's register (RIO): the row editor on the
route page (a coordinator of the vmbo school, or staff) and the staff pages
under /beheer/rio (the active DLR/GLR not registered, with a CSV export, and
the comparison with an uploaded list from DUO)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.domain import imports as import_rules
from portal.domain import rio as rio_rules
from portal.domain.bounds import parse_id
from portal.domain.identifiers import school_year_error
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.forms.learning_routes import RioCompareForm, RioConfirmForm, RioRegistrationForm
from portal.permissions import can_edit_rio_registration, staff_required
from portal.routes.learning_routes.access import load_route
from portal.routes.learning_routes.blueprint import bp, rio_bp
from portal.services.imports import runs as import_runs
from portal.services.learning_routes import listing as route_list
from portal.services.learning_routes import rio as rio_service
from portal.services.learning_routes import rio_compare
from portal.services.learning_routes.export import to_csv
from portal.web.templating import is_htmx_fragment_request
from portal.web.transaction import act, save

bp.add_app_template_global(rio_rules.RIO_KINDS, "RIO_KINDS")


@bp.app_template_global("can_edit_rio")
def can_edit_rio(route, organisation_id: int) -> bool:
    return can_edit_rio_registration(current_user, route, organisation_id)


@bp.route("/<int:route_id>/duo-registratie/<int:school_id>", methods=["GET", "POST"])
@login_required
def edit_rio(route_id: int, school_id: int):
    """The row editor: htmx swaps the form into the route page's row and the
    saved row back; without JavaScript it is a page of its own."""
    route = load_route(route_id)
    party = rio_service.vmbo_party(route, school_id)
    if party is None:
        abort(404)
    if not can_edit_rio_registration(current_user, route, school_id):
        abort(403)
    form = RioRegistrationForm()
    if request.method == "GET":
        form.registered.data = "ja" if party.rio_registered else "nee"
        form.registered_on.data = party.rio_registered_on
        form.code.data = party.rio_code or ""
        return _render_editor(route, party, form)
    if form.validate_on_submit():
        saved = save(lambda: rio_service.set_registration(
            db.session, route, school_id, form.registered.data == "ja", form.registered_on.data,
            form.code.data or None, current_user), form)
        if saved.ok:
            if is_htmx_fragment_request():
                return render_template("learning_routes/_rio_row.html", route=route, party=saved.result,
                                       saved=True)
            flash("De registratie bij DUO is opgeslagen.", "success")
            return redirect(url_for("learning_routes.detail", route_id=route.id) + f"#rio-{school_id}")
        return _render_editor(route, party, form, saved.general)
    return _render_editor(route, party, form)


def _render_editor(route, party, form, general=()):
    """The form, with its errors after a refused save: answered 200 like every
    form of the portal (htmx swaps only 2xx answers into the row)."""
    template = "learning_routes/_rio_form.html" if is_htmx_fragment_request() else "learning_routes/rio_edit.html"
    response = Response(render_template(template, route=route, party=party, form=form, general=list(general)))
    response.headers.add("Vary", "HX-Request")
    return response


# --- /beheer/rio (staff) -------------------------------------------------------------

def _school_year() -> str:
    year = (request.args.get("schooljaar") or "").strip()
    return year if year and not school_year_error(year) else current_school_year()


def _download(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@rio_bp.get("/")
@staff_required
def index():
    school_year = _school_year()
    items = rio_service.unregistered(db.session, school_year)
    schools: dict[int, list] = {}
    for item in items:
        schools.setdefault(item.school.id, []).append(item)
    return render_template("rio/index.html", school_year=school_year, schools=list(schools.values()),
                           total=len(items), school_years=route_list.school_year_choices(),
                           count_date=rio_rules.count_date(school_year))


@rio_bp.get("/niet-geregistreerd.csv")
@staff_required
def export_unregistered():
    school_year = _school_year()
    rows = rio_service.unregistered_rows(rio_service.unregistered(db.session, school_year), school_year)
    return _download(to_csv(rows), f"niet-geregistreerd-bij-duo-{school_year}.csv")


@rio_bp.route("/vergelijken", methods=["GET", "POST"])
@staff_required
def compare():
    form = RioCompareForm()
    if request.method == "GET":
        return render_template("rio/compare.html", form=form, confirm=RioConfirmForm())
    if not form.validate_on_submit():
        return render_template("rio/compare.html", form=form, confirm=RioConfirmForm(),
                               file_errors=["Het formulier is verlopen; probeer het opnieuw."])
    upload = request.files.get("bestand")
    if upload is None or not upload.filename:
        return render_template("rio/compare.html", form=form, confirm=RioConfirmForm(),
                               file_errors=["Kies een CSV-bestand."])
    raw = upload.stream.read(rio_compare.MAX_BYTES + 1)
    try:
        rows = rio_compare.parse_registered_csv(raw)
    except rio_compare.RioFileError as exc:
        _record_rio_list(upload.filename, 0, [import_rules.error_from_message(p) for p in exc.problems])
        return render_template("rio/compare.html", form=form, confirm=RioConfirmForm(),
                               file_errors=exc.problems)
    _record_rio_list(upload.filename, len(rows), [])
    result = rio_compare.compare(db.session, rows)
    return render_template("rio/compare.html", form=form, confirm=RioConfirmForm(), result=result,
                           rows=len(rows))


def _record_rio_list(file_name: str, rows: int, errors: list[import_rules.RunError]) -> None:
    """The record of reading DUO's list (its own transaction; the comparison writes nothing)."""
    saved = save(lambda: import_runs.record_run(db.session, "rio_list", current_user, committed=not errors,
                                                rows_total=rows, rows_ok=rows, errors=errors, source=file_name or ""))
    if not saved.ok:
        flash("Het verslag van deze lijst is niet opgeslagen.", "error")


def _posted_matches() -> list[tuple[int, int, str]]:
    """The matches the confirmation form carries: route:school:schooljaar."""
    out = []
    for value in request.form.getlist("match")[:rio_compare.MAX_ROWS]:
        parts = value.split(":")
        if len(parts) != 3:
            abort(400)
        route_id, school_id, year = parse_id(parts[0]), parse_id(parts[1]), parts[2]
        if route_id is None or school_id is None or school_year_error(year) or not year:
            abort(400)
        out.append((route_id, school_id, year))
    return out


@rio_bp.post("/vergelijken/bevestigen")
@staff_required
def confirm_matches():
    """Mark the matches of a comparison as registered at DUO, as of today; the
    comparison page asked for this confirmation."""
    form = RioConfirmForm()
    if not form.validate_on_submit():
        flash("Het formulier is verlopen; vergelijk het bestand opnieuw.", "error")
        return redirect(url_for("rio.compare"))
    matches = _posted_matches()
    if not matches:
        flash("Er waren geen overeenkomsten om te markeren.", "error")
        return redirect(url_for("rio.compare"))
    changed: list[int] = []

    def write():
        changed.append(rio_service.mark_registered(db.session, matches, current_user, date.today()))

    act(write, lambda: f"{changed[0]} registratie(s) gemarkeerd als geregistreerd bij DUO.")
    return redirect(url_for("rio.index"))
