"""Use cases for samenwerkingsovereenkomsten. Flush, never commit; every write
is audited. Any change after a signature creates a new version (addendum)
and clears the signatures."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from portal.domain import agreements as dom
from portal.domain.identifiers import school_year_error
from portal.models import LearningRoute, Organisation, User
from portal.models.agreement import (
    Agreement, AgreementParty, AgreementVersion, FundingShare, FundingTotal, TransferGuarantee,
)
from portal.models.base import utcnow
from portal.permissions import can_restore_agreement
from portal.services import ConflictError, ServiceError
from portal.services.audit import changes_since, record
from portal.services.agreement_queries import (  # noqa: F401  (callers use one module)
    CLAUSE_FIELDS, COVERAGE_KINDS, activation_errors, agreements_for_route, allocations, checklist,
    guarantee_check, list_agreements, needs_full_coverage, routes_for, share_lines, version_diff,
)
from portal.services.agreement_snapshots import content_snapshot, full_snapshot

ORG_KIND_TO_ROLE = {"vmbo": "vmbo", "mbo": "mbo", "employer": "employer", "other": "gemeente"}


MAX_AMOUNT = Decimal("10000000000.00")  # Numeric(12, 2)


def today() -> date:
    return date.today()


# --- reading ---------------------------------------------------------------

def current_status(agreement: Agreement, on: date | None = None) -> str:
    """The status as of today: a signed agreement past its end date is verlopen."""
    return dom.effective_status(agreement.status, agreement.end_date, on or today())


def list_expiring(session: Session, on: date | None = None, organisation_id: int | None = None,
                  days: int = 90) -> list[Agreement]:
    """Signed agreements that end within `days` days (coordinator and staff overviews)."""
    on = on or today()
    query = (select(Agreement)
             .where(Agreement.archived_at.is_(None), Agreement.status == "getekend",
                    Agreement.end_date >= on, Agreement.end_date <= on + timedelta(days=days))
             .order_by(Agreement.end_date))
    if organisation_id:
        query = query.where(Agreement.parties.any(AgreementParty.organisation_id == organisation_id))
    return list(session.scalars(query))


def list_archived(session: Session) -> list[Agreement]:
    """Archived agreements, most recently archived first (staff restore them)."""
    from sqlalchemy.orm import selectinload
    return list(session.scalars(
        select(Agreement).where(Agreement.archived_at.is_not(None))
        .options(selectinload(Agreement.parties).joinedload(AgreementParty.organisation))
        .order_by(Agreement.archived_at.desc(), Agreement.id.desc())))


# --- the activation rule (used by the route service) ------------------------

def activation_school_year(first_school_year: str | None, on: date | None = None) -> str:
    """The school year a route becomes actief in: the current one, or its first
    school year when that lies ahead."""
    current = dom.school_year_of(on or today())
    if first_school_year and not school_year_error(first_school_year) and first_school_year > current:
        return first_school_year
    return current


# --- writing ---------------------------------------------------------------

def _check_version(agreement: Agreement, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != agreement.version_id:
        error = ConflictError("Iemand anders heeft deze overeenkomst intussen gewijzigd; je wijziging is niet "
                              "opgeslagen. Je invoer staat hieronder nog: bekijk de wijziging van de ander en "
                              "sla opnieuw op.")
        session = object_session(agreement)
        error.changes = (changes_since(session, "agreement", agreement.id, int(expected_version),
                                       dom.SNAPSHOT_LABELS) if session is not None else [])
        error.current_version = agreement.version_id
        raise error


def _ensure_editable(agreement: Agreement) -> None:
    if agreement.archived_at is not None:
        raise ServiceError("Deze overeenkomst is gearchiveerd.")
    status = current_status(agreement)
    if status not in dom.EDITABLE_STATUSES:
        raise ServiceError(f"Een overeenkomst met status '{dom.STATUSES[status].lower()}' kan niet meer "
                           f"worden gewijzigd.")


def _store_version(session: Session, agreement: Agreement, actor: User | None, reason: str) -> None:
    snapshot = full_snapshot(agreement)
    version = next((v for v in agreement.versions if v.number == agreement.revision), None)
    if version is None:
        agreement.versions.append(AgreementVersion(number=agreement.revision, reason=reason, snapshot=snapshot,
                                                   created_by_id=actor.id if actor else None))
    else:
        version.snapshot = snapshot
    session.flush()


def _derive(agreement: Agreement) -> None:
    agreement.is_internal = dom.is_internal_arrangement(
        (p.role, p.governing_body_name, p.governing_body_number) for p in agreement.parties
    )


def _changed(session: Session, agreement: Agreement, actor: User, before: dict, action: str) -> bool | str:
    """After a change: new version if somebody had signed, else back to concept
    if it was out for signature; refresh the version snapshot; audit. Returns
    False (nothing changed), True, or "addendum" (a new version was made)."""
    start_version = agreement.version_id
    session.flush()
    session.refresh(agreement)
    _derive(agreement)
    after = content_snapshot(agreement)
    if after == before:
        return False
    reason = None
    if any(p.is_signed for p in agreement.parties):
        agreement.revision += 1
        for party in agreement.parties:
            party.signed_at = party.signed_by_id = party.signed_by_name = party.signed_on_behalf_of = None
        agreement.signed_at = None
        agreement.sent_at = None
        agreement.status = "concept"
        reason = f"Addendum {agreement.revision - 1}: wijziging na ondertekening"
    elif agreement.status == "ter_ondertekening":
        agreement.status = "concept"
        agreement.sent_at = None
    _store_version(session, agreement, actor, reason or "Eerste versie")
    if agreement.version_id == start_version:
        # Only its rows changed (funding, guarantee, parties): still a new
        # version of the agreement, so a form opened before conflicts.
        flag_modified(agreement, "title")
    session.flush()
    # The version it made, for the conflict message of a form opened before.
    record(session, actor, "agreement", agreement.id, action, before=before,
           after={**after, "version_id": agreement.version_id})
    return "addendum" if reason else True


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
    _derive(agreement)
    session.add(agreement)
    session.flush()
    _store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "create", after=content_snapshot(agreement))
    return agreement


def update_agreement(session: Session, agreement: Agreement, data: dict, actor: User,
                     expected_version: int | None = None) -> bool | str:
    _check_version(agreement, expected_version)
    _ensure_editable(agreement)
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
    _check_examining(agreement, errors)
    if errors:
        raise ServiceError(errors)
    return _changed(session, agreement, actor, before, "update")


def set_parties(session: Session, agreement: Agreement, rows: list[dict], actor: User,
                expected_version: int | None = None) -> bool | str:
    """rows: organisation_id, role, governing_body_name, governing_body_number.
    The actor's own organisation stays a party."""
    _check_version(agreement, expected_version)
    _ensure_editable(agreement)
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
        party.governing_body_number = (row.get("governing_body_number") or "").strip() or None
    session.flush()
    if agreement.examining_organisation_id and agreement.examining_organisation_id not in wanted:
        agreement.examining_organisation_id = None
    return _changed(session, agreement, actor, before, "update_parties")


