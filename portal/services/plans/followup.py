"""The follow-up of a plan in uitvoering: the commission's mid-term findings
and the penvoerder's yearly progress report (per action % done with an
explanation, per budget line the money spent). Flush, never commit."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain import plans as dom
from portal.models import User
from portal.models.plan import RegionalPlan
from portal.models.plan_assessment import PlanProgressReport
from portal.services.plans.editing import MAX_AMOUNT, begin_write


def record_midterm(session: Session, plan: RegionalPlan, findings: str, actor: User,
                   expected_version: int | None = None) -> None:
    begin_write(session, plan, expected_version)
    if plan.state != dom.RUNNING:
        raise ServiceError("De tussenevaluatie gaat over een plan in uitvoering.")
    before = plan.midterm_findings
    plan.midterm_findings = (findings or "").strip()
    session.flush()
    record(session, actor, "regional_plan", plan.id, "midterm", {"midterm_findings": before},
           {"midterm_findings": plan.midterm_findings, "version_id": plan.version_id})


def report_progress(session: Session, plan: RegionalPlan, year: int | None, actions: dict[int, dict],
                    spending: dict[int, dict], actor: User) -> PlanProgressReport:
    """actions: action id -> {percent_done, explanation}; spending: budget line
    id -> {spent}. One report per year; a second one for the same year replaces it."""
    begin_write(session, plan, None)
    if plan.state != dom.RUNNING:
        raise ServiceError("Een voortgangsrapportage hoort bij een plan in uitvoering.")
    errors: dict[str, list[str]] = {}
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = ["Vul een jaar tussen 2000 en 2100 in."]
    action_rows = []
    for action in plan.actions:
        row = actions.get(action.id) or {}
        pct = row.get("percent_done")
        if not isinstance(pct, int) or not 0 <= pct <= 100:
            errors.setdefault(f"action-{action.id}", []).append("Vul een percentage van 0 tot en met 100 in.")
        if not (row.get("explanation") or "").strip():
            errors.setdefault(f"action-{action.id}", []).append("Licht de voortgang kort toe.")
        action_rows.append({"action_id": action.id, "description": action.description, "percent_done": pct,
                            "explanation": (row.get("explanation") or "").strip()})
    spend_rows = []
    total = Decimal("0.00")
    for line in plan.budget_lines:
        spent = (spending.get(line.id) or {}).get("spent")
        if not isinstance(spent, Decimal) or spent < 0 or spent >= MAX_AMOUNT:
            errors.setdefault(f"line-{line.id}", []).append("Vul het uitgegeven bedrag in (0 of meer).")
            continue
        total += spent
        spend_rows.append({"year": line.year, "stream": line.stream, "budget": str(line.amount), "spent": str(spent)})
    if errors:
        raise ServiceError(errors)
    report = session.scalar(select(PlanProgressReport).where(PlanProgressReport.plan_id == plan.id,
                                                             PlanProgressReport.year == year))
    if report is None:
        report = PlanProgressReport(plan_id=plan.id, year=year, actions=[], spending=[])
        session.add(report)
    report.actions = action_rows
    report.spending = spend_rows
    report.total_spent = total
    report.reported_by_id = actor.id
    session.flush()
    record(session, actor, "regional_plan", plan.id, "progress_report", None,
           {"year": year, "total_spent": total})
    return report


def reports_of(session: Session, plan: RegionalPlan) -> list[PlanProgressReport]:
    return list(session.scalars(select(PlanProgressReport).where(PlanProgressReport.plan_id == plan.id)
                                .order_by(PlanProgressReport.year.desc())))
