"""What a route's status means in a school year: the one definition of
"actief in schooljaar X", and the state a route is shown with. Pure.

A route is actief in a school year when its status is actief AND the school
year lies within its span (first school year .. last school year, an empty
last school year meaning it keeps running). A route whose status is still
actief but whose last school year has passed is "afgelopen": it neither shows
nor counts as actief. One that is actief but starts in a later school year
"start later". The SQL form of the same rule is
portal.services.learning_routes.filters.state_clause / state_expression; a
service test checks that both agree.
"""
from __future__ import annotations

ACTIVE = "actief"
# States derived from status actief and the span; not stored.
ENDED = "afgelopen"
NOT_STARTED = "start_later"

# Every state a route can be shown with, in the order of the route list's facet.
STATES = ("concept", "voorbereiding", ACTIVE, NOT_STARTED, ENDED, "beeindigd")
STATE_NAMES = {
    "concept": "Concept",
    "voorbereiding": "In voorbereiding",
    ACTIVE: "Actief",
    NOT_STARTED: "Actief vanaf later schooljaar",
    ENDED: "Afgelopen",
    "beeindigd": "Beëindigd",
}


def runs_in(first: str, last: str | None, school_year: str) -> bool:
    """The school year lies within the route's span (school years as "2025-2026"
    compare as text)."""
    return first <= school_year and (last is None or last == "" or last >= school_year)


def is_active_in(status: str, first: str, last: str | None, school_year: str) -> bool:
    """The one definition of "actief in schooljaar X"."""
    return status == ACTIVE and runs_in(first, last, school_year)


def counted_in(status: str, first: str, last: str | None, school_year: str, current: str) -> bool:
    """A route counts in the figures of a school year when it was actief then:
    actief in that year (is_active_in), or since ended (beeindigd) in a year of
    its span before the current one. The monitoring's indicators use this."""
    if is_active_in(status, first, last, school_year):
        return True
    return status == "beeindigd" and runs_in(first, last, school_year) and school_year < current


def route_state(status: str, first: str, last: str | None, school_year: str) -> str:
    """The state shown for a route in a school year (one of STATES)."""
    if status != ACTIVE:
        return status
    if last and last < school_year:
        return ENDED
    if first > school_year:
        return NOT_STARTED
    return ACTIVE


def state_note(state: str, first: str, last: str | None) -> str:
    """A short explanation next to a derived state, or ""."""
    if state == ENDED and last:
        return f"Status actief, maar het laatste schooljaar ({last}) is voorbij."
    if state == NOT_STARTED:
        return f"Status actief; de route begint in schooljaar {first}."
    return ""


def region_label(state: str, count: int) -> str:
    """The words before a route's arbeidsmarktregio's: they follow its state
    ("actief in" only for a route that is actief now)."""
    plural = count > 1
    noun = "arbeidsmarktregio's" if plural else "arbeidsmarktregio"
    return {
        ACTIVE: f"actief in {noun}",
        NOT_STARTED: f"straks actief in {noun}",
        ENDED: f"liep in {noun}",
        "beeindigd": f"liep in {noun}",
        "concept": f"concept in {noun}",
        "voorbereiding": f"in voorbereiding in {noun}",
    }.get(state, noun)
