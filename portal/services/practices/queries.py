"""Reading the library: full-text search with filters, facet counts and
pagination; related practices; the moderation queue and the archive;
per-region lists."""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Text, and_, cast, exists, func, or_, select, true
from sqlalchemy.orm import Session, defer, selectinload

from portal.core.aggregates import kept
from portal.domain import practices as rules
from portal.domain import vocab
from portal.domain.practices import parse_query
from portal.models import Region
from portal.models.practice import (
    GoodPractice,
    PracticeFacetKey,
    PracticeTheme,
    practice_regions,
)
from portal.services.practices import search

PER_PAGE = 10
MAX_PAGE = 100_000  # a huge ?pagina= must not overflow the database's OFFSET


@dataclass
class Filters:
    q: str = ""
    theme: str = ""
    region: str = ""
    level: str = ""
    domain: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        def get(name: str, limit: int) -> str:
            return (args.get(name) or "").strip()[:limit]
        return cls(q=get("q", rules.QUERY_MAX_CHARS), theme=get("thema", 32), region=get("regio", 8),
                   level=get("niveau", 16), domain=get("domein", 16))

    def as_args(self) -> dict[str, str]:
        pairs = {"q": self.q, "thema": self.theme, "regio": self.region, "niveau": self.level,
                 "domein": self.domain}
        return {k: v for k, v in pairs.items() if v}


@dataclass
class Hit:
    practice: GoodPractice
    snippet: str | None  # plain text, the hits between search.START and search.STOP


@dataclass
class Facet:
    code: str
    name: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    filters: Filters
    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: dict[str, list[Facet]] = field(default_factory=dict)


def _published():
    return and_(GoodPractice.status == "gepubliceerd", GoodPractice.archived_at.is_(None))


def _in_region(code: str):
    return exists().where(
        practice_regions.c.practice_id == GoodPractice.id,
        practice_regions.c.region_id == Region.id, Region.code == code,
    )


