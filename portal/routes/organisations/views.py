"""/organisaties: the list (search, filters, pages, CSV) and one organisation's
page. Public; the contact coordinators only for logged-in users."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.geometry import compact_geometry_text
from portal.domain.organisations import KIND_NAMES
from portal.extensions import db
from portal.models import Organisation
from portal.permissions import (
    can_add_organisation,
    can_merge_organisations,
    can_see_contact_details,
    can_state_offer,
)
from portal.routes.organisations.blueprint import bp
from portal.services.coverage.profile_tables import PROFILE_NAMES
from portal.services.coverage.profiles import profile_coverage
from portal.services.institutions import queries as institution_queries
from portal.services.offer import queries as offer_queries
from portal.services.organisations import queries
from portal.services.reference.boundaries import current_region_year
from portal.web.templating import render_page_or_fragment

MAX_PAGE = 100_000


def _page_number() -> int:
    number = request.args.get("pagina", 1, type=int) or 1
    return min(max(number, 1), MAX_PAGE)


@bp.get("/")
def index():
    filters = queries.OrganisationFilters.from_args(request.args)
    year = current_region_year(db.session)
    listing = queries.page_of_organisations(db.session, filters, year, _page_number())
    if listing.number > listing.pages:
        abort(404)
    return render_page_or_fragment(
        "organisations/index.html", "organisations/_results.html", filters=filters, listing=listing,
        kinds=KIND_NAMES, regions=queries.region_choices(db.session, year),
        municipalities=queries.municipality_choices(db.session),
        can_add=can_add_organisation(current_user), can_merge=can_merge_organisations(current_user))


@bp.get("/export.csv")
def export_csv():
    filters = queries.OrganisationFilters.from_args(request.args)
    rows = queries.all_filtered(db.session, filters, current_region_year(db.session))
    return Response(queries.export_csv(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="organisaties.csv"'})


def _map_data(detail: queries.OrganisationDetail) -> dict | None:
    """The small map's data (region shape and the organisation's point) as a
    JSON block static/js/organisation_map.js reads: no inline script."""
    org, region = detail.organisation, detail.region
    data: dict = {"name": org.name}
    if region is not None and region.geometry:
        data["region"] = {"type": "Feature", "properties": {"name": region.name},
                          "geometry": compact_geometry_text(region.geometry, 4)}
    if org.lat is not None and org.lon is not None:
        data["point"] = [org.lat, org.lon]
    if "region" not in data and "point" not in data:
        return None
    return data


@bp.get("/<int:organisation_id>")
def show(organisation_id: int):
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        kept = queries.merged_into(db.session, organisation_id)
        if kept is None:
            abort(404)
        return redirect(url_for("organisations.show", organisation_id=kept), 301)
    show_contacts = can_see_contact_details(current_user)
    detail = queries.organisation_detail(db.session, org, current_user, current_region_year(db.session),
                                         show_coordinators=show_contacts)
    sections: dict = {}
    if org.kind == "vmbo":
        coverage = profile_coverage(db.session, None)
        sections = {"offer": offer_queries.school_offer(db.session, org),
                    "school_offer": coverage.school_offer(org.vestigingscode) if org.vestigingscode else None,
                    "profile_names": PROFILE_NAMES, "can_state": can_state_offer(current_user, org)}
    elif org.kind == "mbo":
        sections = {"locations": institution_queries.locations_of(db.session, org.id,
                                                                  current_region_year(db.session))}
    return render_template("organisations/show.html", org=org, detail=detail, kinds=KIND_NAMES,
                           map_data=_map_data(detail), show_contacts=show_contacts,
                           can_merge=can_merge_organisations(current_user), **sections)
