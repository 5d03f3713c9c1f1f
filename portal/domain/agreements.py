"""Rules for samenwerkingsovereenkomsten, as plain Python (no Flask, no SQLAlchemy).

- funding shares: per funding stream and school year the shares add up to exactly
  100.00 %, held as Decimal; amounts per party are derived with exact cents, and
  so are the transfers between parties ("wie de inspanning verricht, ontvangt
  de middelen");
- overstapgarantie: for a GLR the phases cover the whole route without gaps or
  overlaps and every phase offers a place on vmbo or mbo niveau 2 (motie Kwint);
  Entree alone only with a stated reason, and flagged;
- the completeness checklist of required clauses (Besluit experimenten
  doorlopende leerlijnen art. 4, the 2020 law);
- status transitions and expiry; interne regeling; school-year validity;
- snapshots and a readable diff between two versions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Hashable, Iterable, Sequence

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")

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

FUNDING_STREAMS: dict[str, str] = {
    "lumpsum_vo": "Lumpsum vo",
    "rijksbijdrage_mbo": "Rijksbijdrage mbo",
    "sterk_techniek": "Subsidie Sterk Techniekonderwijs",
    "regionaal_investeringsfonds": "Regionaal investeringsfonds",
    "bijdrage_bedrijfsleven": "Bijdrage bedrijfsleven",
}

DESTINATIONS: dict[str, str] = {
    "vmbo_bb": "Ander profiel of andere route in vmbo-bb",
    "mbo2": "Opleiding op mbo niveau 2",
    "entree": "Entree-opleiding",
}
# Destinations that are "een passende plek op vmbo of mbo niveau 2" (motie Kwint).
KWINT_DESTINATIONS = frozenset({"vmbo_bb", "mbo2"})

# Editing, sending and signing: which stored status may become which.
TRANSITIONS: dict[str, frozenset[str]] = {
    "concept": frozenset({"ter_ondertekening"}),
    "ter_ondertekening": frozenset({"concept", "getekend", "opgezegd"}),
    "getekend": frozenset({"concept", "verlopen", "opgezegd"}),
    "verlopen": frozenset(),
    "opgezegd": frozenset(),
}
EDITABLE_STATUSES = frozenset({"concept", "ter_ondertekening", "getekend"})


class FundingSharesInvalid(ValueError):
    def __init__(self, check: FundingCheck):
        self.check = check
        super().__init__("; ".join(check.messages()))


# --- numbers ---------------------------------------------------------------

def parse_decimal(text: str | Decimal | int | None, *, places: int = 2) -> Decimal:
    """Parse '60', '33,33' or '1.234,50' into a Decimal with at most `places`
    decimals. Raises ValueError with a Dutch message; never rounds."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        raw = (text or "").strip().replace(" ", "").replace("€", "").replace("%", "")
        if not raw:
            raise ValueError("Vul een getal in.")
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
            raise ValueError("Vul een getal in, bijvoorbeeld 33,33.")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError("Vul een getal in, bijvoorbeeld 33,33.") from None
    if not value.is_finite():
        raise ValueError("Vul een getal in.")
    if -value.as_tuple().exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"Gebruik hoogstens {places} decimalen.")
    return value.quantize(Decimal(1).scaleb(-places))


def format_decimal(value: Decimal | None, places: int = 2) -> str:
    """Dutch notation: 1.234,50."""
    if value is None:
        return ""
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if places else "")


# --- funding shares ---------------------------------------------------------

@dataclass(frozen=True)
class ShareLine:
    stream: str
    school_year: str
    party: Hashable
    percentage: Decimal


@dataclass
class FundingCheck:
    """Result of checking share lines: errors per row index (shown at the row
    that breaks the rule), per group, and the sum of each group."""

    row_errors: dict[int, list[str]] = field(default_factory=dict)
    sums: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    group_rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.row_errors

    def messages(self) -> list[str]:
        return [m for i in sorted(self.row_errors) for m in self.row_errors[i]]

    def add(self, index: int, message: str) -> None:
        self.row_errors.setdefault(index, []).append(message)


def group_label(stream: str, school_year: str) -> str:
    return f"{FUNDING_STREAMS.get(stream, stream)} {school_year}"


