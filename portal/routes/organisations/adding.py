"""Adding an employer, gemeente or other partner, from the party field of the
route or agreement form without leaving it (an htmx panel), or as a page of
its own without JavaScript (which redirects back).

Contract with the party fields: on success an htmx request gets the event
`organisation-added` ({"id", "label", "field"}) in HX-Trigger, and the new
organisation is put in the field it was opened from, chosen: a checked box in
the route form's party list (#chosen-employer), a selected option in the
agreement's new-party <select>."""
from __future__ import annotations

import json
import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.core.errors import ServiceError
from portal.extensions import db
from portal.forms.choices import options
from portal.forms.organisations import PartnerForm
from portal.permissions import can_add_organisation
from portal.routes.organisations.blueprint import bp
from portal.services.organisations import partners, queries
from portal.web.templating import is_htmx_fragment_request
from portal.web.transaction import save

# The party fields a new organisation can be put in.
ROUTE_FIELD = "employer_parties"
AGREEMENT_FIELD = re.compile(r"^party-[0-9]{1,6}-organisation_id$")


def _field(value: str | None) -> str:
    value = value or ""
    return value if value == ROUTE_FIELD or AGREEMENT_FIELD.fullmatch(value) else ""


def _next(value: str | None) -> str:
    """A local path to return to; anything else is no return address."""
    value = value or ""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) < 500:
        return value
    return ""


def _form() -> PartnerForm:
    form = PartnerForm()
    form.municipality.choices = options([("", "— kies een gemeente —"), *queries.municipality_choices(db.session)])
    if request.method == "GET":
        form.field.data = _field(request.args.get("veld"))
        form.next.data = _next(request.args.get("terug"))
    return form


def _render(form: PartnerForm, *, similar=(), duplicate=None):
    fragment = is_htmx_fragment_request()
    if fragment and not form.errors:
        form.name.render_kw = {"autofocus": True}  # htmx focuses it when the panel opens
    template = "organisations/_partner_panel.html" if fragment else "organisations/add.html"
    return render_template(template, form=form, similar=list(similar), duplicate=duplicate, fragment=fragment)


@bp.route("/nieuw", methods=["GET", "POST"])
@login_required
def add_partner():
    if not can_add_organisation(current_user):
        abort(403)
    form = _form()
    if request.method == "GET" or not form.validate_on_submit():
        return _render(form)
    municipality_id = None
    if form.municipality.data:
        municipality_id = next((m.id for m in queries.municipalities_by_code(db.session, [form.municipality.data])),
                               None)
        if municipality_id is None:
            form.municipality.errors = ["Kies een gemeente uit de lijst."]
            return _render(form)
    data = partners.PartnerInput(name=form.name.data or "", kind=form.kind.data or "",
                                 kvk_number=form.kvk_number.data, municipality_id=municipality_id,
                                 website=form.website.data)
    saved = save(lambda: partners.create_partner(db.session, current_user, data,
                                                 confirm_similar=bool(form.confirm_similar.data)), form)
    if not saved.ok:
        error: ServiceError | None = saved.error
        return _render(form, similar=getattr(error, "similar", ()), duplicate=getattr(error, "existing", None))
    org = saved.result
    field, back = _field(form.field.data), _next(form.next.data)
    if is_htmx_fragment_request():
        response = make_response(render_template("organisations/_partner_added.html", org=org, field=field,
                                                 route_field=ROUTE_FIELD))
        response.headers["HX-Trigger"] = json.dumps(
            {"organisation-added": {"id": org.id, "label": org.display_name, "field": field}})
        return response
    flash(f"{org.name} is toegevoegd." + (" Zoek de organisatie op in het formulier om haar te kiezen."
                                          if back else ""), "success")
    return redirect(back or url_for("organisations.show", organisation_id=org.id))
