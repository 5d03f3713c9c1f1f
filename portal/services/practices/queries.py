"""Reading the library: full-text search with filters, facet counts and
pagination; related practices; the moderation queue and the archive;
per-region lists."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import String, and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, defer, selectinload

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

    One statement does the work: the full-text match runs once (materialized),
    joined with the filters into a materialized result set, from which come
    the page of ids, the total and the facet counts (UNION ALL)."""
    query = parse_query(filters.q)
    page = min(max(1, page), MAX_PAGE)
    rows = _run(session, query, filters, page, per_page)
    total = rows["total"].get("", (0, 0))[0]
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: show the last page
        page = pages
        rows = _run(session, query, filters, page, per_page)
    page_ids = [int(code) for code, _ in sorted(rows["page"].items(), key=lambda item: item[1][1])]
    loaded = {p.id: p for p in session.scalars(
        select(GoodPractice).where(GoodPractice.id.in_(page_ids)).options(
            defer(GoodPractice.body), selectinload(GoodPractice.themes),
            selectinload(GoodPractice.regions)))} if page_ids else {}
    marks = search.snippets(session, query, page_ids)
    hits = [Hit(loaded[i], marks.get(i)) for i in page_ids]
    return SearchPage(filters, hits, total, page, pages, _facets(session, rows, filters))


def _facet_filters(column, filters: Filters) -> list:
    """The chosen facet values, as `column IN (practices with that key)`."""
    keys = [f"{name}:{value}" for name, value in (
        ("thema", filters.theme), ("regio", filters.region), ("niveau", filters.level),
        ("domein", filters.domain)) if value]
    return [column.in_(select(PracticeFacetKey.practice_id).where(PracticeFacetKey.key == key)) for key in keys]


def _run(session: Session, query, filters: Filters, page: int, per_page: int) -> dict[str, dict]:
    """facet -> code -> (count, position); 'page' rows carry the ids in order.

    With words, only the full-text index is read (it holds published
    practices only); without, the covering listing index of the practices."""
    ranked = search.match_cte(session, query, ranked=True)
    if ranked is None:
        base = select(GoodPractice.id.label("id"), GoodPractice.published_at.label("published_at")).where(
            _published(), *_facet_filters(GoodPractice.id, filters))
    else:
        base = select(ranked.c.practice_id.label("id"), ranked.c.rank.label("rank")).where(
            *_facet_filters(ranked.c.practice_id, filters))
    result_set = base.cte("result_set").prefix_with("MATERIALIZED")
    r = result_set.c
    order = [r.rank, r.id] if ranked is not None else [r.published_at.desc(), r.id.desc()]
    page_rows = (select(r.id, func.row_number().over(order_by=order).label("pos"))
                 .order_by(*order).limit(per_page).offset((page - 1) * per_page).subquery("page_rows"))
    facet_key = PracticeFacetKey.key
    parts = [
        select(literal("page"), func.cast(page_rows.c.id, String), literal(0), page_rows.c.pos),
        select(literal("total"), literal(""), func.count(), literal(0)).select_from(result_set),
        select(literal("facet"), facet_key, func.count(), literal(0))
        .select_from(result_set).join(PracticeFacetKey, PracticeFacetKey.practice_id == r.id)
        .group_by(facet_key),
    ]
    rows: dict[str, dict] = {"page": {}, "total": {}, "thema": {}, "regio": {}, "niveau": {}, "domein": {}}
    with search.index_first(session):
        found = session.execute(union_all(*parts)).all()
    for kind, code, count, position in found:
        if kind == "facet":
            kind, _, code = code.partition(":")
        rows[kind][code] = (count, position)
    return rows


def _facets(session: Session, rows: dict[str, dict], filters: Filters) -> dict[str, list[Facet]]:
    def count(facet: str, code: str) -> int:
        return rows[facet].get(code, (0, 0))[0]

    region_names = dict(session.execute(
        select(Region.code, func.max(Region.name)).where(Region.code.in_(list(rows["regio"])))
        .group_by(Region.code)).all()) if rows["regio"] else {}
    return {
        "thema": [Facet(t.code, t.name, count("thema", t.code), t.code == filters.theme) for t in rules.THEMES],
        "regio": sorted((Facet(code, region_names.get(code, code), n, code == filters.region)
                         for code, (n, _) in rows["regio"].items()), key=lambda f: f.name),
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
