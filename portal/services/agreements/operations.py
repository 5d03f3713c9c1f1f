"""Creating and editing samenwerkingsovereenkomsten: the fields, the routes
and the parties. Flush, never commit; every write is audited. Any change after
a signature creates a new version (addendum) and clears the signatures (see
changes.finish_change)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain import agreements as dom
from portal.domain.in_force import route_period_errors
from portal.models import LearningRoute, Organisation, User
from portal.models.agreement import Agreement, AgreementParty
from portal.services.agreements import changes
from portal.services.agreements.queries import CLAUSE_FIELDS
from portal.services.agreements.snapshots import content_snapshot

ORG_KIND_TO_ROLE = {"vmbo": "vmbo", "mbo": "mbo", "employer": "employer", "other": "gemeente"}


# --- writing ---------------------------------------------------------------

def _routes(session: Session, route_ids: Iterable[int]) -> list[LearningRoute]:
    ids = sorted({int(i) for i in route_ids})
    routes = list(session.scalars(select(LearningRoute).where(LearningRoute.id.in_(ids),
                                                             LearningRoute.archived_at.is_(None))))
    if len(routes) != len(ids):
        raise ServiceError({"route_ids": ["Kies bestaande leerroutes."]})
    return routes


def _validate_basics(data: dict, errors: dict[str, list[str]]) -> None:
    if not (data.get("title") or "").strip():
        errors.setdefault("title", []).append("Geef de overeenkomst een titel.")
    start, end = data.get("start_date"), data.get("end_date")
    if not start:
        errors.setdefault("start_date", []).append("Vul de begindatum in.")
    if not end:
        errors.setdefault("end_date", []).append("Vul de einddatum in.")
    if start and end and end <= start:
        errors.setdefault("end_date", []).append("De einddatum moet na de begindatum liggen.")
    if not data.get("route_ids"):
        errors.setdefault("route_ids", []).append("Kies minstens één leerroute.")


def _apply_fields(agreement: Agreement, data: dict, errors: dict[str, list[str]]) -> None:
    agreement.title = (data.get("title") or "").strip()
    agreement.start_date = data.get("start_date")
    agreement.end_date = data.get("end_date")
    for key in CLAUSE_FIELDS:
        if key in data:
            setattr(agreement, key, (data.get(key) or "").strip() or None)
    if "mbo_domain_code" in data:
        agreement.mbo_domain_code = data.get("mbo_domain_code") or None
    if "team_qualification" in data:
        agreement.team_qualification = data.get("team_qualification")
    if "examining_organisation_id" in data:
        org_id = str(data.get("examining_organisation_id") or "").strip()
        if org_id and not (org_id.isdecimal() and len(org_id) < 10):
            errors.setdefault("examining_organisation_id", []).append("Kies een mbo-partij van deze overeenkomst.")
            org_id = ""
        agreement.examining_organisation_id = int(org_id) if org_id else None


def _check_route_period(agreement: Agreement, errors: dict[str, list[str]]) -> None:
    """The period covers the school years of the routes (issue 20 §4), at the date that excludes one."""
    problems = route_period_errors(agreement.start_date, agreement.end_date,
                                   ((r.title, r.first_school_year, r.last_school_year) for r in agreement.routes))
    for key, messages in problems.items():
        errors.setdefault(key, []).extend(messages)


def _check_examining(agreement: Agreement, errors: dict[str, list[str]]) -> None:
    if agreement.examining_organisation_id:
        party = agreement.party_for(agreement.examining_organisation_id)
        if party is None or party.role != "mbo":
            errors.setdefault("examining_organisation_id", []).append(
                "De examinerende partij moet een mbo-partij van deze overeenkomst zijn.")


def _party_from_org(org: Organisation, role: str) -> AgreementParty:
    return AgreementParty(organisation_id=org.id, organisation=org, role=role,
                          governing_body_name=org.governing_body_name,
                          governing_body_number=org.governing_body_number)


def create_agreement(session: Session, data: dict, actor: User) -> Agreement:
    """A new concept agreement by a coordinator, for routes of their own
    organisation. The parties start as the routes' schools and institutions
    (vmbo and mbo; employers and gemeenten can be added), plus the actor's."""
    errors: dict[str, list[str]] = {}
    _validate_basics(data, errors)
    if errors:
        raise ServiceError(errors)
    routes = _routes(session, data["route_ids"])
    if any(all(p.organisation_id != actor.organisation_id for p in r.parties) for r in routes):
        raise ServiceError({"route_ids": ["Kies alleen leerroutes waarin je eigen organisatie meedoet."]})
    agreement = Agreement(status="concept", revision=1, created_by_id=actor.id,
                          is_demo=bool(data.get("is_demo")), route_duration_months=data.get("route_duration_months"))
    _apply_fields(agreement, data, errors)
    agreement.routes = routes
    _check_route_period(agreement, errors)
    seen: set[int] = set()
    for route in routes:
        for rp in route.parties:
            if rp.role in ("vmbo", "mbo") and rp.organisation_id not in seen:
                seen.add(rp.organisation_id)
                agreement.parties.append(_party_from_org(rp.organisation, rp.role))
    if actor.organisation_id not in seen:
        org = session.get(Organisation, actor.organisation_id)
        agreement.parties.append(_party_from_org(org, ORG_KIND_TO_ROLE[org.kind]))
    _check_examining(agreement, errors)
    if errors:
        raise ServiceError(errors)
    changes.derive_internal(agreement)
    session.add(agreement)
    session.flush()
    changes.store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "create", after=content_snapshot(agreement))
    return agreement


