"""Good practices (goede voorbeelden): the themes, the status flow, field rules
and the search-query grammar. Pure Python: no Flask, no SQLAlchemy."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from portal.domain.email import email_error
from portal.domain.vocab import Term

# The controlled list of themes (the list, in this order).
THEMES: tuple[Term, ...] = (
    Term("lob", "LOB"),
    Term("overstap", "Overstap en zomerlek"),
    Term("hybride", "Hybride docent en gastdocent"),
    Term("bedrijfsleven", "Samenwerking met bedrijfsleven"),
    Term("techniek", "Techniek"),
    Term("krimp", "Krimp en organiseerbaarheid"),
    Term("bekostiging", "Bekostiging"),
    Term("praktijkgericht", "Praktijkgericht programma"),
    Term("havo", "Doorstroom naar havo"),
    Term("zorg", "Zorg en ondersteuning"),
)
THEME_NAMES = {t.code: t.name for t in THEMES}

STATUSES: tuple[Term, ...] = (
    Term("concept", "Concept"),
    Term("ingediend", "Ingediend"),
    Term("teruggestuurd", "Teruggestuurd"),
    Term("gepubliceerd", "Gepubliceerd"),
)
STATUS_NAMES = {t.code: t.name for t in STATUSES}

# action -> (allowed from-statuses, to-status)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"concept", "teruggestuurd"}), "ingediend"),
    "send_back": (frozenset({"ingediend", "gepubliceerd"}), "teruggestuurd"),
    "publish": (frozenset({"ingediend"}), "gepubliceerd"),
}
ACTION_NAMES = {"submit": "indienen", "send_back": "terugsturen", "publish": "publiceren"}
# An author may change the text only while it is not with the moderator or public.
AUTHOR_EDITABLE = frozenset({"concept", "teruggestuurd"})

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 50_000
TAG_MAX = 40
TAGS_MAX = 12
REASON_MIN = 10
REASON_MAX = 2000


class InvalidTransition(ValueError):
    """The status flow does not allow this action from the current status."""


def next_status(current: str, action: str) -> str:
    """The status after `action`, or InvalidTransition with a Dutch message."""
    if action not in TRANSITIONS:
        raise InvalidTransition(f"Onbekende actie: {action}.")
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise InvalidTransition(
            f"Een voorbeeld met status '{STATUS_NAMES.get(current, current)}' kun je niet "
            f"{ACTION_NAMES[action]}."
        )
    return target


def reason_errors(reason: str | None) -> list[str]:
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        return [f"Geef een reden van minstens {REASON_MIN} tekens, zodat de auteur weet wat er moet veranderen."]
    if len(text) > REASON_MAX:
        return [f"De reden is te lang (hoogstens {REASON_MAX} tekens)."]
    return []


def normalise_tags(raw: str | list[str] | None) -> list[str]:
    """Free tags: comma-separated, trimmed, lower-cased, unique, in order."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for item in items:
        tag = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(item))).strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def practice_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Field rules for a practice; returns field -> Dutch messages."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = (data.get("title") or "").strip()
    if not title:
        add("title", "Vul een titel in.")
    elif len(title) > TITLE_MAX:
        add("title", f"De titel is te lang (hoogstens {TITLE_MAX} tekens).")
    summary = (data.get("summary") or "").strip()
    if not summary:
        add("summary", "Vul een korte samenvatting in.")
    elif len(summary) > SUMMARY_MAX:
        add("summary", f"De samenvatting is te lang (hoogstens {SUMMARY_MAX} tekens).")
    if len(data.get("body") or "") > BODY_MAX:
        add("body", f"De beschrijving is te lang (hoogstens {BODY_MAX} tekens).")
    themes = list(data.get("themes") or [])
    if not themes:
        add("themes", "Kies minstens één thema.")
    unknown = [t for t in themes if t not in THEME_NAMES]
    if unknown:
        add("themes", "Kies thema's uit de lijst.")
    tags = normalise_tags(data.get("tags"))
    if len(tags) > TAGS_MAX:
        add("tags", f"Gebruik hoogstens {TAGS_MAX} trefwoorden.")
    if any(len(t) > TAG_MAX for t in tags):
        add("tags", f"Een trefwoord is hoogstens {TAG_MAX} tekens.")
    email = (data.get("contact_email") or "").strip()
    if email and (message := email_error(email)):
        add("contact_email", message)
    return errors


# --- search query grammar ----------------------------------------------------
#
# Words are ANDed; OR (capitals) between words or phrases makes alternatives;
# "double quotes" make a phrase; everything but letters and digits is ignored,
# so quotes, stars, SQL or FTS syntax can never make a query fail.

QUERY_MAX_CHARS = 200
QUERY_MAX_TERMS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class QueryTerm:
    words: tuple[str, ...]  # one word, or several for a phrase

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class SearchQuery:
    # Disjunction of conjunctions: [[a, b], [c]] means (a AND b) OR c.
    groups: list[list[QueryTerm]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(self.groups)

    def words(self) -> list[str]:
        return [w for g in self.groups for t in g for w in t.words]


def parse_query(text: str | None) -> SearchQuery:
    text = unicodedata.normalize("NFKC", text or "")[:QUERY_MAX_CHARS]
    groups: list[list[QueryTerm]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if bare == "OR":
            if groups[-1]:
                groups.append([])
            continue
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        if phrase is None and len(words) > 1:  # noqa: SIM108  the comment needs its own branch
            # "t&t" or "vmbo-mbo": its parts, ANDed.
            terms = [QueryTerm((w,)) for w in words]
        else:
            terms = [QueryTerm(words[:8])]
        for term in terms:
            if count >= QUERY_MAX_TERMS:
                break
            if term not in groups[-1]:
                groups[-1].append(term)
                count += 1
    return SearchQuery([g for g in groups if g])
