"""/kaart/rapportage: the year report, the comparison of two snapshots, and
the report pack (XLSX and a printable A4 page). Public, like the dashboard."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from portal.domain import monitoring as rules
from portal.domain.identifiers import school_year_error
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.routes.monitoring.blueprint import monitoring_bp as bp
from portal.services.monitoring import report as reports
from portal.services.monitoring.report_pack import report_xlsx
from portal.services.monitoring.snapshots import list_snapshots
from portal.services.reference.boundaries import current_region_year
from portal.web.templating import render_page_or_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_report(school_year: str) -> reports.Report:
    if school_year_error(school_year) or not school_year:
        abort(404)
    return reports.year_report(db.session, current_region_year(db.session), school_year)


def _comparison() -> reports.Report:
    """The two snapshots of ?van=&tot= (ids), or a 404."""
    ids = []
    for name in ("van", "tot"):
        raw = request.args.get(name, "")
        if not raw.isdecimal() or len(raw) > 9:
            abort(404)
        ids.append(int(raw))
    first, second = (reports.find_snapshot(db.session, i) for i in ids)
    if first is None or second is None:
        abort(404)
    return reports.snapshot_report(db.session, first, second)


def _region_link(school_year: str):
    return lambda code: url_for("regions.show", code=code, school_year=school_year)


def _context(report: reports.Report, **extra):
    return dict(report=report, progress=report.progress, latest=report.after, indicators=rules.INDICATORS,
                format_value=rules.format_value, region_link=_region_link(report.after.school_year), **extra)


@bp.get("/")
def index():
    snapshots = list_snapshots(db.session)
    years = sorted({s.school_year for s in snapshots} | {current_school_year()}, reverse=True)
    return render_template("monitoring/index.html", snapshots=snapshots, years=years)


@bp.get("/vergelijk")
def compare_snapshots():
    if not request.args:
        return redirect(url_for("monitoring.index"))  # nothing chosen yet: the choice is there
    report = _comparison()
    return render_page_or_fragment("monitoring/report.html", "monitoring/_report_body.html", **_context(
        report, comparison=True,
        xlsx_url=url_for("monitoring.export_comparison", van=request.args["van"], tot=request.args["tot"])))


@bp.get("/vergelijk/rapport.xlsx")
def export_comparison():
    if not request.args:
        return redirect(url_for("monitoring.index"))
    report = _comparison()
    return _download(report_xlsx(report), f"rapportage-vergelijking-{report.before.school_year if report.before else ''}"
                                          f"-{report.after.school_year}.xlsx")


@bp.get("/<school_year>")
def show_report(school_year: str):
    report = _year_report(school_year)
    return render_page_or_fragment("monitoring/report.html", "monitoring/_report_body.html", **_context(
        report, comparison=False, xlsx_url=url_for("monitoring.export_report", school_year=school_year),
        print_url=url_for("monitoring.print_report", school_year=school_year)))


@bp.get("/<school_year>/rapport.xlsx")
def export_report(school_year: str):
    return _download(report_xlsx(_year_report(school_year)), f"rapportage-{school_year}.xlsx")


@bp.get("/<school_year>/afdrukken")
def print_report(school_year: str):
    report = _year_report(school_year)
    return render_template("monitoring/print.html", **_context(
        report, comparison=False, print_version=True,
        back_url=url_for("monitoring.show_report", school_year=school_year)))


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
