"""Route outcomes: what happened to a route's pupils in a school year, measured
against the overstapgarantie (issue 17, "the guarantee, measured"). Only
aggregates: counts, and the waits of the pupils who left as a list of whole
numbers of school days without any name. Pure Python.

Public output never shows a count under 5 (DUO's rule): `suppress` and
`suppress_group` are the one place where that is decided."""
from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from portal.domain.identifiers import school_year_error
from portal.domain.transfer_guarantee import DESTINATIONS

# Where a pupil who left the route went: the guarantee's destinations, plus the
# two outcomes the guarantee exists to prevent or that lie outside it.
OUTCOME_DESTINATIONS: dict[str, str] = {
    **DESTINATIONS,
    "elders": "Elders (andere school, werk of verhuisd)",
    "geen_plek": "Nog geen plek",
}

# Counts per route and year; a wait is counted in school days (as the promise).
MAX_PUPILS = 10_000
MAX_WAIT_DAYS = 365
MAX_WAITS_PER_GROUP = 1_000

# DUO: "aantallen kleiner dan 5 worden weergegeven als <5".
SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "<5"

FIELD_LABELS = {
    "school_year": "Schooljaar",
    "started": "Gestarte leerlingen",
    "diplomas_vmbo": "Vmbo-diploma's",
    "diplomas_mbo": "Mbo-diploma's",
    "leavers": "Uitgestroomde leerlingen",
}


# --- public output: small cells -------------------------------------------------

def suppress(value: int | None) -> str:
    """A count as the public sees it: "<5" under the threshold, else the number."""
    if value is None:
        return "–"
    return SUPPRESSED if value < SUPPRESSION_THRESHOLD else str(value)


def suppress_group(cells: Mapping[Hashable, int], total: int | None = None) -> dict[Hashable, str]:
    """The cells of a breakdown whose total is published as well: each cell
    under 5 becomes "<5", and when exactly one cell would be hidden, the next
    smallest is hidden with it, so that it cannot be found by subtracting the
    shown cells from the total (secondary suppression). `total` defaults to
    the sum of the cells."""
    shown = {key: suppress(value) for key, value in cells.items()}
    hidden = [key for key, value in shown.items() if value == SUPPRESSED]
    total = sum(cells.values()) if total is None else total
    if len(hidden) == 1 and total >= SUPPRESSION_THRESHOLD:
        others = sorted((value, str(key), key) for key, value in cells.items() if key not in hidden)
        if others:
            shown[others[0][2]] = SUPPRESSED
    return shown


# --- input -----------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_waits(text: str | None) -> tuple[list[int], str | None]:
    """"0, 3, 12" -> ([0, 3, 12], None): the waits of the pupils of one
    destination, one whole number of school days each. Returns the sorted
    waits (the order of entry says nothing) or a Dutch error."""
    parts = [p for p in _SEPARATORS.split((text or "").strip()) if p]
    if len(parts) > MAX_WAITS_PER_GROUP:
        return [], f"Vul hoogstens {MAX_WAITS_PER_GROUP} wachttijden in."
    waits = []
    for part in parts:
        if not re.fullmatch(r"-?\d{1,6}", part):
            return [], (f"‘{part[:20]}’ is geen aantal schooldagen: vul per leerling een heel getal in, "
                        f"gescheiden door komma's.")
        value = int(part)
        if value < 0:
            return [], "Een wachttijd kan niet negatief zijn."
        if value > MAX_WAIT_DAYS:
            return [], f"Een wachttijd ligt tussen 0 en {MAX_WAIT_DAYS} schooldagen."
        waits.append(value)
    return sorted(waits), None


@dataclass(frozen=True)
class LeaverGroup:
    """The pupils who left in one phase of the guarantee (months of the route;
    None: no phase agreed) to one destination, with each one's wait."""
    phase_from: int | None
    phase_to: int | None
    destination: str
    waits: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.waits)


def _count_error(value: int | None, label: str) -> str | None:
    if value is None:
        return f"Vul het aantal {label} in (0 als er geen waren)."
    if value < 0:
        return "Een aantal kan niet negatief zijn."
    if value > MAX_PUPILS:
        return f"Vul een aantal tot en met {MAX_PUPILS} in."
    return None


