"""Rules for samenwerkingsovereenkomsten, as plain Python (no Flask, no SQLAlchemy).

- the funding split lives in portal.domain.funding and the overstapgarantie in
  portal.domain.transfer_guarantee (both re-exported here);
- the completeness checklist of required clauses (Besluit experimenten
  doorlopende leerlijnen art. 4, the 2020 law);
- status transitions and expiry; interne regeling; school-year validity;
- snapshots and a readable diff between two versions.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from portal.domain.funding import (
    FundingCheck,
    missing_years_messages,
)
from portal.domain.transfer_guarantee import (
    GuaranteeCheck,
)

STATUSES: dict[str, str] = {
    "concept": "Concept",
    "ter_ondertekening": "Ter ondertekening",
    "getekend": "Getekend",
    "verlopen": "Verlopen",
    "opgezegd": "Opgezegd",
}

PARTY_ROLES: dict[str, str] = {
    "vmbo": "Vmbo-school",
    "mbo": "Mbo-instelling",
    "employer": "Bedrijfsleven",
    "gemeente": "Gemeente",
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "concept": frozenset({"ter_ondertekening"}),
    "ter_ondertekening": frozenset({"concept", "getekend", "opgezegd"}),
    "getekend": frozenset({"concept", "verlopen", "opgezegd"}),
    "verlopen": frozenset(),
    "opgezegd": frozenset(),
}
EDITABLE_STATUSES = frozenset({"concept", "ter_ondertekening", "getekend"})

# --- parties, status, dates ------------------------------------------------

def _norm(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).strip()


def is_internal_arrangement(parties: Iterable[tuple[str, str | None, str | None]]) -> bool:
    """(role, bevoegd gezag name, number): an "interne regeling" when one legal
    body runs both the vmbo and the mbo side. Compared by number where every
    school party has one, else by name."""
    school = [(role, name, number) for role, name, number in parties if role in ("vmbo", "mbo")]
    if not {r for r, _, _ in school} >= {"vmbo", "mbo"}:
        return False
    if all(number for _, _, number in school):
        return len({cast(str, number).strip() for _, _, number in school}) == 1  # all set: checked above
    names = {_norm(name) for _, name, _ in school}
    return len(names) == 1 and "" not in names


def party_role_error(org_kind: str, org_name: str, role: str) -> str | None:
    """A school is a party as what it is: a vmbo school as vmbo, an mbo
    institution as mbo (the examining party must really be an mbo institution);
    an employer or other organisation as employer or gemeente."""
    if org_kind in ("vmbo", "mbo") and role != org_kind:
        return f"{org_name} is een {PARTY_ROLES[org_kind].lower()} en is dus partij als {org_kind}."
    if org_kind not in ("vmbo", "mbo") and role in ("vmbo", "mbo"):
        return f"{org_name} is geen school: kies de rol bedrijfsleven of gemeente."
    return None


def effective_status(status: str, end_date: date | None, today: date) -> str:
    """A signed agreement is verlopen from the day after its end date."""
    if status == "getekend" and end_date is not None and today > end_date:
        return "verlopen"
    return status


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def termination_date_error(on: date, start_date: date, end_date: date) -> str | None:
    """A termination lies within the agreement's period (start to end date)."""
    if on < start_date:
        return "De opzegdatum ligt voor het begin van de looptijd."
    if on > end_date:
        return "De opzegdatum ligt na het einde van de looptijd."
    return None


def expiring_within(end_date: date, today: date, days: int = 90) -> bool:
    return 0 <= (end_date - today).days <= days


# --- completeness -----------------------------------------------------------

@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    message: str = ""


@dataclass
class AgreementFacts:
    """What the checklist needs to know, as plain values."""

    title: str = ""
    route_count: int = 0
    start_date: date | None = None
    end_date: date | None = None
    parties: list[tuple[str, str | None]] = field(default_factory=list)  # (role, bevoegd gezag)
    examining_role: str | None = None  # the role of the examining party, None if unset
    clauses: dict[str, str] = field(default_factory=dict)
    mbo_domain: str | None = None
    team_qualification: bool | None = None
    funding: FundingCheck | None = None
    funding_lines: int = 0
    # per stream, the school years of the period without shares (funding.missing_school_years)
    funding_missing_years: dict[str, list[str]] = field(default_factory=dict)
    guarantee: GuaranteeCheck | None = None


TEXT_CLAUSES: dict[str, str] = {
    "facilities_use": "Gebruik van elkaars voorzieningen",
    "cooperation_form": "Vorm van samenwerking",
    "governance": "Bestuur (governance)",
    "design": "Organisatorische en onderwijskundige inrichting",
    "complaints_procedure": "Klachtenregeling",
    "sector": "Sector",
    "employer_role": "Rol van het bedrijfsleven",
    "team_qualification_description": "Toelichting teambevoegdheid",
    "participation": "Medezeggenschap",
    "transfer_option": "Overstapoptie (afspraken)",
    "funding_purpose": "Omvang en bestemming van de middelen",
}


def _filled(facts: AgreementFacts, key: str) -> bool:
    return bool((facts.clauses.get(key) or "").strip())


