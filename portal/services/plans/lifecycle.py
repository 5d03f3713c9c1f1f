"""Moving a plan through its states (portal.domain.plans.TRANSITIONS):
submitting (with the regioportret frozen and a new version kept), assigning
assessors and starting the review, the advice, the decision and the start of
the execution, and withdrawing. Each move locks the plan first."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.local_time import AMSTERDAM
from portal.domain import plans as dom
from portal.models import User
from portal.models.base import utcnow
from portal.models.plan import PlanVersion, RegionalPlan
from portal.models.plan_assessment import AssessmentCriterion, PlanAssessor, PlanScore
from portal.services.plans import snapshots
from portal.services.plans.editing import begin_write


def _move(session: Session, plan: RegionalPlan, target: str, actor_kind: str, actor: User,
          extra: dict | None = None) -> None:
    try:
        dom.check_transition(plan.state, target, actor_kind)
    except dom.TransitionRefused as refused:
        raise ServiceError(str(refused)) from None
    before = plan.state
    plan.state = target
    session.flush()
    record(session, actor, "regional_plan", plan.id, target, {"state": before},
           {"state": target, **(extra or {}), "version_id": plan.version_id})


def submit(session: Session, plan: RegionalPlan, actor: User, *, today: date | None = None,
           expected_version: int | None = None) -> PlanVersion:
    """The penvoerder submits (or resubmits): the rules of
    domain.plans.submission_errors and the round's deadline, then the
    regioportret is frozen and the submitted content kept as a new version."""
    begin_write(session, plan, expected_version)
    if plan.state not in (dom.CONCEPT, dom.NOT_READY):
        raise ServiceError(f"Een plan met status ‘{dom.STATE_NAMES[plan.state]}’ kan niet worden ingediend.")
    plan_round = plan.region.round
    late = dom.submission_deadline_error(plan.state, today or datetime.now(AMSTERDAM).date(), plan_round.submission_deadline,
                                         plan_round.resubmission_deadline)
    errors = dom.submission_errors([m.kind for m in plan.region.members], plan.domain_budget(),
                                   has_vision=bool(plan.vision.strip()), has_actions=bool(plan.actions))
    if late:
        errors.insert(0, late)
    if errors:
        raise ServiceError({"__all__": errors})
    plan.regional_portrait = snapshots.regional_portrait(session, plan)
    plan.submitted_at = utcnow()
    number = len(plan.versions) + 1
    version = PlanVersion(number=number, submitted_by_id=actor.id,
                          snapshot={**snapshots.content_snapshot(plan), "regional_portrait": plan.regional_portrait})
    plan.versions.append(version)
    _move(session, plan, dom.SUBMITTED, dom.LEAD, actor, {"version": number})
    return version


def withdraw(session: Session, plan: RegionalPlan, actor: User, expected_version: int | None = None) -> None:
    begin_write(session, plan, expected_version)
    _move(session, plan, dom.WITHDRAWN, dom.LEAD, actor)


def start_review(session: Session, plan: RegionalPlan, assessor_ids: list[int], actor: User,
                 expected_version: int | None = None) -> None:
    """Staff assign one or more assessors (never a party of the plan) and start the review."""
    begin_write(session, plan, expected_version)
    ids = list(dict.fromkeys(assessor_ids))
    users = list(session.scalars(select(User).where(User.id.in_(ids), User.role == "assessor"))) if ids else []
    if not users or len(users) != len(ids):
        raise ServiceError({"assessors": ["Kies een of meer beoordelaars."]})
    members = plan.region.member_ids()
    parties = sorted(u.name for u in users if u.organisation_id in members)
    if parties:
        raise ServiceError({"assessors": [
            "Een beoordelaar mag geen partij zijn van het plan dat hij beoordeelt: " + ", ".join(parties) + "."]})
    existing = {a.user_id for a in session.scalars(select(PlanAssessor).where(PlanAssessor.plan_id == plan.id))}
    for user in users:
        if user.id not in existing:
            session.add(PlanAssessor(plan_id=plan.id, user_id=user.id))
    _move(session, plan, dom.IN_REVIEW, dom.STAFF, actor, {"assessors": sorted(u.name for u in users)})


def advise(session: Session, plan: RegionalPlan, outcome: str, advice_text: str, improvement_points: str,
           flag: str, actor: User, expected_version: int | None = None) -> None:
    """The assessor's advice: positief or nog niet voldragen (with improvement
    points), the techniekarm/aanbodarm flag; every active criterion must be scored."""
    begin_write(session, plan, expected_version)
    errors: dict[str, list[str]] = {}
    if outcome not in (dom.POSITIVE, dom.NOT_READY):
        errors["outcome"] = ["Kies het advies."]
    if not (advice_text or "").strip():
        errors["advice_text"] = ["Schrijf het advies."]
    if outcome == dom.NOT_READY and not (improvement_points or "").strip():
        errors["improvement_points"] = ["Noem de verbeterpunten (handvatten ter verbetering)."]
    if flag not in dom.ADVICE_FLAGS:
        errors["flag"] = ["Kies een geldige markering."]
    criteria = set(session.scalars(select(AssessmentCriterion.id).where(AssessmentCriterion.active.is_(True))))
    scored = set(session.scalars(select(PlanScore.criterion_id).where(PlanScore.plan_id == plan.id,
                                                                      PlanScore.assessor_id == actor.id)))
    if criteria - scored:
        errors.setdefault("__all__", []).append("Scoor eerst elk criterium van het beoordelingskader.")
    if errors:
        raise ServiceError(errors)
    plan.advice_text = advice_text.strip()
    plan.improvement_points = (improvement_points or "").strip() if outcome == dom.NOT_READY else ""
    plan.advice_flag = flag
    plan.advised_at = utcnow()
    _move(session, plan, outcome, dom.ASSESSOR, actor, {"advice_flag": flag})


def approve(session: Session, plan: RegionalPlan, actor: User, expected_version: int | None = None) -> None:
    """Staff take the decision over from the positive advice, for the minister."""
    begin_write(session, plan, expected_version)
    plan.decided_at = utcnow()
    _move(session, plan, dom.APPROVED, dom.STAFF, actor)


def start_execution(session: Session, plan: RegionalPlan, actor: User, expected_version: int | None = None) -> None:
    begin_write(session, plan, expected_version)
    _move(session, plan, dom.RUNNING, dom.STAFF, actor)