def validate_funding(agreement: Agreement, shares: list[dict], totals: list[dict]) -> dict[str, list[str]]:
    """Errors keyed share-<i> / total-<i> (shown at the row). Rows hold parsed
    values or a 'parse_error' message."""
    errors: dict[str, list[str]] = {}
    party_ids = {p.id for p in agreement.parties}
    lines: list[dom.ShareLine] = []
    line_index: list[int] = []
    for i, row in enumerate(shares):
        row_errors = list(row.get("errors") or [])
        if row.get("party_id") not in party_ids:
            row_errors.append("Kies een partij van deze overeenkomst.")
        if school_year_error(row.get("school_year")) or not row.get("school_year"):
            row_errors.append(school_year_error(row.get("school_year")) or "Vul het schooljaar in.")
        if row.get("stream") not in dom.FUNDING_STREAMS:
            row_errors.append("Kies een geldstroom.")
        if row_errors:
            errors[f"share-{i}"] = row_errors
        if isinstance(row.get("percentage"), Decimal):
            lines.append(dom.ShareLine(row.get("stream"), row.get("school_year"), row.get("party_id"),
                                       row["percentage"]))
            line_index.append(i)
    check = dom.check_funding_shares(lines)
    for j, messages in check.row_errors.items():
        errors.setdefault(f"share-{line_index[j]}", []).extend(messages)
    groups = {(r.get("stream"), r.get("school_year")) for r in shares}
    seen: set[tuple] = set()
    for i, row in enumerate(totals):
        row_errors = list(row.get("errors") or [])
        key = (row.get("stream"), row.get("school_year"))
        if key not in groups:
            row_errors.append("Er zijn geen aandelen voor deze geldstroom en dit schooljaar.")
        if key in seen:
            row_errors.append("Voor deze geldstroom en dit schooljaar is al een bedrag ingevuld.")
        seen.add(key)
        if row.get("recipient_party_id") not in party_ids:
            row_errors.append("Kies de partij die het geld ontvangt.")
        amount = row.get("amount")
        if isinstance(amount, Decimal) and amount < 0:
            row_errors.append("Een bedrag kan niet negatief zijn.")
        elif isinstance(amount, Decimal) and amount >= MAX_AMOUNT:
            row_errors.append("Een bedrag is kleiner dan 10 miljard euro.")
        if row_errors:
            errors[f"total-{i}"] = row_errors
    return errors


