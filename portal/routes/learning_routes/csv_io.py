"""/leerroutes export (CSV, XLSX) and CSV import, on the learning_routes blueprint.
The exports use exactly the list's filters and visibility; the import goes
through the same service as the form."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_login import current_user, login_required

from portal.domain import imports as import_rules
from portal.extensions import db
from portal.forms.learning_routes import ImportForm
from portal.models.base import utcnow
from portal.permissions import can_create_route, can_see_contact_details
from portal.routes.learning_routes.blueprint import bp
from portal.routes.learning_routes.list_state import list_state
from portal.services.imports import runs as import_runs
from portal.services.learning_routes import columns
from portal.services.learning_routes import csv_import as route_import
from portal.services.learning_routes import export as route_export
from portal.services.learning_routes import listing as route_list
from portal.services.reference.boundaries import current_region_year
from portal.web.transaction import end, save

# Files with more rows than this show a progress bar while they import.
STREAM_THRESHOLD = 200
STREAM_MARK = "<!--IMPORT-PROGRESS-->"


def _export_rows():
    filters, sort, _, archived = list_state()
    year = current_region_year(db.session)
    routes = route_list.all_routes(db.session, filters, current_user, year, sort=sort, include_archived=archived)
    regions = route_list.regions_for_routes(db.session, [r.id for r in routes], year)
    return route_export.export_rows(routes, regions, can_see_contact_details(current_user))


def _download(content: bytes, mimetype: str, name: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.csv")
def export_csv():
    name = f"leerroutes-{date.today().isoformat()}.csv"
    return _download(route_export.to_csv(_export_rows()), "text/csv; charset=utf-8", name)


@bp.get("/export.xlsx")
def export_xlsx():
    name = f"leerroutes-{date.today().isoformat()}.xlsx"
    return _download(route_export.to_xlsx(_export_rows()),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name)


@bp.get("/importeren/sjabloon.csv")
@login_required
def import_template():
    if not can_create_route(current_user):
        abort(403)
    return _download(route_import.template_csv(), "text/csv; charset=utf-8", "leerroutes-sjabloon.csv")


def _record_run(actor, source: str, started_at, *, committed: bool, total: int = 0, created: int = 0,
                errors: list[import_rules.RunError]) -> None:
    """The run's record, in a transaction of its own after the import's ended:
    a refused import (rolled back, nothing stored) still leaves its report for
    staff. A failure to write it is logged, never shown instead of the report."""
    saved = None
    try:
        saved = save(lambda: import_runs.record_run(
            db.session, "routes_csv", actor, committed=committed, rows_total=total, rows_ok=created, errors=errors,
            scope=import_rules.scope_for_user(getattr(actor, "id", None)), channel="web", source=source,
            started_at=started_at))
    except Exception:  # noqa: BLE001  the import's own outcome stands; its record is bookkeeping
        current_app.logger.exception("could not record the CSV import run")
    if saved is not None and not saved.ok:
        current_app.logger.error("could not record the CSV import run: %s", saved.error)


def _result_errors(result: route_import.ImportResult) -> list[import_rules.RunError]:
    return [import_rules.RunError(m.row, m.column, m.message) for m in result.errors]


def _finish(result: route_import.ImportResult, actor, source: str, started_at) -> None:
    try:
        end(commit=result.should_commit)
    except BaseException:
        _record_run(actor, source, started_at, committed=False, total=result.total,
                    errors=[*_result_errors(result), import_rules.RunError(
                        None, "", "De import kon niet worden opgeslagen (fout bij het vastleggen); niets opgeslagen.")])
        raise
    _record_run(actor, source, started_at, committed=result.should_commit, total=result.total,
                created=result.created, errors=_result_errors(result))


@bp.route("/importeren", methods=["GET", "POST"])
@login_required
def import_csv():
    if not can_create_route(current_user):
        abort(403)
    form = ImportForm()
    context = {"form": form, "columns": columns.IMPORT_COLUMNS, "required": columns.REQUIRED_COLUMNS}
    if request.method == "GET":
        return render_template("learning_routes/import.html", **context)
    if not form.validate_on_submit():
        return render_template("learning_routes/import.html", file_error="Het formulier is verlopen; "
                               "probeer het opnieuw.", **context)
    upload = request.files.get("bestand")
    raw = upload.read() if upload else b""
    source = (upload.filename or "") if upload else ""
    started_at = utcnow()
    actor = current_user._get_current_object()
    try:
        rows = route_import.parse_csv(raw)
    except route_import.ImportFileError as exc:
        end(commit=False)
        _record_run(actor, source, started_at, committed=False, errors=[import_rules.error_from_message(str(exc))])
        return render_template("learning_routes/import.html", file_error=str(exc), **context)
    mode = form.mode.data if form.mode.data in ("all", "valid") else "all"
    include_duplicates = bool(form.include_duplicates.data)
    if len(rows) <= STREAM_THRESHOLD:
        try:
            result = route_import.import_routes(db.session, rows, current_user, mode=mode,
                                                include_duplicates=include_duplicates)
        except Exception:
            end(commit=False)
            _record_run(actor, source, started_at, committed=False, total=len(rows), errors=[
                import_rules.RunError(None, "", "De import is afgebroken door een onverwachte fout; niets opgeslagen.")])
            raise
        _finish(result, actor, source, started_at)
        return render_template("learning_routes/import.html", result=result, **context)
    return _streamed_import(rows, mode, context, include_duplicates, source=source, started_at=started_at)


def _streamed_import(rows, mode: str, context: dict, include_duplicates: bool = False, *, source: str = "",
                     started_at=None) -> Response:
    """A large file: the page streams a progress bar per chunk, then the report
    (works without JavaScript: the browser renders the page as it arrives)."""
    page = render_template("learning_routes/import.html", streaming=True, total=len(rows), **context)
    head, tail = page.split(STREAM_MARK, 1)
    actor = current_user._get_current_object()

    @stream_with_context
    def generate():
        yield head
        gen = route_import.iter_import(db.session, rows, actor, mode=mode, include_duplicates=include_duplicates)
        result = None
        try:
            while result is None:
                try:
                    done, total = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                yield render_template("learning_routes/_import_progress.html", done=done, total=total)
            _finish(result, actor, source, started_at)
        except Exception:  # noqa: BLE001  the headers are sent: report in the page
            # Logged here, not raised: raising now would break the connection
            # after the page has said that nothing was saved.
            current_app.logger.exception("streamed CSV import failed; nothing was saved")
            end(commit=False)
            if result is None:  # (a failed commit was recorded by _finish)
                _record_run(actor, source, started_at, committed=False, total=len(rows), errors=[
                    import_rules.RunError(None, "", "De import is halverwege afgebroken door een onverwachte fout; "
                                          "niets opgeslagen.")])
            yield render_template("learning_routes/_import_report.html", result=None, failed=True, streaming=True)
            yield tail
            return
        yield render_template("learning_routes/_import_report.html", result=result, failed=False, streaming=True)
        yield tail

    response = Response(generate(), mimetype="text/html")
    response.headers["X-Accel-Buffering"] = "no"  # let proxies pass the progress through
    return response
