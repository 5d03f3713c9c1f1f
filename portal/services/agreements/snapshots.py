"""The content of an agreement as plain JSON, for versions (addenda) and diffs.
Lines are written for people: the diff between two versions is readable."""
from __future__ import annotations

from decimal import Decimal

from portal.core import local_time
from portal.domain import agreements as dom
from portal.domain import funding as funding_rules
from portal.domain import transfer_guarantee as guarantee_rules
from portal.domain.vocab import MBO_DOMAINS, names
from portal.models.agreement import Agreement

DOMAIN_NAMES = names(MBO_DOMAINS)


def _date(value) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def _party_name(agreement: Agreement, party_id: int | None) -> str:
    party = next((p for p in agreement.parties if p.id == party_id), None)
    return party.organisation.name if party is not None else "?"


def content_snapshot(agreement: Agreement) -> dict:
    """Everything that is agreed, without the signatures."""
    examining = agreement.examining_organisation
    data = {
        "title": agreement.title,
        "period": f"{_date(agreement.start_date)} t/m {_date(agreement.end_date)}",
        "internal": bool(agreement.is_internal),
        "routes": [r.title for r in agreement.routes],
        "parties": [
            f"{p.organisation.name} ({dom.PARTY_ROLES.get(p.role, p.role)}), bevoegd gezag: "
            f"{p.governing_body_name or '—'}" + (f" ({p.governing_body_number})" if p.governing_body_number else "")
            for p in agreement.parties
        ],
        "mbo_domain": DOMAIN_NAMES.get(agreement.mbo_domain_code or "", None),
        "examining_party": examining.name if examining is not None else None,
        "team_qualification": agreement.team_qualification,
        "route_duration_months": agreement.route_duration_months,
        "funding_shares": [
            f"{funding_rules.group_label(s.stream, s.school_year)}: {_party_name(agreement, s.party_id)} "
            f"{funding_rules.format_decimal(Decimal(s.percentage))} %"
            for s in agreement.funding_shares
        ],
        "funding_totals": [
            f"{funding_rules.group_label(t.stream, t.school_year)}: € {funding_rules.format_decimal(Decimal(t.amount))}, "
            f"ontvanger {_party_name(agreement, t.recipient_party_id)}"
            + (f"; bestemming: {t.purpose}" if t.purpose else "")
            for t in agreement.funding_totals
        ],
        "guarantee": [
            f"Maand {g.from_month} t/m {g.to_month}: {guarantee_rules.DESTINATIONS.get(g.destination, g.destination)}; "
            f"verantwoordelijk: {_party_name(agreement, g.responsible_party_id)}; "
            f"wachttijd hoogstens {g.max_wait_days} schooldagen"
            + (f"; {g.description}" if g.description else "")
            + (f"; reden Entree: {g.entree_reason}" if g.entree_reason else "")
            for g in agreement.guarantee_phases
        ],
    }
    for key in dom.TEXT_CLAUSES:
        data[key] = getattr(agreement, key, None)
    return data


def full_snapshot(agreement: Agreement) -> dict:
    """The content plus status and signatures: what a version row keeps."""
    data = content_snapshot(agreement)
    data["status"] = dom.STATUSES.get(agreement.status, agreement.status)
    data["signatures"] = [
        f"{p.organisation.name}: getekend door {p.signed_by_name} op "
        f"{local_time.display(p.signed_at)} namens {p.signed_on_behalf_of}"
        for p in agreement.parties if p.signed_at is not None
    ]
    return data
