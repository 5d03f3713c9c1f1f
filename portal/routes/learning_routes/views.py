"""/leerroutes: the public register of routes, and registering and
maintaining them. Exports and the import are in csv_io.py (same
blueprint). Thin: load or 404 -> permission or 403 -> form -> service ->
commit once -> render or redirect."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.core.errors import ConflictError, ServiceError
from portal.domain import route_state
from portal.domain.routes import FIELD_LABELS, STATUS_NAMES, TEACHING_LOCATION_NAMES
from portal.domain.school_year import current_school_year
from portal.domain.text import check_text
from portal.extensions import db
from portal.forms.learning_routes import RouteForm
from portal.forms.submission import create_once, was_submitted
from portal.models import LearningRoute
from portal.permissions import (
    can_archive_route,
    can_create_route,
    can_edit_route,
    can_restore_route,
    can_see_contact_details,
    can_see_route_history,
    is_staff,
)
from portal.routes.learning_routes.access import load_route
from portal.routes.learning_routes.blueprint import bp
from portal.routes.learning_routes.list_html import facet, facet_counts_oob, route_rows
from portal.routes.learning_routes.list_state import list_state
from portal.services.agreements import waiting as agreement_waiting
from portal.services.learning_routes import duplicates, snapshots
from portal.services.learning_routes import history as route_history
from portal.services.learning_routes import listing as route_list
from portal.services.learning_routes import locations as route_locations
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import rio as rio_service
from portal.services.reference import organisation_search
from portal.services.reference.boundaries import current_region_year
from portal.web.templating import render_page_or_fragment
from portal.web.transaction import act, save

PARTY_KINDS = (("vmbo", "vmbo_parties", "Vmbo-vestiging"), ("mbo", "mbo_parties", "Mbo-instelling"),
               ("employer", "employer_parties", "Bedrijf"))


# Globals (not a context processor), so imported template macros see them too.
bp.add_app_template_global(STATUS_NAMES, "STATUS_NAMES")
bp.add_app_template_global(route_state.STATE_NAMES, "STATE_NAMES")
bp.add_app_template_global(route_state.region_label, "region_label")


@bp.app_template_global("route_state_of")
def route_state_of(route) -> str:
    """A route's state in the current school year (actief, afgelopen, ...)."""
    return route_state.route_state(route.status, route.first_school_year, route.last_school_year,
                                   current_school_year())


@bp.app_template_global("route_state_note")
def route_state_note(route) -> str:
    return route_state.state_note(route_state_of(route), route.first_school_year, route.last_school_year)
bp.add_app_template_global(TEACHING_LOCATION_NAMES, "TEACHING_LOCATION_NAMES")
bp.add_app_template_global(FIELD_LABELS, "FIELD_LABELS")
bp.add_app_template_global(facet, "route_facet")
bp.add_app_template_global(facet_counts_oob, "route_facet_counts_oob")


@bp.app_template_global("route_list_rows")
def route_list_rows(routes, kind_names, pathway_names, profile_names):
    """The route list's table rows (list_html.route_rows), the detail URL built once."""
    sample = url_for("learning_routes.detail", route_id=0)  # ".../0": the prefix is all but the id
    return route_rows(routes, sample[:-1], kind_names, pathway_names, profile_names)


@bp.get("/")
def index():
    filters, sort, page, archived = list_state()
    year, region_names = route_list.newest_regions(db.session)
    counts = route_list.list_counts(db.session, filters, current_user, year, include_archived=archived)
    result = route_list.page_of_routes(db.session, filters, current_user, year, sort=sort, page=page,
                                       include_archived=archived, total=counts.total)
    chosen_orgs = route_list.organisations_by_id(db.session, filters.organisation)
    return render_page_or_fragment(
        "learning_routes/index.html", "learning_routes/_results.html",
        filters=filters, result=result, counts=counts.facets, sorts=route_list.SORTS,
        region_names=region_names, school_years=route_list.school_year_choices(),
        chosen_orgs=chosen_orgs, export_args={**filters.to_args(), "sort": sort,
                                              **({"archief": "1"} if archived else {})},
        archived=archived,
    )


@bp.get("/<int:route_id>")
def detail(route_id: int):
    route = load_route(route_id)
    year = current_region_year(db.session)
    return render_template(
        "learning_routes/detail.html", route=route,
        regions=route_list.regions_for_routes(db.session, [route.id], year)[route.id],
        show_contact=can_see_contact_details(current_user), can_edit=can_edit_route(current_user, route),
        can_archive=can_archive_route(current_user, route), can_restore=can_restore_route(current_user, route),
        can_history=can_see_route_history(current_user, route), tab="gegevens",
    )


