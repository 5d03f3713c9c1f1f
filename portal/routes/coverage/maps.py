"""The digital map (/kaart), the national dashboard and their exports."""
from __future__ import annotations

import json

from flask import Response, abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.core.aggregates import kept
from portal.domain import coverage as rules
from portal.domain import monitoring as monitoring_rules
from portal.domain import vocab
from portal.domain.school_year import current_school_year, school_years_between, shift_school_year
from portal.extensions import db
from portal.models import Region
from portal.permissions import is_staff
from portal.routes.coverage import map_render
from portal.routes.coverage.blueprint import maps_bp as bp
from portal.routes.coverage.links import region_url, route_list_url, route_url_builder, route_url_pattern
from portal.services.coverage import (
    export as coverage_export,
)
from portal.services.coverage import (
    figures as coverage,
)
from portal.services.coverage import (
    map_data,
)
from portal.services.coverage import (
    trend as coverage_trend,
)
from portal.services.learning_routes.filters import RouteFilters, audience
from portal.services.monitoring import progress as monitoring_progress
from portal.services.reference.boundaries import current_region_year
from portal.web.security import csp_nonce, relax_inline_styles
from portal.web.templating import render_page_or_fragment

bp.add_app_template_global(map_render.HATCH_COLOURS, "MAP_HATCH")

ROUTE_LIST_LIMIT = 50
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _state():
    """Filters from the URL, the selection they make and the region year."""
    filters = RouteFilters.from_args(request.args)
    selection = coverage.selection_filters(filters)
    return filters, selection, current_region_year(db.session)


def school_year_options(selected: str | None) -> list[str]:
    current = current_school_year()
    first = coverage_trend.first_school_year(db.session) or current
    last = max(shift_school_year(current, 1), selected or current)
    return list(reversed(school_years_between(min(first, current), last)))


def status_options(user) -> list[tuple[str, str]]:
    options = [("actief", "Actief"), ("voorbereiding", "In voorbereiding"), ("beeindigd", "Beëindigd")]
    if getattr(user, "is_authenticated", False) and user.role != "reader":
        options.append(("concept", "Concept (alleen zichtbaar voor wie het mag zien)"))
    return options


@bp.get("/")
def index():
    relax_inline_styles()
    filters, selection, year = _state()
    measure = rules.measure_for(request.args.get("maat"))
    user = current_user
    data = map_data.map_data(db.session, selection, user, year, ROUTE_LIST_LIMIT)
    figures, totals, pins = data.figures, data.totals, data.pins
    # The map (its JSON blocks serialised) and the schools' table: as many as there are pins, so built once
    # per aggregates version and selection, and shared; only the CSP nonce differs per response.
    key = ("map_page", selection.key(), audience(user), measure.code, year)
    parts = map_render.with_nonce(kept(db.session, key, lambda: _map_parts(selection, measure, year, data)),
                                  csp_nonce())
    region_options = [(code, f"{name} ({code})") for code, name in db.session.execute(
        select(Region.code, Region.name).where(Region.year == (year or 0)).order_by(Region.name))]
    list_args = selection.to_args()
    return render_page_or_fragment(
        "maps/index.html", "maps/_results.html", region_year=year,
        filters=filters, selection=selection, measure=measure, measures=rules.MEASURES,
        legend=rules.legend(measure), figures=figures, totals=totals, pins=pins,
        schools_url=url_for("maps.list_schools_with_route", **selection.to_args()),
        without_count=data.without_count, parts=parts, routes=data.routes, region_options=region_options,
        school_year_options=[(y, y) for y in school_year_options(selection.school_year)],
        measure_options=[(m.code, m.label) for m in rules.MEASURES.values()],
        status_options=status_options(user),
        route_list_url=route_list_url(**list_args), route_url=route_url_builder(),
        export_args={**filters.to_args(), "school_year": selection.school_year},
        active_selection=coverage.is_active_selection(selection),
        format_value=map_render.format_value,
    )


def _map_parts(selection, measure, year, data) -> map_render.MapParts:
    parts = map_render.build_map(
        # Reference data: kept across a write that changed only routes (patched as itself).
        geometries=kept(db.session, ("region_geometries", year), lambda: coverage.region_geometries(db.session, year),
                        patch=lambda old, _changed: old),
        figures={f.code: f for f in data.figures}, measure=measure,
        pins_url=url_for("maps.list_school_pins", **selection.to_args()),
        gaps_url=url_for("maps.list_schools_without_route", **selection.to_args()),
        region_url=lambda code: region_url(code, selection.school_year),
        tile_url=current_app.config.get("MAP_TILE_URL"),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        focus=selection.region,
    )
    return map_render.serialised(parts)


