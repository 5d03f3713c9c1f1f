"""The programme's targets: their status against an indicator's series, and the
validation of a target. Pure.

Status of a target, judged on the latest school year of the series:
- behaald: the latest value reaches the target value;
- op koers: not yet, but at the current pace the value reaches the target in
  the target school year. The pace is the average change per school year over
  the last PACE_YEARS years of the series (fewer when the series is shorter);
- achter: otherwise (also when the target school year has come and the value
  falls short, or when there is no pace because the series has one year).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.domain.identifiers import school_year_error
from portal.domain.monitoring import INDICATORS, PERCENT

ACHIEVED = "behaald"
ON_TRACK = "op_koers"
BEHIND = "achter"
STATUS_NAMES = {ACHIEVED: "Behaald", ON_TRACK: "Op koers", BEHIND: "Achter"}
PACE_YEARS = 3
MAX_TARGET_VALUE = 1_000_000


def _start(school_year: str) -> int:
    return int(school_year[:4])


def pace(series: Sequence[tuple[str, float]], years: int = PACE_YEARS) -> float | None:
    """Average change per school year over the last `years` years of the
    series ((school year, value), oldest first); None with fewer than two points."""
    if len(series) < 2:
        return None
    first_year, first_value = series[max(0, len(series) - 1 - years)]
    last_year, last_value = series[-1]
    span = _start(last_year) - _start(first_year)
    return (last_value - first_value) / span if span > 0 else None


def projection(series: Sequence[tuple[str, float]], school_year: str) -> float | None:
    """The value the series reaches in `school_year` at the current pace."""
    rate = pace(series)
    if not series or rate is None:
        return None
    last_year, last_value = series[-1]
    return last_value + rate * (_start(school_year) - _start(last_year))


@dataclass(frozen=True)
class Assessment:
    status: str
    latest: float | None
    projected: float | None

    @property
    def name(self) -> str:
        return STATUS_NAMES[self.status]


def assess(series: Sequence[tuple[str, float]], target_value: float, target_year: str) -> Assessment:
    """The status of a target (see the module's docstring)."""
    if not series:
        return Assessment(BEHIND, None, None)
    last_year, latest = series[-1]
    if latest >= target_value:
        return Assessment(ACHIEVED, latest, latest)
    projected = projection(series, target_year)
    if _start(target_year) <= _start(last_year) or projected is None:
        return Assessment(BEHIND, latest, projected)
    return Assessment(ON_TRACK if projected >= target_value else BEHIND, latest, projected)


def target_errors(indicator: str, value: float | None, school_year: str) -> dict[str, str]:
    """Field -> Dutch message for a target that cannot be stored."""
    errors: dict[str, str] = {}
    if indicator not in INDICATORS:
        errors["indicator"] = "Kies een indicator uit de lijst."
    if value is None:
        errors["target_value"] = "Vul een doelwaarde in."
    elif value < 0 or value > MAX_TARGET_VALUE:
        errors["target_value"] = "De doelwaarde moet 0 of meer zijn."
    elif indicator in INDICATORS and INDICATORS[indicator].unit == PERCENT and value > 100:
        errors["target_value"] = "Een percentage is hoogstens 100."
    message = school_year_error(school_year) if school_year else "Vul het schooljaar van het doel in."
    if message:
        errors["target_school_year"] = message
    return errors
