"""Load-or-404 and the permission checks of the /regioplannen views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db, login_manager
from portal.models.plan import PlanRound, RegionalPlan
from portal.models.plan_assessment import PlanAssessor


def load_plan(plan_id: int) -> RegionalPlan:
    return db.session.get(RegionalPlan, plan_id) or abort(404)


def load_round(round_id: int) -> PlanRound:
    return db.session.get(PlanRound, round_id) or abort(404)


def assigned_ids(plan: RegionalPlan) -> frozenset[int]:
    return frozenset(db.session.scalars(select(PlanAssessor.user_id).where(PlanAssessor.plan_id == plan.id)))


def require(allowed: bool):
    """Anonymous -> login; logged in without the right -> 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not allowed:
        abort(403)