@bp.get("/scholen")
def list_schools_with_route():
    """The schools of the map's pins as a table (the same filters as the map):
    the pins' text alternative. /kaart links to it and loads it into the page
    when its table is opened, so that the map page does not grow with the
    schools (nor has to be built again with them after every save)."""
    filters, selection, year = _state()
    user = current_user
    data = map_data.map_data(db.session, selection, user, year, ROUTE_LIST_LIMIT)
    rows = kept(db.session, ("map_school_rows", selection.key(), audience(user), year),
                lambda: map_render.school_table_rows(data.pins))
    return render_page_or_fragment(
        "maps/schools.html", "maps/_schools_table.html", filters=filters, selection=selection,
        school_count=len(data.pins), school_rows=rows, map_url=url_for("maps.index", **selection.to_args()),
        active_selection=coverage.is_active_selection(selection))


@bp.get("/pinnen.json")
def list_school_pins():
    """The map's pins: the vmbo schools with a route in the selection (the same
    filters as the map) and their routes, as map_render.pin_data's compact
    arrays, fetched by maps.js. Not in the page, so that the page's size does
    not grow with the routes; public pages' ETag/304 and page cache apply, and
    the body is kept per aggregates version, selection and audience."""
    _filters, selection, year = _state()
    user = current_user

    def body() -> str:
        data = map_data.map_data(db.session, selection, user, year, ROUTE_LIST_LIMIT)
        pins = map_render.pin_data(data.pins, route_url_pattern())
        return json.dumps(pins, separators=(",", ":"), ensure_ascii=False)

    key = ("map_pins", selection.key(), audience(user), year)
    return Response(kept(db.session, key, body), mimetype="application/json")


@bp.get("/scholen-zonder-leerroute.json")
def list_schools_without_route():
    """The map's layer of vmbo schools without a route in the selection (the
    same filters as the map), fetched by maps.js when the layer is switched
    on: [[lat, lon, label], ...]. Public pages' ETag/304 and page cache apply."""
    _filters, selection, year = _state()
    rows = map_render.gap_rows(coverage.schools_without_route(db.session, selection, current_user, year))
    return Response(json.dumps(rows, separators=(",", ":"), ensure_ascii=False), mimetype="application/json")


@bp.get("/regio-export.<fmt>")
def export_regions(fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    _filters, selection, year = _state()
    figures = coverage.region_figures(db.session, selection, current_user, year)
    rows = coverage_export.region_rows(figures)
    if fmt == "csv":
        body = coverage_export.to_csv(coverage_export.REGION_COLUMNS, rows)
    else:
        body = coverage_export.to_xlsx([("Regio's", coverage_export.REGION_COLUMNS, rows)])
    return _download(body, fmt, coverage_export.export_name("dekking-regios", selection.school_year, fmt))


def _dashboard_data(school_year: str | None):
    selection = coverage.selection_filters(school_year=school_year)
    year = current_region_year(db.session)
    figures = coverage.region_figures(db.session, selection, None, year)
    years = coverage_trend.trend(db.session, year, until=selection.school_year)
    return selection, year, figures, years


def _school_year_arg() -> str | None:
    return RouteFilters.from_args(request.args).school_year


def _monitoring(selection, region_year):
    """The targets against the indicators, per school year up to the selected one."""
    first = coverage_trend.first_school_year(db.session) or selection.school_year
    school_years = school_years_between(min(first, selection.school_year), selection.school_year)
    progress, indicator_years = monitoring_progress.dashboard_progress(db.session, region_year, school_years)
    return progress, indicator_years


@bp.get("/dashboard")
def dashboard():
    selection, region_year, figures, years = _dashboard_data(_school_year_arg())
    current = next((y for y in years if y.school_year == selection.school_year), None)
    progress, indicator_years = _monitoring(selection, region_year)
    return render_page_or_fragment(
        "maps/dashboard.html", "maps/_dashboard_regions.html",
        selection=selection, figures=figures, years=years, current=current,
        region_count=len(figures), staff=is_staff(current_user),
        school_years=school_year_options(selection.school_year),
        route_list_url=route_list_url, main_kinds=rules.MAIN_KINDS,
        kind_names=vocab.names(vocab.ROUTE_KINDS),
        trend_points=[(y.school_year, y.routes) for y in years],
        progress=progress, indicator_years=indicator_years,
        latest=indicator_years[-1] if indicator_years else None, indicators=monitoring_rules.INDICATORS,
        format_value=monitoring_rules.format_value,
        region_link=lambda code: region_url(code, selection.school_year),
    )


@bp.get("/dashboard-export.<fmt>")
def export_dashboard(fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    selection, _year, figures, years = _dashboard_data(_school_year_arg())
    goals = coverage_export.goal_rows(years, len(figures))
    if fmt == "csv":
        body = coverage_export.to_csv(coverage_export.GOAL_COLUMNS, goals)
    else:
        body = coverage_export.to_xlsx([
            ("Doelen per schooljaar", coverage_export.GOAL_COLUMNS, goals),
            (f"Regio's {selection.school_year}", coverage_export.REGION_COLUMNS,
             coverage_export.region_rows(figures)),
        ])
    return _download(body, fmt, coverage_export.export_name("dashboard", selection.school_year, fmt))


def _download(body: bytes, fmt: str, filename: str) -> Response:
    response = Response(body, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
