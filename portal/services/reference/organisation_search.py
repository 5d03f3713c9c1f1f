"""Organisations matching a picker's query (public reference data): by name, plaats, BRIN,
vestigingscode and KvK number. Every word of the query must match one of
those; exact and prefix matches come first, then funded mbo institutions,
then the name. Only public reference fields are returned (never an e-mail)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from portal.domain.pickers import (
    LIMIT_DEFAULT,
    LIMIT_MAX,
    PICKER_KINDS,
    organisation_details,
    organisation_option,
    query_terms,
)
from portal.models import Organisation


@dataclass(frozen=True)
class OrganisationOption:
    id: int
    name: str
    kind: str
    details: str


@dataclass(frozen=True)
class SearchResult:
    options: list[OrganisationOption]
    more: bool  # there were more matches than the limit


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _code_columns() -> list:
    """Columns matched exactly (case-insensitive): the codes people copy from a letter.
    The KvK number arrives with the organisation pages; one line here then."""
    columns = [Organisation.brin, Organisation.vestigingscode]
    if hasattr(Organisation, "kvk_number"):
        columns.append(Organisation.kvk_number)
    return columns


def _term_clause(term: str):
    like = f"%{_like(term)}%"
    upper = term.upper()
    return or_(Organisation.name.ilike(like, escape="\\"), Organisation.city.ilike(like, escape="\\"),
               *[func.upper(column) == upper for column in _code_columns()])


def _rank(q: str):
    """0: a code or the whole name; 1: the name starts with the query; 2: a word
    of the name or the place starts with it; 3: it matches elsewhere."""
    lowered = q.lower()
    prefix = f"{_like(lowered)}%"
    name = func.lower(Organisation.name)
    return case(
        (or_(name == lowered, *[func.upper(column) == q.upper() for column in _code_columns()]), 0),
        (name.like(prefix, escape="\\"), 1),
        (or_(name.like(f"% {prefix}", escape="\\"), func.lower(Organisation.city).like(prefix, escape="\\")), 2),
        else_=3,
    )


def _funded_first():
    """Funded (bekostigde) mbo institutions before private providers, once known."""
    if hasattr(Organisation, "is_funded"):
        return [case((Organisation.is_funded.is_(True), 0), else_=1)]
    return []


def search_organisations(session: Session, q: str | None, kind: str = "", *,
                         limit: int = LIMIT_DEFAULT) -> SearchResult:
    """The first `limit` organisations of a picker kind (see PICKER_KINDS)
    matching every word of `q`; none for an empty query."""
    terms = query_terms(q)
    kinds = PICKER_KINDS.get(kind)
    if not terms or kinds is None:
        return SearchResult([], False)
    limit = max(1, min(limit, LIMIT_MAX))
    whole = " ".join(terms)
    stmt = (select(Organisation).where(Organisation.kind.in_(kinds), *[_term_clause(t) for t in terms])
            .order_by(_rank(whole), *_funded_first(), func.lower(Organisation.name), Organisation.city,
                      Organisation.id)
            .limit(limit + 1))
    rows = list(session.scalars(stmt))
    return SearchResult([option_of(o) for o in rows[:limit]], len(rows) > limit)


def option_of(organisation: Organisation) -> OrganisationOption:
    return OrganisationOption(
        id=organisation.id, name=organisation.name, kind=organisation.kind,
        details=organisation_details(organisation.kind, organisation.city, organisation.brin,
                                     organisation.vestigingscode, getattr(organisation, "kvk_number", None)))


def select_options(session: Session, kind: str = "") -> list[tuple[int, str]]:
    """(id, label with disambiguation) of every organisation of a picker kind,
    by name: the plain <select> a page shows without JavaScript."""
    kinds = PICKER_KINDS.get(kind, ())
    columns = [Organisation.id, Organisation.name, Organisation.kind, Organisation.city, Organisation.brin,
               Organisation.vestigingscode]
    if hasattr(Organisation, "kvk_number"):
        columns.append(Organisation.kvk_number)
    rows = session.execute(select(*columns).where(Organisation.kind.in_(kinds))
                           .order_by(func.lower(Organisation.name), Organisation.city, Organisation.id)).all()
    return [(r.id, organisation_option(r.name, organisation_details(
        r.kind, r.city, r.brin, r.vestigingscode, getattr(r, "kvk_number", None)))) for r in rows]