def school_year_in_route(school_year: str, first: str, last: str | None, current: str) -> str | None:
    """The Dutch error when outcomes cannot be recorded for `school_year`:
    outside the route's period, or not yet begun."""
    if error := school_year_error(school_year):
        return error
    end = min(last, current) if last else current
    if school_year < first or school_year > end:
        return (f"Schooljaar {school_year} valt buiten de looptijd van deze leerroute "
                f"({first} tot en met {end}).")
    return None


def outcome_errors(started: int | None, diplomas_vmbo: int | None, diplomas_mbo: int | None,
                   groups: Sequence[LeaverGroup], phases: Sequence[tuple[int, int]]) -> dict[str, str]:
    """Field -> Dutch message for one route-year's figures: counts whole and
    not negative, the leavers no more than the pupils who started, the
    diplomas no more than those who started, each group's phase one of the
    guarantee's (`phases`: (from_month, to_month)) and a destination."""
    errors: dict[str, str] = {}
    for name, value, label in (("started", started, "gestarte leerlingen"),
                               ("diplomas_vmbo", diplomas_vmbo, "vmbo-diploma's"),
                               ("diplomas_mbo", diplomas_mbo, "mbo-diploma's")):
        if message := _count_error(value, label):
            errors[name] = message
    if "started" in errors:
        return errors
    assert started is not None
    for name, value, label in (("diplomas_vmbo", diplomas_vmbo, "vmbo-diploma's"),
                               ("diplomas_mbo", diplomas_mbo, "mbo-diploma's")):
        if name not in errors and value is not None and value > started:
            errors[name] = f"Er zijn meer {label} ({value}) dan gestarte leerlingen ({started})."
    known = set(phases)
    for group in groups:
        if group.destination not in OUTCOME_DESTINATIONS:
            errors["leavers"] = "Kies waar de leerlingen terechtkwamen."
        elif group.phase_from is not None and (group.phase_from, group.phase_to) not in known:
            errors["leavers"] = "Kies een fase van de overstapgarantie van deze leerroute."
    left = sum(g.count for g in groups)
    if "leavers" not in errors and left > started:
        errors["leavers"] = (f"Er zijn meer leerlingen uitgestroomd ({left}) dan er gestart zijn "
                             f"({started}).")
    return errors


# --- the promise against what happened ------------------------------------------

@dataclass(frozen=True)
class PhaseWaits:
    """One phase of an agreement's guarantee against the waits recorded in it."""
    phase_from: int | None
    phase_to: int | None
    promised_max: int | None  # None: the group matches no phase of this agreement
    pupils: int
    beyond: int  # waits longer than promised
    longest: int | None

    @property
    def kept(self) -> bool:
        return self.beyond == 0


def waits_beyond(waits: Sequence[int], promised_max: int) -> int:
    """How many waits exceed the promised maximum (a wait equal to it is kept)."""
    return sum(1 for wait in waits if wait > promised_max)


def phase_of(phases: Sequence[tuple[int, int, int]], phase_from: int | None) -> tuple[int, int, int] | None:
    """The (from, to, max_wait) phase whose months hold `phase_from`."""
    if phase_from is None:
        return None
    return next((p for p in phases if p[0] <= phase_from <= p[1]), None)


def compare_waits(phases: Sequence[tuple[int, int, int]], groups: Sequence[LeaverGroup]) -> list[PhaseWaits]:
    """Per phase of the guarantee ((from_month, to_month, max_wait_days)), the
    pupils who left in it, and how many waited longer than promised (a pupil
    without a place yet counts with the days waited so far). Groups that match
    none of the phases come last, with no promise to compare with."""
    buckets: dict[tuple[int | None, int | None, int | None], list[LeaverGroup]] = {}
    for group in groups:
        phase = phase_of(phases, group.phase_from)
        key = phase if phase is not None else (group.phase_from, group.phase_to, None)
        buckets.setdefault(key, []).append(group)
    result = []
    for (start, end, promised), members in sorted(
            buckets.items(), key=lambda item: (item[0][2] is None, item[0][0] or 0)):
        waits = [w for g in members for w in g.waits]
        beyond = waits_beyond(waits, promised) if promised is not None else 0
        result.append(PhaseWaits(start, end, promised, len(waits), beyond, max(waits) if waits else None))
    return result


def phase_label(phase_from: int | None, phase_to: int | None) -> str:
    if phase_from is None:
        return "Geen fase afgesproken"
    return f"Maand {phase_from} tot en met {phase_to}"
