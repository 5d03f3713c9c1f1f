"""/api/v1/organisations: the organisations, public fields only (no
coordinators, no e-mail addresses), with the list page's filters and the
routes list's paging. Input is checked as strictly as the other API lists:
an unknown parameter or value is a 400."""
from __future__ import annotations

import math
import re

from flask import abort, jsonify, redirect, request, url_for

from portal.extensions import db
from portal.models import Organisation
from portal.routes.api.blueprint import bp
from portal.routes.api.openapi import MAX_PER_PAGE
from portal.routes.api.openapi_organisations import ORGANISATION_PARAMS
from portal.routes.api.views import InvalidParameter
from portal.services.organisations import queries
from portal.services.reference.boundaries import current_region_year


def _single(args, name: str, errors: dict[str, str]) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        errors[name] = "Geef deze parameter hoogstens één keer op."
        return None
    return values[0] if values else None


def _whole(value: str | None, name: str, default: int, high: int, errors: dict[str, str]) -> int:
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", value) or not 1 <= int(value) <= high:
        errors[name] = f"Een geheel getal van 1 tot en met {high}."
        return default
    return int(value)


def _parse(args) -> tuple[queries.OrganisationFilters, int, int]:
    errors: dict[str, str] = {}
    for name in args:
        if name not in ORGANISATION_PARAMS:
            errors[name] = "Onbekende parameter."
    values = {name: _single(args, name, errors) for name in ORGANISATION_PARAMS}
    for name, valid in ORGANISATION_PARAMS.items():
        value = values[name]
        if value is not None and valid is not None and not valid(value):
            errors[name] = f"Onbekende waarde '{value[:40]}'."
    page = _whole(values["page"], "page", 1, 100000, errors)
    per_page = _whole(values["per_page"], "per_page", 25, MAX_PER_PAGE, errors)
    if errors:
        raise InvalidParameter(errors)
    filters = queries.OrganisationFilters(q=(values["q"] or "").strip(), kind=values["kind"] or "",
                                          region=values["region"] or "", gemeente=values["gemeente"] or "")
    return filters, page, per_page


def public_organisation(org: Organisation, region_code: str | None, region_name: str | None) -> dict:
    m = org.municipality
    return {
        "id": org.id, "name": org.name, "kind": org.kind, "brin": org.brin, "vestigingscode": org.vestigingscode,
        "kvk_number": org.kvk_number, "city": org.city, "website": org.website,
        "municipality": {"code": m.code, "name": m.name} if m else None,
        "region": {"code": region_code, "name": region_name} if region_code else None,
        "lat": org.lat, "lon": org.lon,
        "url": url_for("organisations.show", organisation_id=org.id),
    }


@bp.get("/organisations")
def organisations():
    filters, page, per_page = _parse(request.args)
    listing = queries.page_of_organisations(db.session, filters, current_region_year(db.session), page, per_page)
    return jsonify({
        "page": page, "per_page": per_page, "total": listing.total,
        "pages": max(1, math.ceil(listing.total / per_page)),
        "items": [public_organisation(*row) for row in listing.rows],
    })


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    if request.args:
        raise InvalidParameter({name: "Onbekende parameter." for name in request.args})
    row = queries.organisation_with_region(db.session, organisation_id, current_region_year(db.session))
    if row is None:
        kept = queries.merged_into(db.session, organisation_id)
        if kept is None:
            abort(404)
        return redirect(url_for("api.organisation", organisation_id=kept), 301)
    return jsonify(public_organisation(*row))
