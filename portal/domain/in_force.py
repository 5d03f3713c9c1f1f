"""The agreement in force (issue 20 §1), as plain Python.

A signed agreement stays in force until an addendum is signed by all parties:
a change after signing makes a draft addendum beside the version in force,
and the routes keep running under that version. What is in force is the
signed version's number and its period; an early termination (opzegging)
cuts the period short. Expiry needs no flag: the period simply ends.

Also the rule that an agreement's period covers the school years of the
routes it covers (issue 20 §4). Pure: no Flask, no SQLAlchemy.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.domain.school_year import school_year_bounds

# The draft statuses that sit beside a version in force (an addendum in preparation).
ADDENDUM_STATUSES = frozenset({"concept", "ter_ondertekening"})


@dataclass(frozen=True)
class InForce:
    """The signed version in force and the days it covers (first and last day)."""

    revision: int
    start_date: date
    end_date: date

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def overlaps(self, first_day: date, last_day: date) -> bool:
        """The period shares a day with first_day .. last_day."""
        return self.start_date <= last_day and self.end_date >= first_day

    def overlaps_school_year(self, school_year: str) -> bool:
        return self.overlaps(*school_year_bounds(school_year))


def in_force(revision: int | None, start_date: date | None, end_date: date | None, status: str,
             terminated_on: date | None) -> InForce | None:
    """The version in force, from the agreement's stored in-force columns: None
    when no version was ever signed by all parties. The end date is its last
    day; a termination (opgezegd per X) takes effect on X, so its last day is
    the day before."""
    if revision is None or start_date is None or end_date is None:
        return None
    last = end_date
    if status == "opgezegd" and terminated_on is not None:
        last = min(end_date, terminated_on - timedelta(days=1))
    return InForce(revision, start_date, last)


def has_addendum(status: str, in_force_revision: int | None, revision: int) -> bool:
    """A draft addendum waits beside the version in force."""
    return in_force_revision is not None and revision > in_force_revision and status in ADDENDUM_STATUSES


def status_label(status: str, status_name: str, in_force_revision: int | None, revision: int,
                 *, show_addendum: bool) -> str:
    """The honest status: a signed agreement with an addendum in preparation is
    still getekend, under the version in force. The public (show_addendum
    False) sees only the version in force, as it sees no concept."""
    if not has_addendum(status, in_force_revision, revision):
        return status_name
    if not show_addendum:
        return f"Getekend (versie {in_force_revision})"
    waiting = "ter ondertekening" if status == "ter_ondertekening" else "in voorbereiding"
    return f"Getekend (versie {in_force_revision} in werking), addendum (versie {revision}) {waiting}"


# --- the period covers the routes' school years (issue 20 §4) ----------------

def route_period_errors(start_date: date | None, end_date: date | None,
                        routes: Iterable[tuple[str, str, str | None]]) -> dict[str, list[str]]:
    """routes: (title, first school year, last school year or None). A route
    whose first school year begins after the period ends, or whose last
    school year ended before it begins, lies outside the agreement: an error
    at the date that excludes it."""
    errors: dict[str, list[str]] = {}
    if start_date is None or end_date is None or end_date <= start_date:
        return errors
    for title, first, last in routes:
        if first:
            first_start, _ = school_year_bounds(first)
            if first_start > end_date:
                errors.setdefault("end_date", []).append(
                    f"De leerroute '{title}' begint in schooljaar {first}, na het einde van de looptijd "
                    f"({end_date.strftime('%d-%m-%Y')}). Kies een latere einddatum of een andere leerroute.")
        if last:
            _, last_end = school_year_bounds(last)
            if last_end < start_date:
                errors.setdefault("start_date", []).append(
                    f"De leerroute '{title}' eindigt in schooljaar {last}, voor het begin van de looptijd "
                    f"({start_date.strftime('%d-%m-%Y')}). Kies een eerdere begindatum of een andere leerroute.")
    return errors
