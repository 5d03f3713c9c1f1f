"""Landelijke dekking of the profielen (the 2025 letter): pure rules over the
profielaanbod of the vmbo vestigingen. No Flask, no SQLAlchemy.

An offer row is one vestiging x leerweg x profiel in one school year, with the
pupils in leerjaar 3 and 4 (DUO, or the school's own statement). The measures
are about the beroepsgerichte profielen, offered in BB, KB or GL: the letter's
"één profiel", "79 % van de gemeenten" and the small profielen count those.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portal.domain.vocab import VOCATIONAL_PROFILES

VOCATIONAL_PATHWAYS = ("BB", "KB", "GL")
VOCATIONAL_PROFILE_CODES = tuple(term.code for term in VOCATIONAL_PROFILES)
# "Meer en meer profielen hebben maximaal tien leerlingen per leerweg per vestiging."
SMALL_PROFILE_MAX_PUPILS = 10
DEFAULT_DISTANCE_KM = 25.0
EARTH_RADIUS_KM = 6371.0088

DEFINITIONS = {
    "distribution": "Het aantal vmbo-vestigingen naar het aantal beroepsgerichte profielen (BB, KB of GL) "
                    "dat ze aanbieden.",
    "municipality_share": "Het aandeel van de gemeenten met beroepsgericht vmbo-aanbod waarin minstens één "
                          "vestiging het profiel aanbiedt.",
    "small": "Een klein profiel: een profiel dat een vestiging in een leerweg aanbiedt met in leerjaar 3 en in "
             f"leerjaar 4 elk hoogstens {SMALL_PROFILE_MAX_PUPILS} leerlingen.",
    "distance": "De afstand hemelsbreed van het midden van de gemeente tot de dichtstbijzijnde vestiging die het "
                "profiel aanbiedt.",
}


@dataclass(frozen=True)
class OfferRow:
    school: int | str
    pathway: str
    profile: str | None
    pupils_year3: int | None
    pupils_year4: int | None

    @property
    def pupils(self) -> int | None:
        if self.pupils_year3 is None and self.pupils_year4 is None:
            return None
        return (self.pupils_year3 or 0) + (self.pupils_year4 or 0)

    @property
    def is_offered(self) -> bool:
        """A row with pupils is an offer; a row with zero pupils in both leerjaren is not.
        A row without figures (a school's own statement) counts as offered."""
        pupils = self.pupils
        return pupils is None or pupils > 0

    @property
    def is_vocational(self) -> bool:
        return self.pathway in VOCATIONAL_PATHWAYS and self.profile in VOCATIONAL_PROFILE_CODES


def vocational_offer(rows: Iterable[OfferRow]) -> dict[int | str, set[str]]:
    """Per vestiging, the beroepsgerichte profielen it offers (in any of BB, KB, GL).
    Vestigingen with only TL, or only rows without pupils, are absent."""
    offer: dict[int | str, set[str]] = defaultdict(set)
    for row in rows:
        if row.is_vocational and row.is_offered:
            offer[row.school].add(row.profile)  # type: ignore[arg-type]  # is_vocational checked it
    return dict(offer)


# --- the distribution ---------------------------------------------------------

@dataclass(frozen=True)
class Distribution:
    counts: dict[int, int]  # number of profielen -> number of vestigingen (1..10, zeros included)
    total: int

    def share(self, number: int) -> float | None:
        return self.counts.get(number, 0) / self.total if self.total else None

    def share_at_most(self, number: int) -> float | None:
        if not self.total:
            return None
        return sum(n for k, n in self.counts.items() if k <= number) / self.total

    def headline(self) -> str:
        """The computed sentence, in the words of the letter."""
        if not self.total:
            return "Geen vestigingen met beroepsgericht aanbod in deze selectie."
        one = self.share(1) or 0.0
        three = self.share_at_most(3) or 0.0
        eight_or_more = sum(n for k, n in self.counts.items() if k >= 8)
        return (f"{percent(one)} van de vestigingen biedt één profiel aan; {fraction_words(three)} "
                f"maximaal drie. {eight_or_more} {'vestiging biedt' if eight_or_more == 1 else 'vestigingen bieden'}"
                " acht of meer profielen aan.")


def distribution(offer: Mapping[int | str, set[str]]) -> Distribution:
    counts = Counter(len(profiles) for profiles in offer.values() if profiles)
    full = {n: counts.get(n, 0) for n in range(1, len(VOCATIONAL_PROFILE_CODES) + 1)}
    return Distribution(full, sum(full.values()))


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def fraction_words(share: float) -> str:
    """'2/3' where the share is close to two thirds, as the letter writes it; otherwise a percentage."""
    for numerator, denominator, words in ((1, 2, "de helft"), (2, 3, "twee derde"), (1, 3, "een derde"),
                                          (3, 4, "drie kwart"), (1, 4, "een kwart")):
        if abs(share - numerator / denominator) < 0.02:
            return words
    return percent(share)


# --- per gemeente and per provincie ------------------------------------------

NOT_APPLICABLE = "geen_aanbod"  # a gemeente without beroepsgericht vmbo offer
OFFERED = "aangeboden"
NOT_OFFERED = "niet_aangeboden"


def area_offer(offer: Mapping[int | str, set[str]], area_of: Mapping[int | str, str | None]) -> dict[str, set[str]]:
    """Per area (gemeente code), the union of the profielen of its vestigingen.
    Vestigingen without an area are left out (the caller reports them)."""
    result: dict[str, set[str]] = defaultdict(set)
    for school, profiles in offer.items():
        area = area_of.get(school)
        if area and profiles:
            result[area] |= profiles
    return dict(result)


def area_state(area_profiles: Mapping[str, set[str]], area: str, profile: str) -> str:
    profiles = area_profiles.get(area)
    if not profiles:
        return NOT_APPLICABLE
    return OFFERED if profile in profiles else NOT_OFFERED


@dataclass(frozen=True)
class Share:
    offering: int
    with_offer: int

    @property
    def value(self) -> float | None:
        return self.offering / self.with_offer if self.with_offer else None


def profile_share(area_profiles: Mapping[str, set[str]], profile: str,
                  areas: Iterable[str] | None = None) -> Share:
    """The share of the gemeenten with beroepsgericht offer (within `areas`, if given) offering `profile`."""
    keys = area_profiles.keys() if areas is None else [a for a in areas if a in area_profiles]
    with_offer = [a for a in keys if area_profiles[a]]
    return Share(sum(1 for a in with_offer if profile in area_profiles[a]), len(with_offer))


def group_shares(area_profiles: Mapping[str, set[str]], group_of: Mapping[str, str],
                 profile: str) -> dict[str, Share]:
    """Per group (provincie or region), the share of its gemeenten with offer that offer `profile`."""
    members: dict[str, list[str]] = defaultdict(list)
    for area, group in group_of.items():
        members[group].append(area)
    return {group: profile_share(area_profiles, profile, areas) for group, areas in members.items()}


def count_matrix(offer: Mapping[int | str, set[str]], group_of_school: Mapping[int | str, str | None]
                 ) -> dict[str, dict[str, int]]:
    """group (provincie) -> profiel -> number of vestigingen offering it. Every profiel has a cell."""
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: {code: 0 for code in VOCATIONAL_PROFILE_CODES})
    for school, profiles in offer.items():
        group = group_of_school.get(school)
        if not group:
            continue
        cells = matrix[group]
        for profile in profiles:
            cells[profile] += 1
    return dict(matrix)


