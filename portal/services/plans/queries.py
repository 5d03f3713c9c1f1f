"""Reads of the regioplannen area: rounds, plan regions, plans per user, the
overview counts per round and the export rows."""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal.domain import plans as dom
from portal.models import Organisation, User
from portal.models.plan import PlanRegion, PlanRegionMember, PlanRound, RegionalPlan
from portal.models.plan_assessment import PlanAssessor

OVERVIEW_STATES = (dom.SUBMITTED, dom.POSITIVE, dom.NOT_READY, dom.WITHDRAWN, dom.APPROVED)
# A plan counts as submitted once it has left concept and was not withdrawn before submission.
SUBMITTED_OR_LATER = frozenset(dom.STATES) - {dom.CONCEPT}


def rounds(session: Session) -> list[PlanRound]:
    return list(session.scalars(select(PlanRound).order_by(PlanRound.submission_deadline.desc(), PlanRound.id)))


def plans_of_round(session: Session, round_id: int) -> list[RegionalPlan]:
    return list(session.scalars(
        select(RegionalPlan).join(PlanRegion).where(PlanRegion.round_id == round_id).order_by(PlanRegion.name)
        .options(selectinload(RegionalPlan.region).selectinload(PlanRegion.members)
                 .selectinload(PlanRegionMember.organisation), selectinload(RegionalPlan.budget_lines))))


def plans_for_user(session: Session, user: User) -> list[RegionalPlan]:
    """The plans a user works on: their organisation's (as a party), or those
    assigned to them as assessor, or every plan for staff."""
    query = select(RegionalPlan).join(PlanRegion).order_by(PlanRegion.name)
    if user.role in ("staff", "admin"):
        return list(session.scalars(query))
    if user.role == "assessor":
        return list(session.scalars(query.join(PlanAssessor, PlanAssessor.plan_id == RegionalPlan.id)
                                    .where(PlanAssessor.user_id == user.id)))
    if user.organisation_id:
        return list(session.scalars(query.join(PlanRegionMember, PlanRegionMember.plan_region_id == PlanRegion.id)
                                    .where(PlanRegionMember.organisation_id == user.organisation_id)))
    return []


def counts(plans: list[RegionalPlan]) -> dict[str, int]:
    """Per round: submitted (every plan that was ever submitted), and how many
    are now positief advies, nog niet voldragen, ingetrokken or goedgekeurd
    (goedgekeurd includes plans in uitvoering). Ingetrokken counts the
    aanvragen that were withdrawn, as the letter does (78 submitted: 45 + 29 + 4):
    a concept withdrawn before it was ever submitted was no aanvraag."""
    submitted = [p for p in plans if p.versions]
    states = Counter(p.state for p in submitted)
    return {
        dom.SUBMITTED: len(submitted),
        dom.POSITIVE: states[dom.POSITIVE],
        dom.NOT_READY: states[dom.NOT_READY],
        dom.WITHDRAWN: states[dom.WITHDRAWN],
        dom.APPROVED: states[dom.APPROVED] + states[dom.RUNNING],
    }


def export_rows(plans: list[RegionalPlan]) -> list[dict[str, Any]]:
    rows = []
    for plan in plans:
        check = dom.co_financing(plan.domain_budget())
        rows.append({
            "planregio": plan.region.name,
            "ronde": plan.region.round.name,
            "penvoerder": plan.region.lead_organisation.name,
            "status": dom.STATE_NAMES[plan.state],
            "markering": dom.ADVICE_FLAGS[plan.advice_flag] if plan.advice_flag else "",
            "totaal_begroting": str(check.total),
            "bedrijfsleven": str(check.business),
            "cofinanciering_procent": str(check.share) if check.share is not None else "",
            "versies": len(plan.versions),
        })
    return rows


def assessors(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "assessor", User.active.is_(True))
                                .order_by(User.name)))


def search_member_organisations(session: Session, q: str, limit: int = 30) -> list[Organisation]:
    """Schools (vmbo, vso), mbo institutions and employers whose name, place or
    vestigingscode contains `q` (at least 2 characters)."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    like = f"%{q}%"
    return list(session.scalars(
        select(Organisation).where(Organisation.kind.in_(("vmbo", "vso", "mbo", "employer")),
                                   or_(Organisation.name.ilike(like), Organisation.city.ilike(like),
                                       Organisation.vestigingscode.ilike(like)))
        .order_by(Organisation.name).limit(limit)))


def organisations_by_id(session: Session, ids: list[int]) -> list[Organisation]:
    if not ids:
        return []
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))
