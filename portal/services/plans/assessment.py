"""The beoordelingskader (criteria with weights, kept by staff) and an
assessor's scores with their motivation. The permission to assess (assigned,
and no party of the plan) is checked in the view; the service checks it again
because it is the rule that must not be broken."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain import plans as dom
from portal.models import User
from portal.models.plan import RegionalPlan
from portal.models.plan_assessment import AssessmentCriterion, PlanAssessor, PlanScore
from portal.services.plans.editing import begin_write


def active_criteria(session: Session) -> list[AssessmentCriterion]:
    return list(session.scalars(select(AssessmentCriterion).where(AssessmentCriterion.active.is_(True))
                                .order_by(AssessmentCriterion.id)))


def add_criterion(session: Session, name: str, description: str, weight: int | None,
                  actor: User) -> AssessmentCriterion:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Geef het criterium een naam."]
    elif session.scalar(select(AssessmentCriterion.id).where(AssessmentCriterion.name == name)):
        errors["name"] = ["Er is al een criterium met deze naam."]
    if weight is None or not 1 <= weight <= 100:
        errors["weight"] = ["Het gewicht is een geheel getal van 1 tot en met 100."]
    if errors:
        raise ServiceError(errors)
    criterion = AssessmentCriterion(name=name, description=(description or "").strip(), weight=weight)
    session.add(criterion)
    session.flush()
    record(session, actor, "assessment_criterion", criterion.id, "create", None, {"name": name, "weight": weight})
    return criterion


def is_assigned(session: Session, plan: RegionalPlan, user: User) -> bool:
    return session.scalar(select(PlanAssessor.id).where(PlanAssessor.plan_id == plan.id,
                                                        PlanAssessor.user_id == user.id)) is not None


def set_scores(session: Session, plan: RegionalPlan, rows: dict[int, dict], actor: User,
               expected_version: int | None = None) -> None:
    """rows: criterion id -> {score, motivation}. Every active criterion is scored
    from 1 to 5 with a motivation."""
    begin_write(session, plan, expected_version)
    if plan.state != dom.IN_REVIEW:
        raise ServiceError("Alleen een plan in beoordeling wordt gescoord.")
    if not is_assigned(session, plan, actor) or actor.organisation_id in plan.region.member_ids():
        raise ServiceError("Je bent geen (onafhankelijke) beoordelaar van dit plan.")
    errors: dict[str, list[str]] = {}
    criteria = active_criteria(session)
    for criterion in criteria:
        row = rows.get(criterion.id) or {}
        score = row.get("score")
        if not isinstance(score, int) or not dom.SCORE_MIN <= score <= dom.SCORE_MAX:
            errors.setdefault(f"score-{criterion.id}", []).append(
                f"Geef een score van {dom.SCORE_MIN} tot en met {dom.SCORE_MAX}.")
        if not (row.get("motivation") or "").strip():
            errors.setdefault(f"score-{criterion.id}", []).append("Motiveer de score.")
    if errors:
        raise ServiceError(errors)
    existing = {s.criterion_id: s for s in session.scalars(
        select(PlanScore).where(PlanScore.plan_id == plan.id, PlanScore.assessor_id == actor.id))}
    for criterion in criteria:
        row = rows[criterion.id]
        score = existing.get(criterion.id) or PlanScore(plan_id=plan.id, criterion_id=criterion.id,
                                                        assessor_id=actor.id)
        score.score = row["score"]
        score.motivation = row["motivation"].strip()
        session.add(score)
    session.flush()
    record(session, actor, "regional_plan", plan.id, "score", None,
           {"scores": {c.name: rows[c.id]["score"] for c in criteria}})


def scores_of(session: Session, plan: RegionalPlan) -> list[PlanScore]:
    return list(session.scalars(select(PlanScore).where(PlanScore.plan_id == plan.id)
                                .order_by(PlanScore.assessor_id, PlanScore.criterion_id)))


def weighted(scores: list[PlanScore]):
    return dom.weighted_score([(s.criterion.weight, s.score) for s in scores])
