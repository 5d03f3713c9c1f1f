"""/api/v1/coverage/profiles (JSON) and /api/v1/coverage/profiles.geojson: the
landelijke dekking of the profielen per gemeente, provincie or region (issue 16),
from the same computed figures as /dekking. Strict about input, as the rest of
the API: an unknown parameter or value is a 400."""
from __future__ import annotations

import json

from flask import Response, request

from portal.core.geometry import compact_geometry_text
from portal.domain import profile_coverage as pc
from portal.extensions import db
from portal.routes.api.blueprint import bp
from portal.routes.api.openapi import school_year_values
from portal.routes.api.views import InvalidParameter, unknown_or_repeated
from portal.services.coverage import figures as coverage
from portal.services.coverage.profiles import PROFILE_CODES, ProfileCoverage, profile_coverage
from portal.services.reference.boundaries import current_region_year

LEVELS = ("gemeente", "provincie", "regio")
PARAMS = ("level", "school_year", "profile")


def _parse() -> tuple[str, ProfileCoverage, list[str]]:
    errors = unknown_or_repeated(request.args, PARAMS)
    level = request.args.get("level", "gemeente")
    if level not in LEVELS:
        errors["level"] = "Kies gemeente, provincie of regio."
    profile = request.args.get("profile")
    if profile is not None and profile not in PROFILE_CODES:
        errors["profile"] = f"Onbekend beroepsgericht profiel '{profile[:40]}'."
    cov = profile_coverage(db.session, None)
    year = request.args.get("school_year")
    if year is not None and year not in school_year_values():
        errors["school_year"] = "Schrijf het schooljaar als 2025-2026."
    if errors:
        raise InvalidParameter(errors)
    if year and year != cov.school_year:
        cov = profile_coverage(db.session, year)
    return level, cov, [profile] if profile else list(PROFILE_CODES)


def _share(share: pc.Share) -> dict:
    return {"areas_offering": share.offering, "areas_with_offer": share.with_offer,
            "share": None if share.value is None else round(share.value * 100, 1)}


def _items(level: str, cov: ProfileCoverage, profiles: list[str]) -> list[tuple[dict, str | None]]:
    """(properties, stored geometry text) per area."""
    items: list[tuple[dict, str | None]] = []
    if level == "gemeente":
        for area in cov.municipalities.values():
            values = {}
            for p in profiles:
                n = cov.nearest(p).get(area.code)
                values[p] = {"state": cov.area_state(area.code, p),
                             "schools_offering": cov.count_offering(p, municipality=area.code),
                             "nearest_km": None if n is None or n.km is None else round(n.km, 1)}
            items.append(({"code": area.code, "name": area.name, "province": area.province, "region": area.region,
                           "profiles": values}, area.geometry))
        return items
    if level == "provincie":
        areas = [(code, name, geometry, {"province": code}) for code, (name, geometry) in cov.provinces.items()]
    else:
        geometries = {code: geometry for code, _name, geometry in
                      coverage.region_geometries(db.session, current_region_year(db.session))}
        areas = [(code, name, geometries.get(code), {"region": code}) for code, name in sorted(cov.regions.items())]
    for code, name, geometry, scope in areas:
        values = {p: {**_share(cov.profile_share(p, **scope)),
                      "schools_offering": cov.count_offering(p, **scope)} for p in profiles}
        d = cov.distribution(**scope)
        items.append(({"code": code, "name": name, "vestigingen": d.total,
                       "one_profile_share": None if d.share(1) is None else round(d.share(1) * 100, 1),
                       "profiles": values}, geometry))
    return items


def _meta(level: str, cov: ProfileCoverage) -> dict:
    return {"level": level, "school_year": cov.school_year or None, "sources": cov.sources,
            "definitions": {"share": pc.DEFINITIONS["municipality_share"], "nearest_km": pc.DEFINITIONS["distance"],
                            "state": "aangeboden, niet_aangeboden of geen_aanbod (geen beroepsgericht vmbo-aanbod)"}}


@bp.get("/coverage/profiles")
def coverage_profiles():
    level, cov, profiles = _parse()
    body = {**_meta(level, cov), "items": [properties for properties, _ in _items(level, cov, profiles)]}
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False), mimetype="application/json")


@bp.get("/coverage/profiles.geojson")
def coverage_profiles_geojson():
    level, cov, profiles = _parse()
    features = [{"type": "Feature", "id": properties["code"], "properties": properties,
                 "geometry": compact_geometry_text(geometry, 4) if geometry else None}
                for properties, geometry in _items(level, cov, profiles)]
    body = {"type": "FeatureCollection", **_meta(level, cov), "features": features}
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False), mimetype="application/geo+json")