@bp.get("/<int:route_id>/geschiedenis")
@login_required
def history(route_id: int):
    route = load_route(route_id)
    if not can_see_route_history(current_user, route):
        abort(403)
    entries = [(e, route_history.field_changes(e)) for e in route_history.history(db.session, route)]
    return render_template("learning_routes/history.html", route=route, entries=entries,
                           display=route_history.display_value, can_history=True, tab="geschiedenis",
                           can_edit=can_edit_route(current_user, route))


@bp.get("/mijn")
@login_required
def mine():
    if current_user.role != "coordinator" or not current_user.organisation_id:
        abort(403)
    routes = route_list.routes_of_organisation(db.session, current_user.organisation_id)
    # The vmbo school's active DLR/GLR that it has not registered at DUO (RIO): a notice and a filter.
    unregistered = rio_service.unregistered_route_ids(db.session, current_user.organisation_id,
                                                      current_school_year())
    only_unregistered = request.args.get("duo") == "niet-geregistreerd"
    if only_unregistered:
        routes = [r for r in routes if r.id in unregistered]
    wait = request.args.get("wacht")
    if wait in agreement_waiting.FILTERS:
        chosen = agreement_waiting.route_ids_in_filter(db.session, current_user.organisation_id, wait)
        routes = [r for r in routes if r.id in chosen]
    else:
        wait = None
    year = current_region_year(db.session)
    return render_template("learning_routes/mine.html", routes=routes, unregistered=unregistered,
                           only_unregistered=only_unregistered, wait=wait,
                           wait_filters=agreement_waiting.FILTERS,
                           route_regions=route_list.regions_for_routes(db.session, [r.id for r in routes], year))


# --- the form -----------------------------------------------------------------

def _picker_context(form: RouteForm) -> dict:
    """Organisations to show in the party pickers: the chosen ones, plus the
    results of a search (no-JS) or, for a coordinator, the vmbo schools of
    their own arbeidsmarktregio."""
    ids = [*form.vmbo_parties.data, *form.mbo_parties.data, *form.employer_parties.data]
    chosen = route_list.organisations_by_id(db.session, ids)
    results: dict[str, list[organisation_search.OrganisationOption]] = {}
    queries: dict[str, str] = {}
    year = current_region_year(db.session)
    own_region = route_list.organisation_region(db.session, getattr(current_user, "organisation", None), year)
    for kind, _, _ in PARTY_KINDS:
        q = (request.form.get(f"zoek_{kind}_q") or "").strip()
        if check_text(q, name=True):
            q = ""  # a control character or lone surrogate is no search; the search box shows empty
        queries[kind] = q
        if q:  # the same search as the picker's, so no-JS users find the same
            results[kind] = organisation_search.search_organisations(db.session, q, kind).options
        elif own_region is not None:
            results[kind] = [organisation_search.option_of(o) for o in
                             route_list.search_organisations(db.session, "", kind, region=own_region)]
        else:
            results[kind] = []
    return {"chosen_orgs": chosen, "search_results": results, "search_queries": queries,
            "own_region": own_region, "party_kinds": PARTY_KINDS}


def _render_form(form: RouteForm, route: LearningRoute | None, general=(), warnings=None, conflict=None,
                 status: int = 200, duplicate: duplicates.ExistingRoute | None = None):
    selected = (form.mbo_location.data or "").strip()
    form.mbo_location.choices = [("", "— geen of nog niet bekend —")] + [
        (str(i), label) for i, label in route_locations.location_choices(
            db.session, form.mbo_parties.data, int(selected) if selected.isdecimal() and len(selected) < 10 else None)]
    html = render_template("learning_routes/form.html", form=form, route=route, general=list(general),
                           warnings=warnings or {}, conflict=conflict, duplicate=duplicate, **_picker_context(form))
    return html, status