# --- small profielen ----------------------------------------------------------

def is_small(row: OfferRow, limit: int = SMALL_PROFILE_MAX_PUPILS) -> bool:
    """Offered, beroepsgericht, and at most `limit` pupils in leerjaar 3 and in leerjaar 4.
    A row without figures is never called small: nothing is known."""
    if not (row.is_vocational and row.is_offered) or row.pupils is None:
        return False
    return (row.pupils_year3 or 0) <= limit and (row.pupils_year4 or 0) <= limit


def small_share(rows: Iterable[OfferRow], limit: int = SMALL_PROFILE_MAX_PUPILS) -> Share:
    """Of the offered beroepsgerichte vestiging x leerweg x profiel combinations with figures, how many are small."""
    counted = [r for r in rows if r.is_vocational and r.is_offered and r.pupils is not None]
    return Share(sum(1 for r in counted if is_small(r, limit)), len(counted))


# --- thuisnabij ---------------------------------------------------------------

def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Nearest:
    school: int | str | None
    km: float | None


def nearest_offer(point: tuple[float, float], offering: Iterable[tuple[int | str, float, float]]) -> Nearest:
    """The nearest of the (school, lat, lon) that offer the profiel, from `point` (lat, lon)."""
    best: Nearest = Nearest(None, None)
    for school, lat, lon in offering:
        km = distance_km(point[0], point[1], lat, lon)
        if best.km is None or km < best.km:
            best = Nearest(school, km)
    return best


def nearest_per_area(centres: Mapping[str, tuple[float, float]],
                     offering: list[tuple[int | str, float, float]]) -> dict[str, Nearest]:
    """For each gemeente centre, the nearest vestiging offering the profiel (None when nobody offers it)."""
    return {area: nearest_offer(point, offering) for area, point in centres.items()}


def beyond(nearest: Mapping[str, Nearest], threshold_km: float) -> list[tuple[str, float | None]]:
    """Gemeenten farther than the threshold (or without any offer), farthest first."""
    far = [(area, n.km) for area, n in nearest.items() if n.km is None or n.km > threshold_km]
    return sorted(far, key=lambda item: (item[1] is not None, -(item[1] or 0.0)))
