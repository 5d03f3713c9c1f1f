"""The programme's indicators (issue 17): what is counted against the targets
of the programme letters, as pure functions of the routes that counted in a
school year. No Flask, no SQLAlchemy.

A route counts in a school year when it was actief then (route_state); the
service layer selects those routes and passes them in as CountedRoute. Every
region indicator gives, per arbeidsmarktregio, whether the region meets it,
and nationally the number of regions that do.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Which leerweg goes with which mbo level ("passend bij zijn/haar niveau").
MATCHING_LEVEL = {"BB": "2", "KB": "3", "GL": "4", "TL": "4"}
COVERAGE_KINDS = frozenset({"dlr", "glr"})
NETWORK_KINDS = frozenset({"dlr", "glr", "leerlab"})
VMBO_LOCATIONS = frozenset({"vmbo", "beide"})

REGIONS = "regio's"
PUPILS = "leerlingen"
PERCENT = "%"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str  # one Dutch sentence, shown in the UI and the exports
    unit: str

    @property
    def counts_regions(self) -> bool:
        return self.unit == REGIONS


INDICATORS: dict[str, Indicator] = {i.code: i for i in (
    Indicator("regions_with_route", "Regio's met een actieve route",
              "Het aantal arbeidsmarktregio's met minstens één actieve doorlopende leerroute (DLR), "
              "geïntegreerde route (GLR) of leerlab.", REGIONS),
    Indicator("regions_with_agreements", "Regio's met samenwerkingsafspraken",
              "Het aantal arbeidsmarktregio's met minstens één actieve DLR of GLR waarin elke actieve DLR en "
              "GLR gedekt is door een getekende samenwerkingsovereenkomst die in dat schooljaar geldt.", REGIONS),
    Indicator("regions_bbkb_mbo2_vmbo", "Regio's met mbo 2 in de vmbo-omgeving voor BB en KB",
              "Het aantal arbeidsmarktregio's waar leerlingen uit zowel de basis- als de kaderberoepsgerichte "
              "leerweg een actieve route naar mbo-niveau 2 hebben die (ook) op de vmbo-locatie wordt gegeven.",
              REGIONS),
    Indicator("regions_matching_level", "Regio's met een route op het niveau van elke leerweg",
              "Het aantal arbeidsmarktregio's waar elke leerweg een actieve route op het passende mbo-niveau "
              "heeft: BB naar niveau 2, KB naar niveau 3, GL en TL naar niveau 4.", REGIONS),
    Indicator("regions_multiple_levels", "Regio's met routes op meerdere niveaus",
              "Het aantal arbeidsmarktregio's met actieve routes op meer dan één mbo-niveau.", REGIONS),
    Indicator("pupils_per_cohort", "Leerlingen per cohort in actieve routes",
              "Het totaal van de opgegeven leerlingen per cohort van de actieve routes (landelijk telt elke "
              "route één keer, ook als hij in meer regio's ligt).", PUPILS),
    Indicator("vmbo_share", "Aandeel vmbo-vestigingen in een actieve route",
              "Het percentage vmbo-vestigingen dat als vmbo-partij deelneemt aan minstens één actieve route.",
              PERCENT),
)}


@dataclass(frozen=True, slots=True)
class CountedRoute:
    """A route that counted in a school year, with what the indicators need."""

    id: int
    kind: str
    level: str | None
    teaching_location: str
    pathways: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    pupils: int | None = None
    covered: bool = False  # a signed agreement in force in that school year covers it
    vmbo_ids: frozenset[int] = frozenset()


@dataclass
class Result:
    """One indicator in one school year: the national value and, per region,
    the region's value (1/0 for a region indicator)."""

    code: str
    value: float
    regions: dict[str, float] = field(default_factory=dict)
    region_total: int = 0

    def regions_not_meeting(self) -> list[str]:
        return sorted(code for code, value in self.regions.items() if not value)


# --- per region rules -------------------------------------------------------------

def has_route(routes: Iterable[CountedRoute]) -> bool:
    return any(r.kind in NETWORK_KINDS for r in routes)


def has_agreements(routes: Iterable[CountedRoute]) -> bool:
    covering = [r for r in routes if r.kind in COVERAGE_KINDS]
    return bool(covering) and all(r.covered for r in covering)


def has_bbkb_mbo2_at_vmbo(routes: Iterable[CountedRoute]) -> bool:
    pathways: set[str] = set()
    for r in routes:
        if r.level == "2" and r.teaching_location in VMBO_LOCATIONS:
            pathways |= r.pathways
    return {"BB", "KB"} <= pathways


def has_matching_levels(routes: Iterable[CountedRoute]) -> bool:
    served = {p for r in routes for p in r.pathways if r.level == MATCHING_LEVEL.get(p)}
    return set(MATCHING_LEVEL) <= served


def has_multiple_levels(routes: Iterable[CountedRoute]) -> bool:
    return len({r.level for r in routes if r.level}) > 1


REGION_RULES = {
    "regions_with_route": has_route,
    "regions_with_agreements": has_agreements,
    "regions_bbkb_mbo2_vmbo": has_bbkb_mbo2_at_vmbo,
    "regions_matching_level": has_matching_levels,
    "regions_multiple_levels": has_multiple_levels,
}


def share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def compute(routes: Iterable[CountedRoute], region_codes: Iterable[str],
            vmbo_regions: Mapping[int, str | None]) -> dict[str, Result]:
    """Every indicator for the routes that counted. `region_codes`: the regions
    of the indeling; `vmbo_regions`: every vmbo vestiging's id -> its region."""
    routes = list(routes)
    codes = sorted(set(region_codes))
    per_region: dict[str, list[CountedRoute]] = {code: [] for code in codes}
    for route in routes:
        for code in route.regions:
            if code in per_region:
                per_region[code].append(route)
    results: dict[str, Result] = {}
    for code, rule in REGION_RULES.items():
        values = {region: 1.0 if rule(rs) else 0.0 for region, rs in per_region.items()}
        results[code] = Result(code, sum(values.values()), values, len(codes))
    results["pupils_per_cohort"] = Result(
        "pupils_per_cohort", float(sum(r.pupils or 0 for r in routes)),
        {region: float(sum(r.pupils or 0 for r in rs)) for region, rs in per_region.items()}, len(codes))
    taking_part = {i for r in routes for i in r.vmbo_ids}
    schools: dict[str, list[int]] = {code: [] for code in codes}
    for school_id, region in vmbo_regions.items():
        if region in schools:
            schools[region].append(school_id)
    results["vmbo_share"] = Result(
        "vmbo_share", share(len(taking_part & set(vmbo_regions)), len(vmbo_regions)),
        {region: share(sum(1 for i in ids if i in taking_part), len(ids)) for region, ids in schools.items()},
        len(codes))
    return results


def format_value(indicator: Indicator, value: float | None, region_total: int | None = None) -> str:
    """A value as the UI writes it: "12 van 35", "1.234", "45,5%"."""
    if value is None:
        return "–"
    if indicator.unit == PERCENT:
        return f"{value:.1f}%".replace(".", ",")
    text = f"{int(value):,}".replace(",", ".")
    if indicator.counts_regions and region_total:
        return f"{text} van {region_total}"
    return text
