"""Registering many routes at once (the CSV import): validated exactly as
register_route validates, written with one multi-row INSERT per table, one
audit entry per route. Flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.core.audit import record_many
from portal.domain import routes as rules
from portal.domain.routes import PartyFacts, RouteInput
from portal.models import LearningRoute, RouteParty, route_pathways, route_profiles
from portal.services.learning_routes.operations import Vocabulary, validate
from portal.services.learning_routes.snapshots import AUDIT_TYPE, input_snapshot


@dataclass
class CreatedRoute:
    """A route written by register_routes (not loaded into the session)."""

    id: int
    title: str
    rule_warnings: dict[str, list[str]]
    status: str = ""


def register_routes(session: Session, items: list[RouteInput], actor, *, write: bool = True,
                    vocabulary: Vocabulary | None = None,
                    facts_cache: dict[int, PartyFacts] | None = None) -> list[tuple[CreatedRoute | None, rules.RuleResult]]:
    """register_route for many routes at once (the CSV import): every item is
    validated exactly as register_route does; the valid ones are inserted with
    one multi-row INSERT per table and get one audit entry each (the same
    snapshot register_route records). With write=False only validates.
    Returns (created route or None, RuleResult) per item, in order."""
    facts_cache = {} if facts_cache is None else facts_cache
    checked = [validate(session, item, actor, facts_cache=facts_cache) for item in items]
    valid = [data for data, result in checked if result.ok] if write else []
    created: list[CreatedRoute] = []
    if valid:
        actor_id = getattr(actor, "id", None)
        table = LearningRoute.__table__
        ids = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{"title": d.title, "kind_code": d.kind, "mbo_level_code": d.mbo_level, "mbo_domain_code": d.mbo_domain,
              "crebo": d.crebo, "qualification_name": d.qualification_name, "teaching_location": d.teaching_location,
              "first_school_year": d.first_school_year, "last_school_year": d.last_school_year, "status": d.status,
              "pupils_per_cohort": d.pupils_per_cohort, "contact_name": d.contact_name,
              "contact_email": d.contact_email, "contact_phone": d.contact_phone, "description": d.description,
              "created_by_id": actor_id, "is_demo": False, "version_id": 1} for d in valid],
        ).scalars().all()
        parties = [{"route_id": i, "organisation_id": o, "role": role} for i, d in zip(ids, valid, strict=False)
                   for role, field_name in (("vmbo", "vmbo_parties"), ("mbo", "mbo_parties"),
                                            ("employer", "employer_parties"))
                   for o in getattr(d, field_name)]
        session.execute(insert(RouteParty.__table__), parties)
        pathway_rows = [{"route_id": i, "pathway_code": c} for i, d in zip(ids, valid, strict=False) for c in d.pathways]
        if pathway_rows:
            session.execute(insert(route_pathways), pathway_rows)
        profile_rows = [{"route_id": i, "profile_code": c} for i, d in zip(ids, valid, strict=False) for c in d.profiles]
        if profile_rows:
            session.execute(insert(route_profiles), profile_rows)
        record_many(session, actor, [(AUDIT_TYPE, i, "create", None, input_snapshot(d, facts_cache))
                                     for i, d in zip(ids, valid, strict=False)])
        created = [CreatedRoute(i, d.title, {}, d.status) for i, d in zip(ids, valid, strict=False)]
    by_data = iter(created)
    out: list[tuple[CreatedRoute | None, rules.RuleResult]] = []
    for _data, result in checked:
        route = next(by_data) if (write and result.ok) else None
        if route is not None:
            route.rule_warnings = result.warnings
        out.append((route, result))
    return out
