"""/beheer/mbo-instellingen: the mbo institutions, their locations and bekostigd."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.extensions import db
from portal.models import Organisation
from portal.permissions import can_manage_mbo_institutions
from portal.routes.institutions.access import require
from portal.routes.institutions.blueprint import bp
from portal.services.institutions import operations, queries
from portal.web.transaction import act

FUNDED_FILTERS = {"": None, "ja": True, "nee": False}


@bp.get("")
def list_institutions():
    require(can_manage_mbo_institutions(current_user))
    search = (request.args.get("q") or "").strip()[:100]
    funded = request.args.get("bekostigd", "")
    if funded not in FUNDED_FILTERS:
        funded = ""
    rows = queries.list_institutions(db.session, search, FUNDED_FILTERS[funded])
    return render_template("institutions/list.html", rows=rows, search=search, funded=funded)


@bp.post("/<int:organisation_id>/bekostigd")
def set_funded(organisation_id: int):
    require(can_manage_mbo_institutions(current_user))
    institution = db.session.get(Organisation, organisation_id)
    if institution is None or institution.kind != "mbo":
        abort(404)
    value = request.form.get("bekostigd")
    if value not in ("ja", "nee"):
        flash("Kies of de instelling bekostigd is (ja of nee).", "error")
    else:
        funded = value == "ja"
        act(lambda: operations.set_funded(db.session, institution, funded, current_user),
            f"{institution.name} is nu {'bekostigd' if funded else 'niet bekostigd'}.")
    return redirect(url_for("institutions.list_institutions", q=request.form.get("q") or None,
                            bekostigd=request.form.get("filter") or None) + f"#instelling-{institution.id}")