def set_funding(session: Session, agreement: Agreement, shares: list[dict], totals: list[dict],
                actor: User, expected_version: int | None = None) -> bool | str:
    _check_version(agreement, expected_version)
    _ensure_editable(agreement)
    errors = validate_funding(agreement, shares, totals)
    if errors:
        raise ServiceError(errors)
    before = content_snapshot(agreement)
    # Delete the old rows first: the new ones may have the same unique keys.
    agreement.funding_shares.clear()
    agreement.funding_totals.clear()
    session.flush()
    agreement.funding_shares = [
        FundingShare(stream=r["stream"], school_year=r["school_year"], party_id=r["party_id"],
                     percentage=r["percentage"], position=i) for i, r in enumerate(shares)
    ]
    agreement.funding_totals = [
        FundingTotal(stream=r["stream"], school_year=r["school_year"], amount=r["amount"],
                     recipient_party_id=r["recipient_party_id"], purpose=(r.get("purpose") or "").strip() or None)
        for r in totals
    ]
    session.flush()
    return _changed(session, agreement, actor, before, "update_funding")


def validate_guarantee(agreement: Agreement, duration: int | None, phases: list[dict]) -> tuple[
        dict[str, list[str]], dom.GuaranteeCheck]:
    party_ids = {p.id for p in agreement.parties}
    domain_phases = [dom.Phase(r.get("from_month"), r.get("to_month"), r.get("destination") or "",
                               r.get("responsible_party_id") if r.get("responsible_party_id") in party_ids else None,
                               r.get("max_wait_days"), r.get("description") or "", r.get("entree_reason") or "")
                     for r in phases]
    check = dom.check_transfer_guarantee(domain_phases, duration, full_coverage=needs_full_coverage(agreement))
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(phases):
        messages = list(row.get("errors") or []) + check.row_errors.get(i, [])
        if messages:
            errors[f"phase-{i}"] = messages
    if check.general:
        key = "route_duration_months" if not duration or duration < 1 else "__all__"
        errors.setdefault(key, []).extend(check.general)
    return errors, check


def set_guarantee(session: Session, agreement: Agreement, duration: int | None, phases: list[dict],
                  actor: User, expected_version: int | None = None) -> bool | str:
    _check_version(agreement, expected_version)
    _ensure_editable(agreement)
    errors, _ = validate_guarantee(agreement, duration, phases)
    if duration is not None and not 1 <= duration <= 120:
        errors.setdefault("route_duration_months", []).append("De duur ligt tussen 1 en 120 maanden.")
    if errors:
        raise ServiceError(errors)
    before = content_snapshot(agreement)
    agreement.route_duration_months = duration
    agreement.guarantee_phases.clear()
    session.flush()
    agreement.guarantee_phases = [
        TransferGuarantee(from_month=r["from_month"], to_month=r["to_month"], destination=r["destination"],
                          responsible_party_id=r["responsible_party_id"], max_wait_days=r["max_wait_days"],
                          description=(r.get("description") or "").strip() or None,
                          entree_reason=(r.get("entree_reason") or "").strip() or None)
        for r in phases
    ]
    session.flush()
    return _changed(session, agreement, actor, before, "update_guarantee")


def send_for_signature(session: Session, agreement: Agreement, actor: User) -> None:
    _ensure_editable(agreement)
    if not dom.can_transition(agreement.status, "ter_ondertekening"):
        raise ServiceError("Alleen een concept kan ter ondertekening worden verstuurd.")
    missing = [f"{i.label}: {i.message}" for i in checklist(agreement) if not i.ok]
    if missing:
        raise ServiceError({"__all__": ["De overeenkomst is nog niet compleet."] + missing})
    if agreement.end_date < today():
        raise ServiceError("De looptijd van deze overeenkomst is al voorbij.")
    agreement.status = "ter_ondertekening"
    agreement.sent_at = utcnow()
    session.flush()
    _store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "send", before={"status": "concept"},
           after={"status": agreement.status})


