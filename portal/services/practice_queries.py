"""Reading the library: full-text search with filters, facet counts and
pagination; related practices; the moderation queue; per-region lists."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import and_, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from portal.domain import practices as rules
from portal.domain import vocab
from portal.domain.practices import parse_query
from portal.models import Region
from portal.models.practice import (
    GoodPractice, PracticeTheme, practice_domains, practice_levels, practice_regions,
)
from portal.services import search

PER_PAGE = 10


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
    snippet: Markup | None


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


def _filter_conditions(filters: Filters) -> list:
    conditions = [_published()]
    if filters.theme:
        conditions.append(exists().where(PracticeTheme.practice_id == GoodPractice.id,
                                         PracticeTheme.theme_code == filters.theme))
    if filters.region:
        conditions.append(_in_region(filters.region))
    if filters.level:
        conditions.append(exists().where(practice_levels.c.practice_id == GoodPractice.id,
                                         practice_levels.c.level_code == filters.level))
    if filters.domain:
        conditions.append(exists().where(practice_domains.c.practice_id == GoodPractice.id,
                                         practice_domains.c.domain_code == filters.domain))
    return conditions


def search_practices(session: Session, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """Published practices matching the words and filters, best first, with
    highlighted snippets and facet counts over the whole result.

    The full-text query runs once (ranked ids of every match); the filters run
    once on the practices table; the two are intersected in Python and the
    facets count over that id list, passed as one array parameter."""
    query = parse_query(filters.q)
    ranked = search.ranked_ids(session, query)
    filtered = select(GoodPractice.id).where(*_filter_conditions(filters))
    if ranked is None:
        ordered = list(session.scalars(filtered.order_by(GoodPractice.published_at.desc(), GoodPractice.id.desc())))
    elif not ranked:
        ordered = []
    else:
        allowed = set(session.scalars(filtered))
        ordered = [i for i in ranked if i in allowed]
    total = len(ordered)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    page_ids = ordered[(page - 1) * per_page:page * per_page]
    loaded = {p.id: p for p in session.scalars(
        select(GoodPractice).where(GoodPractice.id.in_(page_ids)).options(
            selectinload(GoodPractice.themes), selectinload(GoodPractice.regions)))} if page_ids else {}
    marks = search.snippets(session, query, page_ids)
    hits = [Hit(loaded[i], marks.get(i)) for i in page_ids]
    return SearchPage(filters, hits, total, page, pages, _facets(session, ordered, filters))


def _facets(session: Session, ids: list[int], filters: Filters) -> dict[str, list[Facet]]:
    """Counts per theme, region, level and domain over the result ids: one
    statement (UNION ALL), the ids passed as one array parameter."""
    counts: dict[str, dict[str, int]] = {"thema": {}, "regio": {}, "niveau": {}, "domein": {}}
    region_names: dict[str, str] = {}
    if ids:
        parts = [
            select(literal("thema"), PracticeTheme.theme_code, literal(""), func.count())
            .where(search.id_list_clause(session, PracticeTheme.practice_id, ids))
            .group_by(PracticeTheme.theme_code),
            select(literal("niveau"), practice_levels.c.level_code, literal(""), func.count())
            .where(search.id_list_clause(session, practice_levels.c.practice_id, ids))
            .group_by(practice_levels.c.level_code),
            select(literal("domein"), practice_domains.c.domain_code, literal(""), func.count())
            .where(search.id_list_clause(session, practice_domains.c.practice_id, ids))
            .group_by(practice_domains.c.domain_code),
            select(literal("regio"), Region.code, func.max(Region.name),
                   func.count(func.distinct(practice_regions.c.practice_id)))
            .join(practice_regions, practice_regions.c.region_id == Region.id)
            .where(search.id_list_clause(session, practice_regions.c.practice_id, ids))
            .group_by(Region.code),
        ]
        for facet, code, name, count in session.execute(union_all(*parts)):
            counts[facet][code] = count
            if facet == "regio":
                region_names[code] = name
    return {
        "thema": [Facet(t.code, t.name, counts["thema"].get(t.code, 0), t.code == filters.theme)
                  for t in rules.THEMES],
        "regio": sorted((Facet(code, region_names[code], count, code == filters.region)
                         for code, count in counts["regio"].items()), key=lambda f: f.name),
        "niveau": [Facet(t.code, t.name, counts["niveau"].get(t.code, 0), t.code == filters.level)
                   for t in vocab.MBO_LEVELS],
        "domein": [Facet(t.code, t.name, counts["domein"].get(t.code, 0), t.code == filters.domain)
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
