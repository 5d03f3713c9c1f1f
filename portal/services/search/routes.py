"""Routes matching a picker's query, among only the routes this user may
choose: for a good practice the routes they may see; for an agreement the
routes their own organisation takes part in (what the form accepts)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.domain.pickers import LIMIT_DEFAULT, LIMIT_MAX, query_terms, route_details
from portal.domain.routes import STATUS_NAMES
from portal.models import LearningRoute, Organisation, RouteParty
from portal.services.learning_routes.filters import visibility_clause

SCOPES = ("voorbeeld", "overeenkomst")


@dataclass(frozen=True)
class RouteOption:
    id: int
    name: str
    details: str


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(term: str) -> str:
    return f"%{_escaped(term)}%"


def _term_clause(term: str):
    party_named = exists().where(
        RouteParty.route_id == LearningRoute.id, RouteParty.organisation_id == Organisation.id,
        or_(Organisation.name.ilike(_like(term), escape="\\"), Organisation.city.ilike(_like(term), escape="\\"),
            func.upper(Organisation.vestigingscode) == term.upper()))
    return or_(LearningRoute.title.ilike(_like(term), escape="\\"), LearningRoute.crebo == term, party_named)


def scope_clause(user, scope: str):
    """The routes a picker of this scope may offer to this user."""
    if scope == "overeenkomst":
        org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
        if not org_id:
            return LearningRoute.id.is_(None)  # nothing: only a party's coordinator starts an agreement
        return LearningRoute.archived_at.is_(None) & LearningRoute.parties.any(RouteParty.organisation_id == org_id)
    return visibility_clause(user)


def search_routes(session: Session, q: str | None, user, scope: str = "voorbeeld", *,
                  limit: int = LIMIT_DEFAULT) -> tuple[list[RouteOption], bool]:
    """The first `limit` routes in scope matching every word of `q`, and
    whether there were more; none for an empty query or an unknown scope."""
    terms = query_terms(q)
    if not terms or scope not in SCOPES:
        return [], False
    limit = max(1, min(limit, LIMIT_MAX))
    title = func.lower(LearningRoute.title)
    whole = " ".join(terms).lower()
    rank = case((title == whole, 0), (title.like(_escaped(whole) + "%", escape="\\"), 1), else_=2)
    stmt = (select(LearningRoute).where(scope_clause(user, scope), *[_term_clause(t) for t in terms])
            .options(selectinload(LearningRoute.parties).selectinload(RouteParty.organisation))
            .order_by(rank, title, LearningRoute.id).limit(limit + 1))
    rows = list(session.scalars(stmt))
    return [option_of(r) for r in rows[:limit]], len(rows) > limit


def option_of(route: LearningRoute) -> RouteOption:
    schools = [p.organisation.name for p in route.parties if p.role == "vmbo"] or \
        [p.organisation.name for p in route.parties]
    return RouteOption(route.id, route.title, route_details(
        route.kind_code, STATUS_NAMES.get(route.status, route.status), route.first_school_year, schools))