def check_funding_shares(lines: Sequence[ShareLine], *, raise_on_error: bool = False) -> FundingCheck:
    """Every share 0..100 with at most two decimals; one share per party per
    stream and year; the shares of one stream and year add up to exactly 100.00.
    A wrong sum is reported at the last row of the group, the row that closes it."""
    check = FundingCheck()
    seen: dict[tuple[str, str, Hashable], int] = {}
    for i, line in enumerate(lines):
        key = (line.stream, line.school_year)
        check.group_rows.setdefault(key, []).append(i)
        pct = line.percentage
        if not isinstance(pct, Decimal):
            check.add(i, "Het aandeel moet een decimaal getal zijn.")
            continue
        if pct < 0:
            check.add(i, "Een aandeel kan niet negatief zijn.")
        elif pct > HUNDRED:
            check.add(i, "Een aandeel is hoogstens 100 %.")
        if pct != pct.quantize(CENT):
            check.add(i, "Gebruik hoogstens 2 decimalen; er wordt niet afgerond.")
        if line.stream not in FUNDING_STREAMS:
            check.add(i, "Kies een geldige geldstroom.")
        dup = (line.stream, line.school_year, line.party)
        if dup in seen:
            check.add(i, "Deze partij heeft voor deze geldstroom en dit schooljaar al een aandeel.")
        seen[dup] = i
        check.sums[key] = check.sums.get(key, Decimal("0.00")) + pct
    for key, rows in check.group_rows.items():
        total = check.sums.get(key, Decimal("0.00"))
        if total != HUNDRED:
            check.add(rows[-1], (
                f"De aandelen voor {group_label(*key)} tellen op tot {format_decimal(total)} %; "
                f"dat moet precies 100,00 % zijn."
            ))
    if raise_on_error and not check.ok:
        raise FundingSharesInvalid(check)
    return check


def allocate(total: Decimal, shares: Sequence[tuple[Hashable, Decimal]]) -> dict[Hashable, Decimal]:
    """Split `total` (euros, 2 decimals) by percentages that add up to 100 so the
    amounts add up to the total exactly: round down to cents, then give the
    remaining cents to the largest remainders (ties: the earlier party)."""
    if total < 0:
        raise ValueError("Een bedrag kan niet negatief zijn.")
    total = total.quantize(CENT)
    exact = [(key, total * pct / HUNDRED) for key, pct in shares]
    floored = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact}
    left = int(((total - sum(floored.values(), Decimal("0"))) / CENT).to_integral_value())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - floored[exact[i][0]]), i))
    for i in order[:max(left, 0)]:
        floored[exact[i][0]] += CENT
    return floored


@dataclass(frozen=True)
class Transfer:
    stream: str
    school_year: str
    from_party: Hashable
    to_party: Hashable
    amount: Decimal
    purpose: str


def derive_transfers(stream: str, school_year: str, total: Decimal, recipient: Hashable,
                     shares: Sequence[tuple[Hashable, Decimal]], purpose: str = "") -> list[Transfer]:
    """The party that receives a stream passes each other party its share:
    wie de inspanning verricht, ontvangt de middelen."""
    amounts = allocate(total, shares)
    return [Transfer(stream, school_year, recipient, party, amount, purpose)
            for party, amount in amounts.items() if party != recipient and amount > 0]


# --- overstapgarantie -------------------------------------------------------

@dataclass(frozen=True)
class Phase:
    from_month: int | None
    to_month: int | None
    destination: str
    responsible: Hashable | None = None
    max_wait_days: int | None = None
    description: str = ""
    entree_reason: str = ""


@dataclass
class GuaranteeCheck:
    row_errors: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # Entree-only phases (with a reason)

    @property
    def ok(self) -> bool:
        return not self.row_errors and not self.general

    def add(self, index: int | None, message: str) -> None:
        if index is None:
            self.general.append(message)
        else:
            self.row_errors.setdefault(index, []).append(message)

    def messages(self) -> list[str]:
        return self.general + [m for i in sorted(self.row_errors) for m in self.row_errors[i]]