def search_practices(session: Session, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """Published practices matching the words and filters, best first, with
    snippets (the hits marked, see search.snippets) and facet counts over the
    whole result.

    The result set is a set of ids (a Python int used as a bit set): the
    full-text index's matches (read with the ranked page, in one statement),
    or every published practice, intersected with the chosen facets' sets.
    Those sets are kept per data version (FacetSets), so the total and the
    facet counts cost a few big-integer ANDs, not a count over the rows of
    every practice in the result."""
    query = parse_query(filters.q)
    page = min(max(1, page), MAX_PAGE)
    sets = _facet_sets(session)
    page_ids: list[int] | None = None
    if query.is_empty:
        result = sets.published
    else:
        matched, page_ids = _search_words(session, query, filters, page, per_page)
        result = _bit_set(matched)
    for key in _chosen_keys(filters):
        result &= sets.keys.get(key, 0)
    total = result.bit_count()
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: the last page
        page, page_ids = pages, None
    if page_ids is None:
        page_ids = _page_ids(session, query, filters, page, per_page) if total else []
    loaded = {p.id: p for p in session.scalars(
        select(GoodPractice).where(GoodPractice.id.in_(page_ids)).options(
            defer(GoodPractice.body), selectinload(GoodPractice.themes),
            # Not the regions' boundaries (the CBS shapes are large): only their names are shown.
            selectinload(GoodPractice.regions).load_only(Region.code, Region.name)))} if page_ids else {}
    marks = search.snippets(session, query, page_ids)
    hits = [Hit(loaded[i], marks.get(i)) for i in page_ids if i in loaded]
    counts: dict[str, dict[str, int]] = {"thema": {}, "regio": {}, "niveau": {}, "domein": {}}
    for key, members in sets.keys.items():
        count = (result & members).bit_count() if result else 0
        if count:
            facet, _, code = key.partition(":")
            counts[facet][code] = count
    return SearchPage(filters, hits, total, page, pages, _facets(session, counts, filters))


@dataclass(frozen=True)
class FacetSets:
    """The published practices, and per facet key ("thema:lob", "regio:AM15")
    the published practices that have it, as bit sets (bit i: practice id i).
    Kept per data version (core.aggregates); a write that changed only routes
    leaves them as they are (a practice's facet keys are rewritten by the
    practices service, which changes `other` data)."""
    published: int
    keys: dict[str, int]


def _facet_sets(session: Session) -> FacetSets:
    return kept(session, ("library_facet_sets",), lambda: _read_facet_sets(session),
                patch=lambda old, _changed_routes: old)


def _read_facet_sets(session: Session) -> FacetSets:
    published = select(GoodPractice.id).where(_published())
    members: dict[str, list[int]] = {}
    for practice_id, key in session.execute(
            select(PracticeFacetKey.practice_id, PracticeFacetKey.key)
            .where(PracticeFacetKey.practice_id.in_(published))):
        members.setdefault(key, []).append(practice_id)
    return FacetSets(_bit_set(session.scalars(published)), {key: _bit_set(ids) for key, ids in members.items()})


def _bit_set(ids: Iterable[int]) -> int:
    """The ids as one integer with those bits set (ids are small positive integers)."""
    ids = list(ids)
    if not ids:
        return 0
    bits = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def _chosen_keys(filters: Filters) -> list[str]:
    return [f"{name}:{value}" for name, value in (
        ("thema", filters.theme), ("regio", filters.region), ("niveau", filters.level),
        ("domein", filters.domain)) if value]


def _facet_filters(column, filters: Filters) -> list:
    """The chosen facet values, as `column IN (practices with that key)`."""
    return [column.in_(select(PracticeFacetKey.practice_id).where(PracticeFacetKey.key == key))
            for key in _chosen_keys(filters)]


def _search_words(session: Session, query, filters: Filters, page: int, per_page: int) -> tuple[list[int], list[int]]:
    """With words: the ids of every match (for the total and the counts) and
    the ids on the page, best ranked first, in one statement, so the full-text
    search and its ranking run once. The ids of every match come as one value
    (a JSON array as text): thousands of rows cost
    more to fetch one by one than the search itself (and than SQLAlchemy's
    reading of an array, element by element)."""
    ranked = search.match_cte(session, query, ranked=True)
    r = ranked.c
    every = cast(func.json_agg(r.practice_id), Text) if session.get_bind().dialect.name == "postgresql" \
        else func.json_group_array(r.practice_id)
    everything = select(every.label("ids")).subquery("every_match")
    page_rows = _ranked_page(ranked, filters, page, per_page).add_columns(r.rank).subquery("page_rows")
    statement = (select(everything.c.ids, page_rows.c.practice_id)
                 .select_from(everything.outerjoin(page_rows, true()))
                 .order_by(page_rows.c.rank, page_rows.c.practice_id))
    with search.index_first(session):
        rows = session.execute(statement).all()
    found = rows[0][0] if rows else None
    matched = json.loads(found) if found else []
    return matched, [row[1] for row in rows if row[1] is not None]


def _page_ids(session: Session, query, filters: Filters, page: int, per_page: int) -> list[int]:
    """The ids on one page of the result, in order: best ranked first (then
    by id), or without words the newest first. With words only the full-text
    index is read (it holds published practices only); without, the covering
    listing index of the practices."""
    ranked = search.match_cte(session, query, ranked=True)
    if ranked is None:
        statement = (select(GoodPractice.id).where(_published(), *_facet_filters(GoodPractice.id, filters))
                     .order_by(GoodPractice.published_at.desc(), GoodPractice.id.desc()))
        return session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    with search.index_first(session):
        return session.scalars(_ranked_page(ranked, filters, page, per_page)).all()


def _ranked_page(ranked, filters: Filters, page: int, per_page: int):
    """The ids of one page of the full-text matches with the chosen facets, best ranked first (then by id)."""
    return (select(ranked.c.practice_id).where(*_facet_filters(ranked.c.practice_id, filters))
            .order_by(ranked.c.rank, ranked.c.practice_id).limit(per_page).offset((page - 1) * per_page))


def _facets(session: Session, counts: dict[str, dict[str, int]], filters: Filters) -> dict[str, list[Facet]]:
    def count(facet: str, code: str) -> int:
        return counts[facet].get(code, 0)

    region_names = dict(session.execute(
        select(Region.code, func.max(Region.name)).where(Region.code.in_(list(counts["regio"])))
        .group_by(Region.code)).all()) if counts["regio"] else {}
    return {
        "thema": [Facet(t.code, t.name, count("thema", t.code), t.code == filters.theme) for t in rules.THEMES],
        "regio": sorted((Facet(code, region_names.get(code, code), n, code == filters.region)
                         for code, n in counts["regio"].items()), key=lambda f: f.name),
        "niveau": [Facet(t.code, t.name, count("niveau", t.code), t.code == filters.level)
                   for t in vocab.MBO_LEVELS],
        "domein": [Facet(t.code, t.name, count("domein", t.code), t.code == filters.domain)
                   for t in vocab.MBO_DOMAINS],
    }


def practices_for_region(session: Session, region_code: str, limit: int = 5) -> list[GoodPractice]:
    """Published practices linked to a region (by code, any year), newest first."""
    return list(session.scalars(
        select(GoodPractice).where(_published(), _in_region(region_code))
        .order_by(GoodPractice.published_at.desc(), GoodPractice.id.desc()).limit(limit)))


def related_practices(session: Session, practice: GoodPractice, limit: int = 4) -> list[GoodPractice]:
    """Published practices sharing a theme or a region with this one."""
    themes = practice.theme_codes
    region_codes = [r.code for r in practice.regions]
    if not themes and not region_codes:
        return []
    shared = []
    if themes:
        shared.append(exists().where(PracticeTheme.practice_id == GoodPractice.id,
                                     PracticeTheme.theme_code.in_(themes)))
    if region_codes:
        shared.append(or_(*[_in_region(c) for c in region_codes]))
    return list(session.scalars(
        select(GoodPractice).where(_published(), GoodPractice.id != practice.id, or_(*shared))
        .order_by(GoodPractice.published_at.desc(), GoodPractice.id.desc()).limit(limit)))


def moderation_queue(session: Session) -> list[GoodPractice]:
    """Submitted practices, oldest first (first come, first served)."""
    return list(session.scalars(
        select(GoodPractice).where(GoodPractice.status == "ingediend", GoodPractice.archived_at.is_(None))
        .order_by(GoodPractice.submitted_at, GoodPractice.id)))


def practices_by_author(session: Session, user) -> list[GoodPractice]:
    return list(session.scalars(
        select(GoodPractice).where(GoodPractice.author_id == user.id, GoodPractice.archived_at.is_(None))
        .order_by(GoodPractice.updated_at.desc(), GoodPractice.id.desc())))


def list_archived(session: Session) -> list[GoodPractice]:
    """Archived practices, most recently archived first (staff restore them)."""
    return list(session.scalars(select(GoodPractice).where(GoodPractice.archived_at.is_not(None))
                                .order_by(GoodPractice.archived_at.desc(), GoodPractice.id.desc())))
