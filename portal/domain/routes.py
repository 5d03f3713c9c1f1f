"""The rules of the field for a leerroute, as pure functions.

No Flask, no SQLAlchemy: the service hands in plain values (a RouteInput and
the facts about the chosen organisations) and gets back Dutch messages keyed
by the form field they belong to. The form, the CSV import and the API all
go through the same service, so these rules cannot be bypassed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.domain import vocab
from portal.domain.bounds import parse_whole_number
from portal.domain.email import email_error
from portal.domain.identifiers import crebo_error, school_year_error

STATUSES = ("concept", "voorbereiding", "actief", "beeindigd")
STATUS_NAMES = {
    "concept": "Concept",
    "voorbereiding": "In voorbereiding",
    "actief": "Actief",
    "beeindigd": "Beëindigd",
}
TEACHING_LOCATIONS = ("vmbo", "mbo", "beide")
# The roles of a route's parties (an agreement also knows "gemeente").
PARTY_ROLES = ("vmbo", "mbo", "employer")
TEACHING_LOCATION_NAMES = {"vmbo": "Op de vmbo-locatie", "mbo": "Op de mbo-locatie", "beide": "Op beide locaties"}

VOCATIONAL_PATHWAYS = frozenset({"BB", "KB", "GL"})
TL_PROFILE_CODES = vocab.codes(vocab.TL_PROFILES)
VOCATIONAL_PROFILE_CODES = vocab.codes(vocab.VOCATIONAL_PROFILES)
KIND_NAMES = vocab.names(vocab.ROUTE_KINDS)

# Field labels in Dutch, used for messages and the history tab.
FIELD_LABELS = {
    "title": "Titel",
    "kind": "Soort route",
    "vmbo_parties": "Vmbo-partijen",
    "mbo_parties": "Mbo-partijen",
    "mbo_location": "Mbo-locatie",
    "employer_parties": "Bedrijven",
    "pathways": "Leerwegen",
    "profiles": "Profielen",
    "crebo": "Crebo-code",
    "qualification_name": "Kwalificatie",
    "mbo_domain": "Opleidingsdomein",
    "mbo_level": "Mbo-niveau",
    "teaching_location": "Waar les",
    "first_school_year": "Eerste schooljaar",
    "last_school_year": "Laatste schooljaar",
    "status": "Status",
    "pupils_per_cohort": "Leerlingen per cohort",
    "contact_name": "Contactpersoon",
    "contact_email": "E-mail contactpersoon",
    "contact_phone": "Telefoon contactpersoon",
    "description": "Omschrijving",
    "archived": "Gearchiveerd",
    "duo_registration": "Registratie bij DUO",
}


@dataclass
class RouteInput:
    """What a user supplies for a route (already parsed into Python values)."""

    title: str = ""
    kind: str = ""
    vmbo_parties: list[int] = field(default_factory=list)
    mbo_parties: list[int] = field(default_factory=list)
    employer_parties: list[int] = field(default_factory=list)
    # The location (MboLocation id) of one of the mbo parties where the route is taught.
    mbo_location: int | None = None
    pathways: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    crebo: str | None = None
    qualification_name: str | None = None
    mbo_domain: str | None = None
    mbo_level: str | None = None
    teaching_location: str = "beide"
    first_school_year: str = ""
    last_school_year: str | None = None
    status: str = "concept"
    pupils_per_cohort: int | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    description: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RouteInput:
        """Build from a dict (API, seeds); unknown keys are ignored."""
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in dict(data).items() if k in names})


@dataclass(frozen=True)
class PartyFacts:
    """What the rules need to know about a chosen organisation."""

    id: int
    name: str
    kind: str  # organisation kind: vmbo, mbo, employer, other
    pathways: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()


@dataclass
class RuleResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def warn(self, name: str, message: str) -> None:
        self.warnings.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def normalise(data: RouteInput) -> RouteInput:
    """Trim strings, drop duplicates and empties (keeps order)."""
    def unique(values: Iterable[Any]) -> list[Any]:
        out = []
        for v in values:
            if v not in (None, "") and v not in out:
                out.append(v)
        return out

    return RouteInput(
        title=(data.title or "").strip(),
        kind=(data.kind or "").strip(),
        vmbo_parties=unique(data.vmbo_parties),
        mbo_parties=unique(data.mbo_parties),
        employer_parties=unique(data.employer_parties),
        mbo_location=data.mbo_location if isinstance(data.mbo_location, int) else None,
        pathways=unique(p.strip().upper() for p in data.pathways if p),
        profiles=unique(p.strip() for p in data.profiles if p),
        crebo=_clean(data.crebo),
        qualification_name=_clean(data.qualification_name),
        mbo_domain=_clean(data.mbo_domain),
        mbo_level=_clean(str(data.mbo_level) if data.mbo_level is not None else None),
        teaching_location=(data.teaching_location or "beide").strip(),
        first_school_year=(data.first_school_year or "").strip(),
        last_school_year=_clean(data.last_school_year),
        status=(data.status or "concept").strip(),
        pupils_per_cohort=data.pupils_per_cohort,
        contact_name=_clean(data.contact_name),
        contact_email=_clean(data.contact_email),
        contact_phone=_clean(data.contact_phone),
        description=_clean(data.description),
    )


TOO_MANY_PUPILS = "Dat zijn wel erg veel leerlingen; vul het aantal per cohort in."


def parse_pupils(value: object) -> tuple[int | None, str | None]:
    """'25' -> (25, None); '' -> (None, None); 'veel' -> (None, message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        parsed = parse_whole_number(value)
        if parsed is None:
            # also '--5' and a number of thousands of digits (int() would raise)
            if str(value).strip().isascii() and str(value).strip().isdecimal():
                return None, TOO_MANY_PUPILS
            return None, "Vul een geheel getal van 0 of meer in."
        number = parsed
    if number < 0:
        return None, "Vul een geheel getal van 0 of meer in."
    if number > 100000:
        return None, TOO_MANY_PUPILS
    return number, None


# --- the rules of each kind -------------------------------------------------

def check_kind_rules(data: RouteInput, result: RuleResult) -> None:
    """Leerweg and niveau per soort route (GLOSSARY, issue 3)."""
    kind, level, pathways = data.kind, data.mbo_level, set(data.pathways)
    if kind == "glr":
        if pathways - {"BB", "KB"}:
            result.error("pathways", "Een geïntegreerde route (GLR) is voor de leerwegen BB en KB.")
        if level != "2":
            result.error("mbo_level", "Een geïntegreerde route (GLR) leidt naar mbo-niveau 2 "
                                      "(een diploma op niveau 2, geëxamineerd door het mbo).")
        if not data.crebo:
            result.error("crebo", "Een geïntegreerde route eindigt met een mbo-2-diploma: "
                                  "vul de crebo-code van de kwalificatie in.")
    elif kind == "vakmanschap":
        to_2 = level == "2" and pathways <= {"BB", "KB"}
        to_3 = level == "3" and pathways <= {"KB"}
        if level == "3" and not pathways <= {"KB"}:
            result.error("pathways", "Een vakmanschaproute naar niveau 3 is alleen voor de leerweg KB.")
        elif level == "2" and not pathways <= {"BB", "KB"}:
            result.error("pathways", "Een vakmanschaproute is voor de leerwegen BB en KB.")
        elif not (to_2 or to_3):
            result.error("mbo_level", "Een vakmanschaproute leidt van BB/KB naar niveau 2, "
                                      "of van KB naar niveau 3.")
    elif kind in ("beroeps", "technologie"):
        name = "beroepsroute" if kind == "beroeps" else "technologieroute"
        if pathways - {"KB", "GL", "TL"}:
            result.error("pathways", f"Een {name} is voor de leerwegen KB, GL en TL.")
        if level != "4":
            result.error("mbo_level", f"Een {name} leidt naar mbo-niveau 4.")
    elif kind == "dlr":
        if level not in ("2", "3", "4"):
            result.error("mbo_level", "Een doorlopende leerroute (DLR) leidt naar mbo-niveau 2, 3 of 4.")
    # A leerlab needs no niveau or qualification.
    if kind != "leerlab" and not pathways:
        result.error("pathways", "Kies minstens één leerweg.")


def check_profiles_match_pathways(pathways: Iterable[str], profiles: Iterable[str], result: RuleResult) -> None:
    """TL takes the 4 TL-profielen; BB/KB/GL take the 10 beroepsgerichte."""
    pathways, profiles = set(pathways), list(profiles)
    names = vocab.names(vocab.PROFILES)
    for code in profiles:
        if code not in names:
            result.error("profiles", f"Onbekend profiel: {code}.")
        elif code in TL_PROFILE_CODES and "TL" not in pathways:
            result.error("profiles", f"Het profiel {names[code]} hoort bij de theoretische leerweg (TL); "
                                     "kies TL als leerweg of een beroepsgericht profiel.")
        elif code in VOCATIONAL_PROFILE_CODES and not pathways & VOCATIONAL_PATHWAYS:
            result.error("profiles", f"Het profiel {names[code]} hoort bij de leerwegen BB, KB en GL; "
                                     "bij alleen TL kies je een TL-profiel.")


def check_parties(data: RouteInput, facts: Mapping[int, PartyFacts], result: RuleResult) -> None:
    """Roles match the kind of organisation, enough parties, vmbo parties offer the leerweg."""
    seen: set[int] = set()
    for name, role_kinds, label in (
        ("vmbo_parties", {"vmbo"}, "een vmbo-vestiging"),
        ("mbo_parties", {"mbo"}, "een mbo-instelling"),
        ("employer_parties", {"employer", "other"}, "een bedrijf of andere organisatie"),
    ):
        for org_id in getattr(data, name):
            party = facts.get(org_id)
            if party is None:
                result.error(name, f"Organisatie {org_id} bestaat niet.")
                continue
            if party.kind not in role_kinds:
                result.error(name, f"{party.name} is geen {label}.")
            if org_id in seen:
                result.error(name, f"{party.name} is al partij in een andere rol.")
            seen.add(org_id)
    if not data.mbo_parties:
        result.error("mbo_parties", "Kies minstens één mbo-instelling als partij.")
    if not data.vmbo_parties and data.kind != "leerlab":
        result.error("vmbo_parties", "Kies minstens één vmbo-vestiging als partij "
                                     "(alleen een leerlab kan zonder).")
    vmbo = [facts[i] for i in data.vmbo_parties if i in facts and facts[i].kind == "vmbo"]
    chosen = set(data.pathways)
    if chosen and vmbo:
        offered_any: set[str] = set()
        for party in vmbo:
            if not party.pathways:
                offered_any |= chosen  # unknown: do not block on missing data
                continue
            offered_any |= party.pathways
            if not party.pathways & chosen:
                result.error("vmbo_parties", f"{party.name} biedt geen van de gekozen leerwegen aan "
                                             f"({', '.join(sorted(chosen))}).")
        missing = sorted(chosen - offered_any)
        if missing:
            result.error("pathways", f"Geen van de vmbo-partijen biedt de leerweg {', '.join(missing)} aan.")
    profiles = set(data.profiles)
    names = vocab.names(vocab.PROFILES)
    for party in vmbo:
        if party.profiles and profiles - party.profiles:
            absent = ", ".join(names.get(p, p) for p in sorted(profiles - party.profiles))
            result.warn("profiles", f"Let op: {party.name} biedt het profiel {absent} niet aan.")


def check_school_years(first: str, last: str | None, result: RuleResult) -> None:
    if not first:
        result.error("first_school_year", "Vul het eerste schooljaar in, bijvoorbeeld 2025-2026.")
    elif message := school_year_error(first):
        result.error("first_school_year", message)
    if last:
        if message := school_year_error(last):
            result.error("last_school_year", message)
        elif first and not school_year_error(first) and last < first:
            result.error("last_school_year", "Het laatste schooljaar ligt vóór het eerste schooljaar.")


def check_route(data: RouteInput, facts: Mapping[int, PartyFacts]) -> RuleResult:
    """All rules for a route. `data` should be normalised; `facts` holds the
    chosen organisations by id (a missing id is reported)."""
    result = RuleResult()
    if not data.title:
        result.error("title", "Vul een titel in.")
    elif len(data.title) > 255:
        result.error("title", "Een titel is hoogstens 255 tekens.")
    if data.kind not in KIND_NAMES:
        result.error("kind", "Kies de soort route.")
    if data.status not in STATUSES:
        result.error("status", "Kies een status: concept, in voorbereiding, actief of beëindigd.")
    if data.teaching_location not in TEACHING_LOCATIONS:
        result.error("teaching_location", "Kies waar de route les geeft: vmbo-locatie, mbo-locatie of beide.")
    unknown = [p for p in data.pathways if p not in vocab.codes(vocab.PATHWAYS)]
    if unknown:
        result.error("pathways", f"Onbekende leerweg: {', '.join(unknown)}.")
    if data.mbo_level is not None and data.mbo_level not in vocab.codes(vocab.MBO_LEVELS):
        result.error("mbo_level", "Kies mbo-niveau 1, 2, 3 of 4.")
    if data.mbo_domain is not None and data.mbo_domain not in vocab.codes(vocab.MBO_DOMAINS):
        result.error("mbo_domain", "Kies een opleidingsdomein uit de lijst.")
    if message := crebo_error(data.crebo):
        result.error("crebo", message)
    if data.crebo and not data.qualification_name:
        result.error("qualification_name", "Vul de naam van de kwalificatie bij de crebo-code in.")
    if data.pupils_per_cohort is not None and data.pupils_per_cohort < 0:
        result.error("pupils_per_cohort", "Vul een geheel getal van 0 of meer in.")
    if data.contact_email and (message := email_error(data.contact_email)):
        result.error("contact_email", message)
    if data.kind in KIND_NAMES:
        check_kind_rules(data, result)
    check_profiles_match_pathways(data.pathways, data.profiles, result)
    check_parties(data, facts, result)
    check_school_years(data.first_school_year, data.last_school_year, result)
    check_lengths(data, result)
    return result


# The most text a route field may hold (the title's limit is checked on its own).
MAX_LENGTHS = {"qualification_name": 255, "contact_name": 255, "contact_email": 255, "contact_phone": 64,
               "description": 10000}


def check_lengths(data: RouteInput, result: RuleResult) -> None:
    """No more text than a column holds (PostgreSQL refuses it with an error,
    SQLite stores it): whatever the entry point, a Dutch message."""
    for name, limit in MAX_LENGTHS.items():
        value = getattr(data, name)
        if value and len(value) > limit:
            result.error(name, f"Hoogstens {limit:,} tekens (nu {len(value):,}).".replace(",", "."))


def check_status_transition(old: str | None, new: str) -> str | None:
    """A Dutch message when the status change is not allowed, else None.
    Only shape rules here; rules that need data (a signed agreement) live in
    the service."""
    if new not in STATUSES:
        return "Kies een status: concept, in voorbereiding, actief of beëindigd."
    if old == "beeindigd" and new == "concept":
        return "Een beëindigde route kan niet terug naar concept; kies in voorbereiding of actief."
    return None
