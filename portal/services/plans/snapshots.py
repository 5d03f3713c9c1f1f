"""What a submitted version holds, the regioportret frozen into it, and the
difference between two versions (as the agreements show theirs)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import plans as dom
from portal.domain.funding import format_decimal
from portal.models import LearningRoute, Organisation, RouteParty
from portal.models.plan import RegionalPlan

LABELS = {
    "parties": "Partijen", "lead": "Penvoerder", "vision": "Visie en doelen",
    "labour_market_analysis": "Arbeidsmarktanalyse", "attachments": "Bijlagen", "pupil_prognosis": "Leerlingprognose",
    "prognosis_source": "Bron van de prognose", "actions": "Acties", "budget": "Begroting",
    "co_financing": "Cofinanciering bedrijfsleven",
}


def regional_portrait(session: Session, plan: RegionalPlan) -> dict[str, Any]:
    """The current offer, from the data the portal has: per school its
    profielen and pupils, the routes the parties run, and the profielen that a
    school offers but no route of the region covers (the gaps)."""
    ids = sorted(plan.region.member_ids())
    orgs = list(session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))
    schools = [{"name": o.display_name, "kind": o.kind, "pupils": o.pupils,
                "profiles": [p.code for p in o.profiles]} for o in orgs if o.kind in dom.VMBO_KINDS]
    routes = list(session.scalars(
        select(LearningRoute).join(RouteParty, RouteParty.route_id == LearningRoute.id)
        .where(RouteParty.organisation_id.in_(ids), LearningRoute.archived_at.is_(None))
        .distinct().order_by(LearningRoute.title)))
    covered = {p.code for r in routes for p in r.profiles}
    offered = {code for s in schools for code in s["profiles"]}
    return {
        "schools": schools,
        "pupils": sum(s["pupils"] or 0 for s in schools),
        "routes": [{"title": r.title, "status": r.status, "profiles": [p.code for p in r.profiles]} for r in routes],
        "gaps": sorted(offered - covered),
    }


def content_snapshot(plan: RegionalPlan) -> dict[str, Any]:
    check = dom.co_financing(plan.domain_budget())
    region = plan.region
    return {
        "lead": region.lead_organisation.name,
        "parties": sorted(m.organisation.name for m in region.members),
        "vision": plan.vision,
        "labour_market_analysis": plan.labour_market_analysis,
        "attachments": [f"{a.title} ({a.original_name}, sha256 {a.sha256[:12]})" for a in plan.attachments],
        "pupil_prognosis": plan.pupil_prognosis,
        "prognosis_source": plan.prognosis_source,
        "actions": [f"{a.year}: {a.description} ({a.owner.name}); resultaat: {a.measurable_result}"
                    for a in plan.actions],
        "budget": [f"{b.year} {dom.BUDGET_STREAMS[b.stream]}: € {format_decimal(b.amount)}"
                   for b in plan.budget_lines],
        "co_financing": f"{format_decimal(check.share)} %" if check.share is not None else "—",
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value) or "—"
    return str(value) if value not in (None, "") else "—"


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """The fields that changed between two snapshots: label, before, after."""
    before = before or {}
    return [{"field": key, "label": LABELS.get(key, key), "before": _text(before.get(key)),
             "after": _text(after.get(key))}
            for key in LABELS if before.get(key) != after.get(key)]
