"""The content of a plan: vision and goals, labour-market analysis, pupil
prognosis, actions and the budget. Only the penvoerder changes it, and only
while the plan is a concept or not yet voldragen. Each write locks the plan
and compares the version the form was opened at. Flush, never commit."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import plans as dom
from portal.models import User
from portal.models.base import utcnow
from portal.models.plan import PlanAction, PlanBudgetLine, RegionalPlan

MAX_AMOUNT = Decimal("10000000000.00")  # Numeric(12, 2)
TEXT_FIELDS = ("vision", "labour_market_analysis", "pupil_prognosis", "prognosis_source")


def begin_write(session: Session, plan: RegionalPlan, expected_version: int | None) -> None:
    lock_for_write(session, plan)
    if expected_version is not None and int(expected_version) != plan.version_id:
        error = ConflictError("Iemand anders heeft dit plan intussen gewijzigd; je wijziging is niet opgeslagen. "
                              "Je invoer staat hieronder nog: bekijk de wijziging van de ander en sla opnieuw op.")
        error.current_version = plan.version_id  # type: ignore[attr-defined]
        raise error


def ensure_editable(plan: RegionalPlan) -> None:
    if plan.state not in dom.EDITABLE_STATES:
        raise ServiceError(f"Een plan met status ‘{dom.STATE_NAMES[plan.state]}’ kan niet meer worden gewijzigd.")


def update_text(session: Session, plan: RegionalPlan, values: dict[str, str], actor: User,
                expected_version: int | None = None) -> RegionalPlan:
    begin_write(session, plan, expected_version)
    ensure_editable(plan)
    before = {f: getattr(plan, f) for f in TEXT_FIELDS}
    for field in TEXT_FIELDS:
        setattr(plan, field, (values.get(field) or "").strip())
    if plan.pupil_prognosis and not plan.prognosis_source:
        raise ServiceError({"prognosis_source": ["Noem de bron van de leerlingprognose."]})
    session.flush()
    record(session, actor, "regional_plan", plan.id, "update", before,
           {**{f: getattr(plan, f) for f in TEXT_FIELDS}, "version_id": plan.version_id})
    return plan


def validate_actions(plan: RegionalPlan, rows: list[dict]) -> dict[str, list[str]]:
    member_ids = plan.region.member_ids()
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        messages = list(row.get("errors") or [])
        if not (row.get("description") or "").strip():
            messages.append("Beschrijf de actie.")
        if row.get("owner_organisation_id") not in member_ids:
            messages.append("Kies een partij van de planregio als eigenaar.")
        year = row.get("year")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            messages.append("Vul een jaar tussen 2000 en 2100 in.")
        if not (row.get("measurable_result") or "").strip():
            messages.append("Vul het meetbare resultaat in.")
        if messages:
            errors[f"action-{i}"] = messages
    return errors


def set_actions(session: Session, plan: RegionalPlan, rows: list[dict], actor: User,
                expected_version: int | None = None) -> RegionalPlan:
    begin_write(session, plan, expected_version)
    ensure_editable(plan)
    errors = validate_actions(plan, rows)
    if errors:
        raise ServiceError(errors)
    before = [a.description for a in plan.actions]
    plan.actions.clear()
    session.flush()
    plan.actions = [PlanAction(position=i, description=r["description"].strip(),
                               owner_organisation_id=r["owner_organisation_id"], year=r["year"],
                               measurable_result=r["measurable_result"].strip()) for i, r in enumerate(rows)]
    session.flush()
    _touch(session, plan)
    record(session, actor, "regional_plan", plan.id, "update_actions", {"actions": before},
           {"actions": [a.description for a in plan.actions], "version_id": plan.version_id})
    return plan


def validate_budget(rows: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[tuple] = set()
    for i, row in enumerate(rows):
        messages = list(row.get("errors") or [])
        year = row.get("year")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            messages.append("Vul een jaar tussen 2000 en 2100 in.")
        if row.get("stream") not in dom.BUDGET_STREAMS:
            messages.append("Kies een geldstroom.")
        amount = row.get("amount")
        if isinstance(amount, Decimal):
            if amount < 0:
                messages.append("Een bedrag kan niet negatief zijn.")
            elif amount >= MAX_AMOUNT:
                messages.append("Een bedrag is kleiner dan 10 miljard euro.")
        elif not messages:
            messages.append("Vul het bedrag in.")
        key = (year, row.get("stream"))
        if key in seen:
            messages.append("Voor dit jaar en deze geldstroom is al een regel.")
        seen.add(key)
        if messages:
            errors[f"line-{i}"] = messages
    return errors


def set_budget(session: Session, plan: RegionalPlan, rows: list[dict], actor: User,
               expected_version: int | None = None) -> RegionalPlan:
    begin_write(session, plan, expected_version)
    ensure_editable(plan)
    errors = validate_budget(rows)
    if errors:
        raise ServiceError(errors)
    before = {"budget": [f"{b.year} {b.stream} {b.amount}" for b in plan.budget_lines]}
    plan.budget_lines.clear()
    session.flush()
    plan.budget_lines = [PlanBudgetLine(year=r["year"], stream=r["stream"], amount=r["amount"]) for r in rows]
    session.flush()
    _touch(session, plan)
    record(session, actor, "regional_plan", plan.id, "update_budget", before,
           {"budget": [f"{b.year} {b.stream} {b.amount}" for b in plan.budget_lines], "version_id": plan.version_id})
    return plan


def _touch(session: Session, plan: RegionalPlan) -> None:
    """A change of the plan's rows is a change of the plan: its version moves."""
    plan.updated_at = utcnow()
    session.flush()
