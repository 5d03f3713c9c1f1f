"""/regioplannen/overzicht: per round the counts (public), and for staff
every plan with its state and co-financing share, and the export."""
from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_login import current_user, login_required

from portal.domain import plans as dom
from portal.domain.plan_area import STATE_COLOURS
from portal.extensions import db
from portal.permissions import is_staff
from portal.routes.plans import area_map
from portal.routes.plans.access import require
from portal.routes.plans.blueprint import bp
from portal.services.plans import area, export, queries
from portal.web.security import csp_nonce

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/overzicht")
def overview():
    staff = is_staff(current_user)
    rounds = []
    for plan_round in queries.rounds(db.session):
        plans = queries.plans_of_round(db.session, plan_round.id)
        rows = [(p, dom.co_financing(p.domain_budget())) for p in plans] if staff else []
        rounds.append((plan_round, queries.counts(plans), rows))
    map_parts = None
    if staff:
        plans = [plan for _round, _counts, rows in rounds for plan, _check in rows]
        map_parts = area_map.render(area_map.build(area.plan_areas(db.session, plans), lambda plan_id: url_for(
            "plans.view_plan", plan_id=plan_id)), csp_nonce())
    return render_template("plans/overview.html", rounds=rounds, staff=staff, STATE_NAMES=dom.STATE_NAMES,
                           map_parts=map_parts, legend=list(STATE_COLOURS.items()),
                           COUNTED=queries.OVERVIEW_STATES, ADVICE_FLAGS=dom.ADVICE_FLAGS)


@bp.route("/overzicht.<fmt>")
@login_required
def export_overview(fmt: str):
    require(is_staff(current_user))
    if fmt not in EXPORT_TYPES:
        abort(404)
    plans = [p for r in queries.rounds(db.session) for p in queries.plans_of_round(db.session, r.id)]
    rows = queries.export_rows(plans)
    body = export.to_csv(rows) if fmt == "csv" else export.to_xlsx(rows)
    response = Response(body, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="regioplannen.{fmt}"'
    return response
