"""What a picker (the search-as-you-type combobox) shows for one option and
how a search query is read: pure rules, no Flask, no SQLAlchemy.

Two organisations can share a name ("Het Baken" in three places, an mbo
institution and its own vmbo school): every option therefore names its kind,
place and code, so that the person choosing sees which one it is."""
from __future__ import annotations

from portal.domain.vocab import ORGANISATION_KINDS, names

KIND_NAMES = names(ORGANISATION_KINDS)
QUERY_MAX = 100  # characters of a search query that are used; the rest is ignored
TERMS_MAX = 6  # words of a query that must each match; more only slow the search down
LIMIT_DEFAULT = 20
LIMIT_MAX = 50

# The kinds a picker may ask for: `employer` also lists the other partners.
PICKER_KINDS: dict[str, tuple[str, ...]] = {
    "": tuple(KIND_NAMES),
    "vmbo": ("vmbo",),
    "mbo": ("mbo",),
    "employer": ("employer", "other"),
}


def query_terms(q: str | None) -> list[str]:
    """The words of a query (at most TERMS_MAX, of the first QUERY_MAX characters)."""
    return (q or "").strip()[:QUERY_MAX].split()[:TERMS_MAX]


def organisation_details(kind: str, city: str | None, brin: str | None, vestigingscode: str | None,
                         kvk_number: str | None = None) -> str:
    """The disambiguation of one organisation: kind, place and code."""
    parts = [KIND_NAMES.get(kind, kind)]
    if city:
        parts.append(city)
    if vestigingscode:
        parts.append(f"vestigingscode {vestigingscode}")
    elif brin:
        parts.append(f"BRIN {brin}")
    if kvk_number:
        parts.append(f"KvK {kvk_number}")
    return " · ".join(parts)


def organisation_option(name: str, details: str) -> str:
    """One line for a plain <select>: the name, then its disambiguation."""
    return f"{name} — {details}"


def count_message(shown: int, more: bool) -> str:
    """What the live region announces after a search."""
    if shown == 0:
        return "Niets gevonden. Probeer een andere naam, plaats of code."
    if more:
        return f"Meer dan {shown} resultaten; de eerste {shown} staan in de lijst. Typ meer om te verfijnen."
    return "1 resultaat gevonden." if shown == 1 else f"{shown} resultaten gevonden."


def route_details(kind_code: str, status_name: str, first_school_year: str, parties: list[str]) -> str:
    """The disambiguation of one route: kind, status, first school year and its schools."""
    parts = [kind_code.upper(), status_name, f"vanaf {first_school_year}"]
    if parties:
        shown = ", ".join(parties[:2])
        parts.append(shown + (f" en {len(parties) - 2} meer" if len(parties) > 2 else ""))
    return " · ".join(parts)
