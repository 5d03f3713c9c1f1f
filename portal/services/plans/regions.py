"""Subsidy rounds and plan regions. A plan region is created by the
coordinator of its penvoerder (or by staff) with its plan in concept. A vmbo
or vso vestiging belongs to at most one plan region per round: checked here
with a Dutch message, and by the database's partial unique index.
Flush, never commit; every write is audited."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import plans as dom
from portal.models import Organisation, User
from portal.models.plan import PlanRegion, PlanRegionMember, PlanRound, RegionalPlan

MEMBER_KINDS = ("vmbo", "vso", "mbo", "employer")


def create_round(session: Session, name: str, deadline: date | None, resubmission: date | None,
                 actor: User) -> PlanRound:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Geef de ronde een naam."]
    elif session.scalar(select(PlanRound.id).where(PlanRound.name == name)):
        errors["name"] = ["Er is al een ronde met deze naam."]
    if deadline is None:
        errors["submission_deadline"] = ["Vul de indiendatum in."]
    if resubmission is None:
        errors["resubmission_deadline"] = ["Vul de datum voor opnieuw indienen in."]
    elif deadline is not None and resubmission < deadline:
        errors["resubmission_deadline"] = ["Opnieuw indienen sluit niet vóór de eerste indiendatum."]
    if errors:
        raise ServiceError(errors)
    assert deadline is not None and resubmission is not None
    plan_round = PlanRound(name=name, submission_deadline=deadline, resubmission_deadline=resubmission)
    session.add(plan_round)
    session.flush()
    record(session, actor, "plan_round", plan_round.id, "create", None,
           {"name": name, "submission_deadline": deadline, "resubmission_deadline": resubmission})
    return plan_round


def taken_schools(session: Session, round_id: int, exclude_region_id: int | None = None) -> dict[int, str]:
    """Vestiging id -> the name of the plan region it already belongs to in this round."""
    query = (select(PlanRegionMember.organisation_id, PlanRegion.name)
             .join(PlanRegion, PlanRegion.id == PlanRegionMember.plan_region_id)
             .where(PlanRegionMember.round_id == round_id, PlanRegionMember.kind.in_(dom.VMBO_KINDS)))
    if exclude_region_id is not None:
        query = query.where(PlanRegion.id != exclude_region_id)
    return dict(session.execute(query).tuples().all())


def _flush_members(session: Session) -> None:
    """Flush the members; a vestiging that another request put in another plan
    region of the round after our check (the partial unique index refuses it,
    on PostgreSQL as the second transaction's insert waits for the first) is
    the rule's message, not a 500. The request's transaction rolls back."""
    try:
        session.flush()
    except IntegrityError as exc:
        text = str(exc.orig)
        if "plan_region_members" in text or "uq_plan_region_members_school_per_round" in text:
            raise ServiceError({"members": [
                "Een vestiging hoort per ronde bij hoogstens één planregio: een gekozen vestiging is zojuist "
                "aan een andere planregio toegevoegd. Kijk de partijen na en sla opnieuw op."]}) from None
        if "plan_regions" in text:
            raise ServiceError({"name": ["In deze ronde is er al een planregio met deze naam."]}) from None
        raise


def _check_members(session: Session, plan_round: PlanRound, lead_id: int | None, member_ids: list[int],
                   region_id: int | None) -> tuple[list[Organisation], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    ids = list(dict.fromkeys(member_ids + ([lead_id] if lead_id else [])))
    orgs = list(session.scalars(select(Organisation).where(Organisation.id.in_(ids)))) if ids else []
    found = {o.id for o in orgs}
    if len(found) != len(ids):
        errors.setdefault("members", []).append("Een gekozen organisatie bestaat niet (meer).")
    wrong = [o.name for o in orgs if o.kind not in MEMBER_KINDS]
    if wrong:
        errors.setdefault("members", []).append(
            "Alleen vmbo- en vso-scholen, mbo-instellingen en werkgevers doen mee: " + ", ".join(sorted(wrong)) + ".")
    taken = taken_schools(session, plan_round.id, region_id)
    clashes = [f"{o.name} (al in planregio ‘{taken[o.id]}’)" for o in orgs if o.id in taken]
    if clashes:
        errors.setdefault("members", []).append(
            "Een vestiging hoort per ronde bij hoogstens één planregio: " + ", ".join(sorted(clashes)) + ".")
    lead = next((o for o in orgs if o.id == lead_id), None)
    if lead is None:
        errors.setdefault("lead_organisation", []).append("Kies de penvoerder.")
    elif lead.kind == "employer":
        errors.setdefault("lead_organisation", []).append("De penvoerder is een school of mbo-instelling.")
    return orgs, errors


def create_region(session: Session, plan_round: PlanRound, name: str, lead_id: int | None, member_ids: list[int],
                  actor: User) -> PlanRegion:
    name = (name or "").strip()
    orgs, errors = _check_members(session, plan_round, lead_id, member_ids, None)
    if not name:
        errors["name"] = ["Geef de planregio een naam."]
    elif session.scalar(select(PlanRegion.id).where(PlanRegion.round_id == plan_round.id, PlanRegion.name == name)):
        errors["name"] = ["In deze ronde is er al een planregio met deze naam."]
    if errors:
        raise ServiceError(errors)
    assert lead_id is not None
    region = PlanRegion(round_id=plan_round.id, name=name, lead_organisation_id=lead_id)
    region.members = [PlanRegionMember(round_id=plan_round.id, organisation_id=o.id, kind=o.kind) for o in orgs]
    region.plan = RegionalPlan(state=dom.CONCEPT)
    session.add(region)
    _flush_members(session)
    record(session, actor, "plan_region", region.id, "create", None,
           {"name": name, "round": plan_round.name, "lead_organisation_id": lead_id,
            "members": sorted(o.id for o in orgs)})
    return region


def set_members(session: Session, region: PlanRegion, name: str, lead_id: int | None, member_ids: list[int],
                actor: User, expected_version: int | None = None) -> PlanRegion:
    """Change the name, penvoerder and parties; only while the plan can be edited."""
    lock_for_write(session, region)
    if expected_version is not None and int(expected_version) != region.version_id:
        raise ConflictError("Iemand anders heeft deze planregio intussen gewijzigd; bekijk de wijziging en "
                            "sla opnieuw op.")
    if region.plan is not None and region.plan.state not in dom.EDITABLE_STATES:
        raise ServiceError("De partijen liggen vast zolang het plan is ingediend of beoordeeld wordt.")
    name = (name or "").strip()
    orgs, errors = _check_members(session, region.round, lead_id, member_ids, region.id)
    if not name:
        errors["name"] = ["Geef de planregio een naam."]
    elif session.scalar(select(PlanRegion.id).where(PlanRegion.round_id == region.round_id,
                                                    PlanRegion.name == name, PlanRegion.id != region.id)):
        errors["name"] = ["In deze ronde is er al een planregio met deze naam."]
    if errors:
        raise ServiceError(errors)
    before = {"name": region.name, "lead_organisation_id": region.lead_organisation_id,
              "members": sorted(region.member_ids())}
    region.members.clear()
    session.flush()
    region.members = [PlanRegionMember(round_id=region.round_id, organisation_id=o.id, kind=o.kind) for o in orgs]
    region.name = name
    assert lead_id is not None
    region.lead_organisation_id = lead_id
    _flush_members(session)
    record(session, actor, "plan_region", region.id, "update", before,
           {"name": name, "lead_organisation_id": lead_id, "members": sorted(o.id for o in orgs)})
    return region
