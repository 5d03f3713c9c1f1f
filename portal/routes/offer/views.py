"""/organisaties/<id>/aanbod: the school confirms or corrects its offer."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.forms.offer import OfferForm
from portal.permissions import can_state_offer
from portal.routes.offer.access import load_school, require
from portal.routes.offer.blueprint import bp
from portal.services.offer import operations, queries
from portal.web.transaction import save


@bp.route("/organisaties/<int:organisation_id>/aanbod", methods=["GET", "POST"])
def edit_offer(organisation_id: int):
    school = load_school(organisation_id)
    require(can_state_offer(current_user, school))
    offer = queries.school_offer(db.session, school)
    form = OfferForm()
    general: list[str] = []
    if form.validate_on_submit():
        saved = save(lambda: operations.state_offer(db.session, school, current_user, list(form.pathways.data or []),
                                                    list(form.profiles.data or [])), form)
        if saved.ok:
            flash(f"Het aanbod van {school.display_name} voor {current_school_year()} is opgeslagen.", "success")
            return redirect(url_for("offer.edit_offer", organisation_id=school.id))
        general = saved.general
    elif not form.is_submitted():
        source = offer.statement or school
        form.pathways.data = [p.code for p in source.pathways]
        form.profiles.data = [p.code for p in source.profiles]
    return render_template("offer/edit.html", organisation=school, offer=offer, form=form, general=general,
                           school_year=current_school_year())