def completeness(facts: AgreementFacts) -> list[ChecklistItem]:  # noqa: C901  one flat check per checklist item
    """The required parts, each ok or with what is missing."""
    items: list[ChecklistItem] = []

    def item(key: str, label: str, missing: list[str]) -> None:
        items.append(ChecklistItem(key, label, not missing, " ".join(missing)))

    basics = []
    if not facts.title.strip():
        basics.append("Geef de overeenkomst een titel.")
    if facts.route_count < 1:
        basics.append("Kies minstens één leerroute.")
    if not facts.start_date or not facts.end_date:
        basics.append("Vul de begin- en einddatum in.")
    elif facts.end_date <= facts.start_date:
        basics.append("De einddatum moet na de begindatum liggen.")
    item("basics", "Titel, leerroutes en looptijd", basics)

    roles = {role for role, _ in facts.parties}
    parties = []
    if "vmbo" not in roles or "mbo" not in roles:
        parties.append("Minstens één vmbo-partij en één mbo-partij.")
    if any(not (gb or "").strip() for _, gb in facts.parties):
        parties.append("Vul bij elke partij het bevoegd gezag in dat tekent.")
    item("parties", "Partijen en hun bevoegd gezag", parties)

    item("facilities_use", "Gebruik van elkaars voorzieningen",
         [] if _filled(facts, "facilities_use") else ["Beschrijf het gebruik van elkaars voorzieningen."])
    coop = [f"Vul '{TEXT_CLAUSES[k]}' in." for k in ("cooperation_form", "governance", "design")
            if not _filled(facts, k)]
    item("cooperation", "Vorm van samenwerking, bestuur en inrichting", coop)

    guarantee = []
    if not _filled(facts, "transfer_option"):
        guarantee.append("Beschrijf de overstapoptie.")
    if facts.guarantee is None or not facts.guarantee.ok:
        guarantee.append("De fasen van de overstapgarantie zijn niet volledig of niet juist.")
    item("transfer_option", "Overstapoptie en overstapgarantie", guarantee)

    item("complaints_procedure", "Klachtenregeling",
         [] if _filled(facts, "complaints_procedure") else ["Beschrijf de klachtenregeling."])
    sector = []
    if not _filled(facts, "sector"):
        sector.append("Vul de sector in.")
    if not facts.mbo_domain:
        sector.append("Kies het opleidingsdomein.")
    item("sector", "Sector en opleidingsdomein", sector)
    item("employer_role", "Rol van het bedrijfsleven",
         [] if _filled(facts, "employer_role") else
         ["Beschrijf de rol van werkgevers bij de keuze van kwalificaties en de inrichting."])

    funding = []
    if facts.funding_lines == 0:
        funding.append("Leg de verdeling van de middelen vast (aandelen per geldstroom en schooljaar).")
    elif facts.funding is None or not facts.funding.ok:
        funding.append("De aandelen tellen niet per geldstroom en schooljaar op tot 100,00 %.")
    if facts.funding_lines and facts.funding_missing_years:
        funding.append("De verdeling moet elk schooljaar van de looptijd dekken.")
        funding.extend(missing_years_messages(facts.funding_missing_years))
    if not _filled(facts, "funding_purpose"):
        funding.append("Beschrijf omvang en bestemming van de over te dragen middelen.")
    item("funding", "Overdracht van middelen (omvang en bestemming)", funding)

    exam = []
    if facts.examining_role is None:
        exam.append("Kies de examinerende partij.")
    elif facts.examining_role != "mbo":
        exam.append("De examinerende partij moet een mbo-partij zijn.")
    item("examining_party", "Examinering en diplomering", exam)

    team = []
    if facts.team_qualification is None:
        team.append("Geef aan of er teambevoegdheid is (ja of nee).")
    elif facts.team_qualification and not _filled(facts, "team_qualification_description"):
        team.append("Beschrijf de teambevoegdheid.")
    item("team_qualification", "Teambevoegdheid", team)
    item("participation", "Medezeggenschap",
         [] if _filled(facts, "participation") else ["Beschrijf hoe de medezeggenschap is geregeld."])
    return items


def is_complete(items: Sequence[ChecklistItem]) -> bool:
    return all(i.ok for i in items)


# --- versions ---------------------------------------------------------------

SNAPSHOT_LABELS: dict[str, str] = {
    "title": "Titel",
    "status": "Status",
    "period": "Looptijd",
    "internal": "Interne regeling",
    "routes": "Leerroutes",
    "parties": "Partijen",
    "signatures": "Handtekeningen",
    "document": "Getekend document",
    **TEXT_CLAUSES,
    "mbo_domain": "Opleidingsdomein",
    "examining_party": "Examinerende partij",
    "team_qualification": "Teambevoegdheid",
    "route_duration_months": "Duur van de route (maanden)",
    "funding_shares": "Verdeling van de middelen",
    "funding_totals": "Bedragen",
    "guarantee": "Overstapgarantie",
}


@dataclass(frozen=True)
class DiffEntry:
    key: str
    label: str
    before: str | None = None
    after: str | None = None
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> list[DiffEntry]:
    """What changed between two snapshots, in the order of SNAPSHOT_LABELS.
    Lists show removed and added lines; text shows before and after."""
    out: list[DiffEntry] = []
    keys = list(SNAPSHOT_LABELS) + sorted((old.keys() | new.keys()) - SNAPSHOT_LABELS.keys())
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        label = SNAPSHOT_LABELS.get(key, key)
        if isinstance(a, list) or isinstance(b, list):
            a_list, b_list = [str(x) for x in a or []], [str(x) for x in b or []]
            out.append(DiffEntry(key, label,
                                 removed=tuple(x for x in a_list if x not in b_list),
                                 added=tuple(x for x in b_list if x not in a_list)))
        else:
            out.append(DiffEntry(key, label, before=_text(a), after=_text(b)))
    return out


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)