def _save(form: RouteForm, route: LearningRoute | None):
    """Run the service for a submitted form; returns a response."""
    data, errors = form.to_input()
    try:
        expected = int(form.version_id.data)
    except (TypeError, ValueError):
        expected = None

    def write():
        # The service checks the rules too, so that every error shows at once;
        # the form's own errors (numbers, lists) then roll back what it wrote.
        try:
            if route is None:
                result = create_once(form, "route", lambda: route_service.register_route(
                    db.session, data, current_user))
            else:
                result = route_service.update_route(db.session, route, data, current_user,
                                                    expected_version=expected)
        except ConflictError:
            raise
        except ServiceError as exc:
            merged = {name: list(messages) for name, messages in errors.items()}
            for name, messages in exc.errors.items():
                merged.setdefault(name, []).extend(messages)
            raise ServiceError(merged) from exc
        if errors:
            raise ServiceError(errors)
        return result

    saved = save(write, form)
    if not saved.ok:
        conflict = saved.conflict
        if conflict is not None:
            # Keep what this person typed; the next save applies it over the other change.
            current = getattr(conflict, "current_version", None)
            if current is None and route is not None:
                current = db.session.scalar(select(LearningRoute.version_id).where(LearningRoute.id == route.id))
            form.version_id.data = str(current or "")
        return _render_form(form, route, saved.general, conflict=conflict, status=200)
    saved = saved.result
    flash("De leerroute is opgeslagen." if route else "De leerroute is geregistreerd.", "success")
    for messages in getattr(saved, "rule_warnings", {}).values():
        for message in messages:
            flash(message, "warning")
    return redirect(url_for("learning_routes.detail", route_id=saved.id))


def _duplicate_of(form: RouteForm) -> duplicates.ExistingRoute | None:
    """An identical route that exists already (issue 20 §4: Back and submit
    again makes a new submission key), unless the person confirmed to save
    anyway. Input with errors is not checked: saving reports those first."""
    if request.form.get("toch_opslaan") == "1":
        return None
    data, errors = form.to_input()
    if errors:
        return None
    duplicate = duplicates.find_duplicate(db.session, data, current_user)
    # Checked after the look-up: the key commits with its route, so when the
    # route found is this very form's first submit (a double click, a retry
    # through an outage), create_once answers with a redirect to it.
    if duplicate is None or was_submitted(form):
        return None
    return duplicate


def _csrf_errors(form) -> list[str]:
    token = getattr(form, "csrf_token", None)
    return ["Het formulier is verlopen; probeer het opnieuw."] if token is not None and token.errors else []


def _is_search_post() -> bool:
    return request.method == "POST" and request.form.get("zoek") in ("vmbo", "mbo", "employer")


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def create():
    if not can_create_route(current_user):
        abort(403)
    form = RouteForm()
    if request.method == "GET":
        form.first_school_year.data = current_school_year()
        org = current_user.organisation
        if org is not None:
            field = {"vmbo": form.vmbo_parties, "mbo": form.mbo_parties}.get(org.kind, form.employer_parties)
            field.data = [org.id]
    if _is_search_post() or request.method == "GET":
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, _csrf_errors(form))
    duplicate = _duplicate_of(form)
    if duplicate is not None:
        return _render_form(form, None, duplicate=duplicate)
    return _save(form, None)


@bp.route("/<int:route_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(route_id: int):
    route = load_route(route_id)
    if not can_edit_route(current_user, route) or route.archived_at is not None:
        abort(403)
    form = RouteForm()
    if request.method == "GET":
        form.fill_from(snapshots.route_input_from(route))
        form.version_id.data = str(route.version_id)
        return _render_form(form, route)
    if _is_search_post():
        return _render_form(form, route)
    if not form.validate_on_submit():
        return _render_form(form, route, _csrf_errors(form))
    return _save(form, route)


@bp.post("/<int:route_id>/archiveren")
@login_required
def archive(route_id: int):
    route = load_route(route_id)
    if not can_archive_route(current_user, route):
        abort(403)
    if not act(lambda: route_service.archive_route(db.session, route, current_user),
               lambda: f"De leerroute ‘{route.title}’ is gearchiveerd."):
        return redirect(url_for("learning_routes.detail", route_id=route_id))
    if is_staff(current_user):
        return redirect(url_for("learning_routes.detail", route_id=route_id))
    return redirect(url_for("learning_routes.mine"))


@bp.post("/<int:route_id>/herstellen")
@login_required
def restore(route_id: int):
    route = load_route(route_id)
    if not can_restore_route(current_user, route):
        abort(403)
    act(lambda: route_service.restore_route(db.session, route, current_user),
        lambda: f"De leerroute ‘{route.title}’ is hersteld.")
    return redirect(url_for("learning_routes.detail", route_id=route_id))
