"""Samenwerkingsovereenkomsten: the funding split ("omvang en bestemming") and
the overstapgarantie, each edited as rows and saved as one change of the
agreement (a new version after a signature, see changes.finish_change).
Flush, never commit; every write is audited."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from portal.core.errors import ServiceError
from portal.domain import funding as funding_rules
from portal.domain import transfer_guarantee as guarantee_rules
from portal.domain.identifiers import school_year_error
from portal.models import User
from portal.models.agreement import Agreement, FundingShare, FundingTotal, TransferGuarantee
from portal.services.agreements import changes
from portal.services.agreements.queries import needs_full_coverage
from portal.services.agreements.snapshots import content_snapshot

MAX_AMOUNT = Decimal("10000000000.00")  # Numeric(12, 2)


def validate_funding(agreement: Agreement, shares: list[dict], totals: list[dict]) -> dict[str, list[str]]:
    """Errors keyed share-<i> / total-<i> (shown at the row). Rows hold parsed
    values or a 'parse_error' message."""
    errors: dict[str, list[str]] = {}
    party_ids = {p.id for p in agreement.parties}
    lines: list[funding_rules.ShareLine] = []
    line_index: list[int] = []
    for i, row in enumerate(shares):
        row_errors = list(row.get("errors") or [])
        if row.get("party_id") not in party_ids:
            row_errors.append("Kies een partij van deze overeenkomst.")
        if school_year_error(row.get("school_year")) or not row.get("school_year"):
            row_errors.append(school_year_error(row.get("school_year")) or "Vul het schooljaar in.")
        if row.get("stream") not in funding_rules.FUNDING_STREAMS:
            row_errors.append("Kies een geldstroom.")
        if row_errors:
            errors[f"share-{i}"] = row_errors
        if isinstance(row.get("percentage"), Decimal):
            lines.append(funding_rules.ShareLine(row.get("stream"), row.get("school_year"), row.get("party_id"),
                                       row["percentage"]))
            line_index.append(i)
    check = funding_rules.check_funding_shares(lines)
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
    changes.begin_write(session, agreement, expected_version)
    changes.ensure_editable(agreement)
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
    return changes.finish_change(session, agreement, actor, before, "update_funding")


def validate_guarantee(agreement: Agreement, duration: int | None, phases: list[dict]) -> tuple[
        dict[str, list[str]], guarantee_rules.GuaranteeCheck]:
    party_ids = {p.id for p in agreement.parties}
    domain_phases = [guarantee_rules.Phase(r.get("from_month"), r.get("to_month"), r.get("destination") or "",
                               r.get("responsible_party_id") if r.get("responsible_party_id") in party_ids else None,
                               r.get("max_wait_days"), r.get("description") or "", r.get("entree_reason") or "")
                     for r in phases]
    check = guarantee_rules.check_transfer_guarantee(domain_phases, duration, full_coverage=needs_full_coverage(agreement))
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
    changes.begin_write(session, agreement, expected_version)
    changes.ensure_editable(agreement)
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
    return changes.finish_change(session, agreement, actor, before, "update_guarantee")
