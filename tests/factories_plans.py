"""Synthetic regioplannen for the tests (made-up schools, not the real data):
a round with deadlines far ahead, a plan region of two vmbo schools (one vso),
an mbo institution and an employer with its penvoerder's coordinator, a plan
that meets every submission rule, a beoordelingskader and two assessors (one
of them works at a party of the plan)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.domain import plans as dom
from portal.models import User
from portal.models.plan import PlanRegion, PlanRound, RegionalPlan
from portal.services.plans import assessment, editing, lifecycle, regions
from tests.factories import make_organisation, make_user

FAR_DEADLINE, FAR_RESUBMISSION = date(2099, 4, 1), date(2099, 10, 1)


@dataclass
class PlanWorld:
    round: PlanRound
    region: PlanRegion
    plan: RegionalPlan
    lead: User
    partner: User  # coordinator of another party (not the penvoerder)
    outsider: User  # coordinator of an organisation outside the plan region
    staff: User
    assessor: User
    party_assessor: User  # an assessor who works at one of the plan's parties
    orgs: dict


def make_round(session, staff, name=None, deadline=FAR_DEADLINE, resubmission=FAR_RESUBMISSION) -> PlanRound:
    return regions.create_round(session, name or f"Synthetische ronde {uuid.uuid4().hex[:6]}", deadline,
                                resubmission, staff)


def fill_plan(session, plan: RegionalPlan, actor, business: str = "1000.00", subsidy: str = "9000.00") -> None:
    editing.update_text(session, plan, {"vision": "Synthetisch: meer technici in de regio.",
                                        "labour_market_analysis": "Synthetisch: tekort aan installateurs.",
                                        "pupil_prognosis": "Synthetisch: 300 leerlingen per jaar.",
                                        "prognosis_source": "Synthetische prognose"}, actor)
    editing.set_actions(session, plan, [{"description": "Techniekpracticum inrichten",
                                         "owner_organisation_id": plan.region.lead_organisation_id,
                                         "year": 2026, "measurable_result": "Twee lokalen in gebruik"}], actor)
    editing.set_budget(session, plan, [
        {"year": 2026, "stream": dom.SUBSIDY, "amount": Decimal(subsidy)},
        {"year": 2026, "stream": dom.BUSINESS_IN_KIND, "amount": Decimal(business)},
    ], actor)


def make_plan_world(session, *, filled: bool = True, round_kwargs=None) -> PlanWorld:
    tag = uuid.uuid4().hex[:6]
    orgs = {
        "vmbo1": make_organisation("vmbo", name=f"Synthetisch Vmbo Een {tag}"),
        "vso": make_organisation("vso", name=f"Synthetisch Vso {tag}"),
        "mbo": make_organisation("mbo", name=f"Synthetisch ROC {tag}"),
        "employer": make_organisation("employer", name=f"Synthetisch Installatiebedrijf {tag}"),
        "outside": make_organisation("vmbo", name=f"Synthetisch Vmbo Buiten {tag}"),
    }
    staff = make_user("staff")
    lead = make_user("coordinator", orgs["vmbo1"])
    plan_round = make_round(session, staff, **(round_kwargs or {}))
    region = regions.create_region(session, plan_round, f"Synthetische planregio {tag}", orgs["vmbo1"].id,
                                   [o.id for k, o in orgs.items() if k != "outside"], lead)
    plan = region.plan
    assert plan is not None
    if filled:
        fill_plan(session, plan, lead)
    if not assessment.active_criteria(session):
        assessment.add_criterion(session, f"Synthetisch criterium aansluiting {tag}", "", 2, staff)
        assessment.add_criterion(session, f"Synthetisch criterium cofinanciering {tag}", "", 1, staff)
    session.flush()
    return PlanWorld(round=plan_round, region=region, plan=plan, lead=lead,
                     partner=make_user("coordinator", orgs["mbo"]), outsider=make_user("coordinator", orgs["outside"]),
                     staff=staff, assessor=make_user("assessor"),
                     party_assessor=make_user("assessor", orgs["employer"]), orgs=orgs)


def score_all(session, world: PlanWorld, score: int = 4) -> None:
    rows = {c.id: {"score": score, "motivation": "Synthetische motivering"}
            for c in assessment.active_criteria(session)}
    assessment.set_scores(session, world.plan, rows, world.assessor)


def to_review(session, world: PlanWorld) -> None:
    lifecycle.submit(session, world.plan, world.lead)
    lifecycle.start_review(session, world.plan, [world.assessor.id], world.staff)


MATRIX_STATES = (dom.CONCEPT, dom.SUBMITTED, dom.IN_REVIEW, dom.POSITIVE, dom.APPROVED, dom.RUNNING)


def make_matrix_plan(session, org_a, org_b, staff, lead, state: str, assessor: User | None = None) -> RegionalPlan:
    """For the permission matrix: a plan whose penvoerder is org A (the matrix's
    'party' coordinator) with org B (mbo), moved to `state`; `assessor` (the
    matrix's) is assigned when the review starts."""
    tag = uuid.uuid4().hex[:6]
    school = make_organisation("vso", name=f"Synthetisch Matrix-vso {tag}")
    employer = make_organisation("employer", name=f"Synthetisch Matrixbedrijf {tag}")
    plan_round = make_round(session, staff)
    region = regions.create_region(session, plan_round, f"Synthetische matrixregio {tag}", org_a.id,
                                   [org_a.id, org_b.id, school.id, employer.id], lead)
    plan = region.plan
    assert plan is not None
    fill_plan(session, plan, lead)
    add_pdf(session, plan, lead)
    if state == dom.CONCEPT:
        return plan
    lifecycle.submit(session, plan, lead)
    if state == dom.SUBMITTED:
        return plan
    if not assessment.active_criteria(session):
        assessment.add_criterion(session, f"Synthetisch matrixcriterium {tag}", "", 1, staff)
    assessor = assessor or make_user("assessor")
    lifecycle.start_review(session, plan, [assessor.id], staff)
    if state == dom.IN_REVIEW:
        return plan
    assessment.set_scores(session, plan, {c.id: {"score": 4, "motivation": "Synthetisch"}
                                          for c in assessment.active_criteria(session)}, assessor)
    lifecycle.advise(session, plan, dom.POSITIVE, "Synthetisch advies", "", "", assessor)
    if state == dom.POSITIVE:
        return plan
    lifecycle.approve(session, plan, staff)
    if state == dom.APPROVED:
        return plan
    lifecycle.start_execution(session, plan, staff)
    return plan


def add_pdf(session, plan: RegionalPlan, actor):
    import io

    from werkzeug.datastructures import FileStorage

    from portal.services.plans import attachments
    from tests.factories_practices import PDF_BYTES
    return attachments.add_attachment(session, plan, FileStorage(stream=io.BytesIO(PDF_BYTES),
                                                                 filename="analyse.pdf"), "Synthetische analyse", actor)