def sign(session: Session, agreement: Agreement, party: AgreementParty, actor: User) -> None:
    """The actor signs for their own party, on behalf of its bevoegd gezag; the
    agreement is getekend when every party has signed."""
    if party.agreement_id != agreement.id:
        raise ServiceError("Deze partij hoort niet bij deze overeenkomst.")
    if actor.role != "coordinator" or actor.organisation_id != party.organisation_id:
        raise ServiceError("Je kunt alleen namens je eigen organisatie tekenen.")
    if current_status(agreement) != "ter_ondertekening":
        raise ServiceError("Deze overeenkomst ligt niet ter ondertekening.")
    if party.is_signed:
        raise ServiceError("Deze partij heeft al getekend.")
    if not (party.governing_body_name or "").strip():
        raise ServiceError("Vul eerst het bevoegd gezag van deze partij in.")
    now = utcnow()
    party.signed_at = now
    party.signed_by_id = actor.id
    party.signed_by_name = actor.name
    party.signed_on_behalf_of = party.governing_body_name
    before_status = agreement.status
    if all(p.is_signed for p in agreement.parties) and dom.can_transition(agreement.status, "getekend"):
        agreement.status = "getekend"
        agreement.signed_at = now
    session.flush()
    _store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "sign",
           before={"status": before_status},
           after={"status": agreement.status, "party": party.organisation.name,
                  "on_behalf_of": party.signed_on_behalf_of})


def terminate(session: Session, agreement: Agreement, on: date | None, reason: str, actor: User) -> None:
    status = current_status(agreement)
    errors: dict[str, list[str]] = {}
    if not dom.can_transition(status, "opgezegd"):
        raise ServiceError("Alleen een getekende of ter ondertekening verstuurde overeenkomst kan worden opgezegd.")
    if on is None:
        errors["terminated_on"] = ["Vul de datum van opzegging in."]
    elif on > agreement.end_date:
        errors["terminated_on"] = ["De opzegdatum ligt na het einde van de looptijd."]
    if not (reason or "").strip():
        errors["termination_reason"] = ["Geef de reden van de opzegging."]
    if errors:
        raise ServiceError(errors)
    agreement.status = "opgezegd"
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    session.flush()
    _store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "terminate", before={"status": status},
           after={"status": "opgezegd", "terminated_on": on, "reason": agreement.termination_reason})


def attach_document(session: Session, agreement: Agreement, stored, actor: User) -> None:
    """The signed PDF (already size- and content-checked by uploads.store_upload)."""
    if agreement.signed_at is None:
        raise ServiceError({"document": ["Upload het getekende document nadat alle partijen hebben getekend."]})
    before = {"document": agreement.document_name, "sha256": agreement.document_sha256}
    agreement.document_stored_name = stored.stored_name
    agreement.document_name = stored.original_name
    agreement.document_size = stored.size
    agreement.document_sha256 = stored.sha256
    agreement.document_uploaded_at = utcnow()
    session.flush()
    record(session, actor, "agreement", agreement.id, "upload_document", before=before,
           after={"document": stored.original_name, "sha256": stored.sha256})


def archive(session: Session, agreement: Agreement, actor: User) -> None:
    if agreement.status in ("ter_ondertekening", "getekend") and current_status(agreement) != "verlopen":
        raise ServiceError("Een getekende of ter ondertekening verstuurde overeenkomst kan niet worden "
                           "gearchiveerd; zeg haar eerst op.")
    if agreement.archived_at is not None:
        raise ServiceError("Deze overeenkomst is al gearchiveerd.")
    version = agreement.version_id
    agreement.archived_at = utcnow()
    session.flush()  # bumps version_id: an open form of the agreement now conflicts
    record(session, actor, "agreement", agreement.id, "archive", before={"archived": False, "version_id": version},
           after={"archived": True, "version_id": agreement.version_id})


def restore(session: Session, agreement: Agreement, actor: User) -> None:
    """Bring an archived agreement back (staff; the view checks can_restore_agreement),
    exactly as it was: status, parties, signatures and versions are untouched."""
    if agreement.archived_at is None:
        raise ServiceError("Deze overeenkomst is niet gearchiveerd.")
    if not can_restore_agreement(actor, agreement):
        raise ServiceError("Alleen programmamedewerkers kunnen een gearchiveerde overeenkomst herstellen.")
    version = agreement.version_id
    agreement.archived_at = None
    session.flush()
    record(session, actor, "agreement", agreement.id, "restore", before={"archived": True, "version_id": version},
           after={"archived": False, "version_id": agreement.version_id})


def expire_due(session: Session, on: date | None = None, actor: User | None = None) -> int:
    """Store verlopen for signed agreements past their end date (cron or CLI);
    reading already shows them as verlopen through current_status()."""
    on = on or today()
    due = session.scalars(select(Agreement).where(Agreement.status == "getekend", Agreement.end_date < on))
    count = 0
    for agreement in due:
        if not dom.can_transition(agreement.status, "verlopen"):
            continue
        agreement.status = "verlopen"
        record(session, actor, "agreement", agreement.id, "expire", before={"status": "getekend"},
               after={"status": "verlopen"})
        count += 1
    session.flush()
    return count