def check_transfer_guarantee(phases: Sequence[Phase], duration_months: int | None, *,
                             full_coverage: bool) -> GuaranteeCheck:
    """Check the overstapgarantie phases of a route of `duration_months`.

    Always: months within the route, from <= to, no overlaps, a destination, a
    responsible party, a non-negative waiting time; every phase offers a place
    on vmbo-bb or mbo niveau 2 (motie Kwint) unless it is an Entree exception
    with a stated reason, which is flagged. With `full_coverage` (a GLR or DLR:
    "for each phase of the route, from its first month to its end, one entry")
    the phases also cover month 1 to the last month without gaps."""
    check = GuaranteeCheck()
    if not duration_months or duration_months < 1:
        check.add(None, "Vul de duur van de route in maanden in.")
        duration_months = None
    if not phases:
        check.add(None, "Voeg minstens één fase van de overstapgarantie toe.")
        return check
    valid: list[tuple[int, int, int]] = []
    for i, p in enumerate(phases):
        if p.from_month is None or p.to_month is None:
            check.add(i, "Vul de begin- en eindmaand van de fase in.")
        elif p.from_month < 1:
            check.add(i, "De fase begint op zijn vroegst in maand 1.")
        elif p.to_month < p.from_month:
            check.add(i, "De eindmaand ligt vóór de beginmaand.")
        elif duration_months and p.to_month > duration_months:
            check.add(i, f"De fase loopt tot na het einde van de route (maand {duration_months}).")
        else:
            valid.append((p.from_month, p.to_month, i))
        if p.destination not in DESTINATIONS:
            check.add(i, "Kies waar de leerling terechtkan.")
        elif p.destination == "entree":
            if not (p.entree_reason or "").strip():
                check.add(i, "Alleen Entree mag alleen met een reden: een passende plek op vmbo of "
                             "mbo niveau 2 is de regel (motie Kwint).")
            else:
                check.flagged.append(i)
        if p.responsible is None:
            check.add(i, "Kies de verantwoordelijke partij.")
        if p.max_wait_days is None:
            check.add(i, "Vul de maximale wachttijd in schooldagen in.")
        elif p.max_wait_days < 0:
            check.add(i, "De wachttijd kan niet negatief zijn.")
    valid.sort()
    for (a_from, a_to, a_i), (b_from, b_to, b_i) in zip(valid, valid[1:]):
        if b_from <= a_to:
            check.add(b_i, f"Deze fase overlapt met een andere fase (maand {b_from} tot en met {min(a_to, b_to)}).")
        elif full_coverage and b_from > a_to + 1:
            check.add(b_i, f"Er zit een gat tussen de fasen: maand {a_to + 1} tot en met {b_from - 1} "
                           f"heeft geen overstapgarantie.")
    if full_coverage and valid and not check.row_errors and duration_months:
        if valid[0][0] > 1:
            check.add(valid[0][2], f"Er zit een gat aan het begin: maand 1 tot en met {valid[0][0] - 1} "
                                   f"heeft geen overstapgarantie.")
        last_to = max(v[1] for v in valid)
        if last_to < duration_months:
            check.add(valid[-1][2], f"Er zit een gat aan het eind: maand {last_to + 1} tot en met "
                                    f"{duration_months} heeft geen overstapgarantie.")
    return check


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
        return len({number.strip() for _, _, number in school}) == 1
    names = {_norm(name) for _, name, _ in school}
    return len(names) == 1 and "" not in names


def effective_status(status: str, end_date: date | None, today: date) -> str:
    """A signed agreement is verlopen from the day after its end date."""
    if status == "getekend" and end_date is not None and today > end_date:
        return "verlopen"
    return status


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def school_year_bounds(school_year: str) -> tuple[date, date]:
    """2025-2026 -> 1 August 2025 .. 31 July 2026."""
    start = int(school_year[:4])
    return date(start, 8, 1), date(start + 1, 7, 31)


def school_year_of(day: date) -> str:
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def valid_in_school_year(*, signed: bool, start_date: date, end_date: date,
                         terminated_on: date | None, school_year: str) -> bool:
    """A signed agreement is valid in a school year when its period (cut short
    by an early termination) overlaps that year."""
    if not signed:
        return False
    year_start, year_end = school_year_bounds(school_year)
    last = min(end_date, terminated_on) if terminated_on else end_date
    return start_date <= year_end and last >= year_start


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


def completeness(facts: AgreementFacts) -> list[ChecklistItem]:
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


def diff_snapshots(old: dict, new: dict) -> list[DiffEntry]:
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


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)