def update_agreement(session: Session, agreement: Agreement, data: dict, actor: User,
                     expected_version: int | None = None) -> bool | str:
    changes.begin_write(session, agreement, expected_version)
    changes.ensure_editable(agreement)
    errors: dict[str, list[str]] = {}
    _validate_basics(data, errors)
    if errors:
        raise ServiceError(errors)
    before = content_snapshot(agreement)
    routes = _routes(session, data["route_ids"])
    current = {r.id for r in agreement.routes}
    if any(r.id not in current and all(p.organisation_id != actor.organisation_id for p in r.parties)
           for r in routes):
        raise ServiceError({"route_ids": ["Voeg alleen leerroutes toe waarin je eigen organisatie meedoet."]})
    agreement.routes = routes
    _apply_fields(agreement, data, errors)
    _check_route_period(agreement, errors)
    _check_examining(agreement, errors)
    if errors:
        raise ServiceError(errors)
    return changes.finish_change(session, agreement, actor, before, "update")


def set_parties(session: Session, agreement: Agreement, rows: list[dict], actor: User,  # noqa: C901  independent checks per row
                expected_version: int | None = None) -> bool | str:
    """rows: organisation_id, role, governing_body_name, governing_body_number.
    The actor's own organisation stays a party."""
    changes.begin_write(session, agreement, expected_version)
    changes.ensure_editable(agreement)
    errors: dict[str, list[str]] = {}
    wanted: dict[int, dict] = {}
    ids = {int(row["organisation_id"]) for row in rows}
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    if len(orgs) != len(ids):
        errors.setdefault("__all__", []).append("Kies bestaande organisaties.")
    for i, row in enumerate(rows):
        org_id = int(row["organisation_id"])
        if org_id in wanted:
            errors.setdefault(f"party-{i}", []).append("Deze organisatie is al partij.")
        if row.get("role") not in dom.PARTY_ROLES:
            errors.setdefault(f"party-{i}", []).append("Kies de rol van de partij.")
        elif org_id in orgs and (problem := dom.party_role_error(orgs[org_id].kind, orgs[org_id].name, row["role"])):
            errors.setdefault(f"party-{i}", []).append(problem)
        name = (row.get("governing_body_name") or "").strip()
        if not name and org_id in orgs:
            name = orgs[org_id].governing_body_name or ""
        if not name:
            errors.setdefault(f"party-{i}", []).append("Vul het bevoegd gezag in dat tekent.")
        elif len(name) > 255:
            errors.setdefault(f"party-{i}", []).append("De naam van het bevoegd gezag is hoogstens 255 tekens.")
        if len((row.get("governing_body_number") or "").strip()) > 16:
            errors.setdefault(f"party-{i}", []).append("Het bevoegd-gezagnummer is hoogstens 16 tekens.")
        wanted[org_id] = {**row, "governing_body_name": name}
    if actor.organisation_id not in wanted:
        errors.setdefault("__all__", []).append("Je eigen organisatie blijft partij bij de overeenkomst.")
    if errors:
        raise ServiceError(errors)
    before = content_snapshot(agreement)
    for party in list(agreement.parties):
        if party.organisation_id not in wanted:
            agreement.parties.remove(party)
    for org_id, row in wanted.items():
        party = agreement.party_for(org_id) or _party_from_org(orgs[org_id], row["role"])
        if party.id is None:
            agreement.parties.append(party)
        party.role = row["role"]
        party.governing_body_name = row["governing_body_name"].strip()
        if "governing_body_number" in row:
            party.governing_body_number = (row.get("governing_body_number") or "").strip() or None
        elif party.id is None:  # a party added without the field: the organisation's (DUO's) number
            party.governing_body_number = orgs[org_id].governing_body_number
    session.flush()
    if agreement.examining_organisation_id and agreement.examining_organisation_id not in wanted:
        agreement.examining_organisation_id = None
    return changes.finish_change(session, agreement, actor, before, "update_parties")

