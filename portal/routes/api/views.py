"""The open API, read-only: regions with coverage figures as GeoJSON, the
routes as paginated JSON, and the OpenAPI 3 document describing both.

Filters mean exactly what they mean in the UI (RouteFilters) and the same
visibility applies (an anonymous caller sees the public routes). The API is
stricter than the UI about input: an unknown code is a 400, not ignored,
so what the OpenAPI document says is exactly what is accepted."""
from __future__ import annotations

import json
import math
import re

from flask import Response, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.core.geometry import compact_geometry_text
from portal.domain import route_state
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.models import LearningRoute, Region, RouteParty
from portal.routes.api.blueprint import bp
from portal.routes.api.openapi import (
    FILTER_PARAMS,
    MAX_PER_PAGE,
    MAX_VALUES,
    openapi_document,
    school_year_values,
    server_url,
)
from portal.services.coverage import figures as coverage
from portal.services.learning_routes.filters import RouteFilters, filtered_routes, route_region_pairs
from portal.services.reference.boundaries import current_region_year


class InvalidParameter(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid parameters")
        self.errors = errors


def unknown_or_repeated(args, known) -> dict[str, str]:
    """The errors of a query string whose parameters are each named in `known`
    and given at most once."""
    errors: dict[str, str] = {}
    for name in args:
        if name not in known:
            errors[name] = "Onbekende parameter."
        elif len(args.getlist(name)) > 1:
            errors[name] = "Geef deze parameter hoogstens één keer op."
    return errors


@bp.errorhandler(InvalidParameter)
def _invalid(exc: InvalidParameter):
    response = jsonify({"error": "Ongeldig verzoek", "status": 400, "errors": exc.errors})
    response.status_code = 400
    return response


def _parse(args, *, paginated: bool) -> tuple[RouteFilters, int, int]:
    """Validate the query string against the documented parameters."""
    errors: dict[str, str] = {}
    allowed = dict(FILTER_PARAMS)
    if paginated:
        allowed.update({"page": None, "per_page": None})
    for name in args:
        if name not in allowed:
            errors[name] = "Onbekende parameter."
    for name, valid in FILTER_PARAMS.items():
        values = args.getlist(name)
        if name in ("school_year", "q") and len(values) > 1:
            errors[name] = "Geef deze parameter hoogstens één keer op."
            continue
        if len(values) > MAX_VALUES:
            errors[name] = f"Hoogstens {MAX_VALUES} waarden."
            continue
        for value in values:
            if name == "q":
                if len(value) > 200 or "\x00" in value:
                    errors[name] = "Hoogstens 200 tekens, zonder NUL-teken."
            elif name == "school_year":
                if value not in school_year_values():
                    errors[name] = "Schrijf het schooljaar als 2025-2026."
            elif not valid(value):
                errors[name] = f"Onbekende waarde '{value[:40]}'."
    page = _integer(args, "page", 1, 1, 100000, errors) if paginated else 1
    per_page = _integer(args, "per_page", 25, 1, MAX_PER_PAGE, errors) if paginated else 0
    if errors:
        raise InvalidParameter(errors)
    return RouteFilters.from_args(args), page, per_page


def _integer(args, name, default, low, high, errors) -> int:
    values = args.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        errors[name] = "Geef deze parameter hoogstens één keer op."
        return default
    value = values[0]
    if not re.fullmatch(r"[0-9]{1,6}", value) or not (low <= int(value) <= high):
        errors[name] = f"Een geheel getal van {low} tot en met {high}."
        return default
    return int(value)


@bp.get("/regions.geojson")
def regions_geojson():
    filters, _page, _per_page = _parse(request.args, paginated=False)
    selection = coverage.selection_filters(filters)
    year = current_region_year(db.session)
    figures = {f.code: f for f in coverage.region_figures(db.session, selection, current_user, year)}
    features = []
    for code, name, geometry in coverage.region_geometries(db.session, year):
        f = figures.get(code)
        features.append({
            "type": "Feature",
            "id": code,
            "properties": {
                "code": code, "name": name, "school_year": selection.school_year,
                "active_routes": f.routes if f else 0,
                "routes_by_kind": {k: f.kind_count(k) if f else 0 for k in ("dlr", "glr", "leerlab", "overig")},
                "niveaus_covered": f.niveaus_covered if f else 0,
                "levels": sorted(f.levels) if f else [],
                "profile_share": f.profile_share if f else None,
                "routes_per_1000_pupils": f.routes_per_1000_pupils if f else None,
                "vmbo_schools": f.vmbo_schools if f else 0,
                "vmbo_schools_with_route": f.vmbo_schools_with_route if f else 0,
                "mbo_institutions": f.mbo_institutions if f else 0,
                "pupils_in_routes": f.pupils_in_routes if f else 0,
            },
            "geometry": compact_geometry_text(geometry, 4) if geometry else None,
        })
    body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"),
                      ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")


@bp.get("/routes")
def routes():
    filters, page, per_page = _parse(request.args, paginated=True)
    year = current_region_year(db.session)
    base = filtered_routes(filters, current_user, year)
    total = db.session.scalar(base.with_only_columns(func.count(LearningRoute.id)).order_by(None))
    rows = list(db.session.scalars(
        base.options(selectinload(LearningRoute.parties).selectinload(RouteParty.organisation),
                     selectinload(LearningRoute.profiles), selectinload(LearningRoute.pathways))
        .order_by(LearningRoute.title, LearningRoute.id)
        .limit(per_page).offset((page - 1) * per_page)))
    regions: dict[int, list[str]] = {}
    if rows:
        pairs = route_region_pairs(year)
        for route_id, code in db.session.execute(
            select(pairs.c.route_id, Region.code).join(Region, Region.id == pairs.c.region_id)
            .where(pairs.c.route_id.in_([r.id for r in rows])).order_by(Region.code)
        ):
            regions.setdefault(route_id, []).append(code)
    pages = max(1, math.ceil(total / per_page))
    return jsonify({
        "page": page, "per_page": per_page, "total": total, "pages": pages,
        "items": [_public_route(r, regions.get(r.id, [])) for r in rows],
    })


def _duo_registration(party) -> dict | None:
    """A vmbo party's registration of the route at DUO (RIO); null for the other parties."""
    if party.role != "vmbo":
        return None
    return {"registered": party.rio_registered,
            "registered_on": party.rio_registered_on.isoformat() if party.rio_registered_on else None,
            "rio_code": party.rio_code}


def _public_route(route: LearningRoute, region_codes: list[str]) -> dict:
    """The public fields: no contact details, no internal notes."""
    return {
        "id": route.id,
        "title": route.title,
        "kind": route.kind_code,
        "status": route.status,
        "state": route_state.route_state(route.status, route.first_school_year, route.last_school_year,
                                         current_school_year()),
        "mbo_level": route.mbo_level_code,
        "mbo_domain": route.mbo_domain_code,
        "crebo": route.crebo,
        "qualification_name": route.qualification_name,
        "teaching_location": route.teaching_location,
        "first_school_year": route.first_school_year,
        "last_school_year": route.last_school_year,
        "pupils_per_cohort": route.pupils_per_cohort,
        "description": route.description,
        "profiles": [p.code for p in route.profiles],
        "pathways": [p.code for p in route.pathways],
        "regions": region_codes,
        "organisations": [
            {"name": p.organisation.name, "role": p.role, "vestigingscode": p.organisation.vestigingscode,
             "duo_registration": _duo_registration(p)}
            for p in route.parties
        ],
        "url": url_for("learning_routes.detail", route_id=route.id),
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(server_url(current_app.config.get("PORTAL_BASE_URL"), bp.url_prefix)))
