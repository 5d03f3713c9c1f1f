"""One definition of route filters and visibility, shared by the route list,
its exports, the map, the dashboard and the API, so they always agree."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, case, exists, or_, select, type_coerce
from sqlalchemy.orm import aliased

from portal.domain import route_state, vocab
from portal.domain.identifiers import is_region_code, school_year_error
from portal.domain.routes import TEACHING_LOCATIONS
from portal.domain.school_year import current_school_year
from portal.models import (
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    Region,
    RouteParty,
    route_pathways,
    route_profiles,
)
from portal.permissions import is_staff

MAX_QUERY_LENGTH = 200


@dataclass
class RouteFilters:
    """Filter values from the URL. Unknown codes are dropped, so a hand-edited
    URL never errors; list fields combine as OR within a field, AND across."""

    region: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    pathway: list[str] = field(default_factory=list)
    # where the route is taught: vmbo, mbo, beide (issue 17)
    teaching_location: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    organisation: list[int] = field(default_factory=list)
    school_year: str | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> RouteFilters:
        def many(name: str, valid) -> list[str]:
            values = args.getlist(name) if hasattr(args, "getlist") else args.get(name, [])
            if isinstance(values, str):
                values = [values]
            out: list[str] = []
            for value in values:
                for part in str(value).split(","):
                    part = part.strip()
                    if part and valid(part) and part not in out:
                        out.append(part)
            return out[:50]

        orgs = [int(v) for v in many("organisation", lambda v: v.isdecimal() and len(v) < 10)]
        year = (args.get("school_year") or "").strip() or None
        if year and school_year_error(year):
            year = None
        return cls(
            region=many("region", is_region_code),
            profile=many("profile", vocab.codes(vocab.PROFILES).__contains__),
            level=many("level", vocab.codes(vocab.MBO_LEVELS).__contains__),
            kind=many("kind", vocab.codes(vocab.ROUTE_KINDS).__contains__),
            pathway=many("pathway", vocab.codes(vocab.PATHWAYS).__contains__),
            teaching_location=many("teaching_location", TEACHING_LOCATIONS.__contains__),
            status=many("status", set(route_state.STATES).__contains__),
            domain=many("domain", vocab.codes(vocab.MBO_DOMAINS).__contains__),
            organisation=orgs,
            school_year=year,
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        )

    def to_args(self) -> dict[str, list[str] | str]:
        """Query arguments for url_for(..., **filters.to_args())."""
        out: dict[str, list[str] | str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = [str(v) for v in value] if isinstance(value, list) else value
        return out

    def key(self) -> tuple:
        """The filters as a hashable value (kept aggregates are keyed by it)."""
        return tuple((name, tuple(value) if isinstance(value, list) else value)
                     for name, value in sorted(self.to_args().items()))

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def state_year(self) -> str:
        """The school year the state filter (actief, afgelopen, ...) is read in:
        the chosen school year, else the current one."""
        return self.school_year or current_school_year()


# --- the state of a route in a school year (portal.domain.route_state in SQL) -----

def _runs_in(school_year: str):
    return and_(LearningRoute.first_school_year <= school_year,
                or_(LearningRoute.last_school_year.is_(None), LearningRoute.last_school_year == "",
                    LearningRoute.last_school_year >= school_year))


def active_in(school_year: str):
    """The one definition of "actief in schooljaar X" (route_state.is_active_in)
    as a WHERE clause: every count and list of active routes goes through it."""
    return and_(LearningRoute.status == route_state.ACTIVE, _runs_in(school_year))


def state_clause(state: str, school_year: str):
    """WHERE clause: the route has this state (route_state.route_state) in the school year."""
    if state == route_state.ACTIVE:
        return active_in(school_year)
    if state == route_state.ENDED:
        return and_(LearningRoute.status == route_state.ACTIVE, LearningRoute.last_school_year != "",
                    LearningRoute.last_school_year < school_year)
    if state == route_state.NOT_STARTED:
        return and_(LearningRoute.status == route_state.ACTIVE, LearningRoute.first_school_year > school_year)
    return LearningRoute.status == state


def state_expression(school_year: str):
    """The route's state in the school year as a SQL expression (for GROUP BY)."""
    return case(
        (state_clause(route_state.ENDED, school_year), route_state.ENDED),
        (state_clause(route_state.NOT_STARTED, school_year), route_state.NOT_STARTED),
        else_=LearningRoute.status)


def route_region_pairs(year: int | None, route_ids=None, region_ids=None):
    """route_region_pairs_select as a subquery (see there)."""
    return route_region_pairs_select(year, route_ids, region_ids).subquery("route_regions")


def route_region_pairs_select(year: int | None, route_ids=None, region_ids=None) -> Select:
    """(route_id, region_id) for the year's indeling: the regions of the route's
    vmbo parties; a route without vmbo party (a leerlab) takes those of its
    other parties. Returned as a subquery.

    `route_ids` (a list or a SELECT of ids) and `region_ids` restrict the pairs
    inside the DISTINCT, so the database derives the regions of the selected
    routes only instead of those of every route."""
    stmt = _pairs_of_year(year or 0)
    if route_ids is not None:
        stmt = stmt.where(RouteParty.route_id.in_(route_ids))
    if region_ids is not None:
        stmt = stmt.where(MunicipalityRegion.region_id.in_(region_ids))
    return stmt


@lru_cache(maxsize=16)
def _pairs_of_year(year: int) -> Select:
    """The unrestricted pairs statement of one year. Built once per year and
    kept (statements are immutable; .where() returns a copy): building it costs
    more than running it for a page of routes."""
    vmbo = aliased(RouteParty)
    has_vmbo = exists().where(vmbo.route_id == RouteParty.route_id, vmbo.role == "vmbo")
    # type_coerce: the subquery's columns then carry no foreign keys, whose copies
    # cost SQLAlchemy an event listener each (~0.3 ms per subquery, every request).
    return (
        select(type_coerce(RouteParty.route_id, Integer).label("route_id"),
               type_coerce(MunicipalityRegion.region_id, Integer).label("region_id"))
        .join(Organisation, Organisation.id == RouteParty.organisation_id)
        .join(MunicipalityRegion, MunicipalityRegion.municipality_id == Organisation.municipality_id)
        .where(MunicipalityRegion.year == year)
        .where(or_(RouteParty.role == "vmbo", ~has_vmbo))
        .distinct()
    )


def visibility_clause(user, include_archived: bool = False):
    """What this user may see: the public never sees concepts or archived
    routes; a coordinator also sees the concepts of their own organisation;
    staff see everything (archived only when asked)."""
    clauses = []
    if not include_archived or not is_staff(user):
        clauses.append(LearningRoute.archived_at.is_(None))
    if is_staff(user):
        return and_(*clauses) if clauses else True
    public = LearningRoute.status != "concept"
    org_id = getattr(user, "organisation_id", None) if _is_authenticated(user) else None
    if org_id and getattr(user, "role", None) == "coordinator":
        own = exists().where(RouteParty.route_id == LearningRoute.id, RouteParty.organisation_id == org_id)
        clauses.append(or_(public, own))
    else:
        clauses.append(public)
    return and_(*clauses)


def audience(user) -> tuple:
    """Who sees the same routes (visibility_clause): the public, staff, or the
    coordinators of one organisation. Part of the key of kept aggregates."""
    if is_staff(user):
        return ("staff",)
    org_id = getattr(user, "organisation_id", None) if _is_authenticated(user) else None
    if org_id and getattr(user, "role", None) == "coordinator":
        return ("coordinator", org_id)
    return ("public",)


def _is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))




def filter_clauses(filters: RouteFilters, year: int | None, *, skip: str | Iterable[str] | None = None) -> list:
    """WHERE clauses for the filters. `skip` leaves one filter (or several)
    out, which is what facet counts need (the count per value of that facet)."""
    skipped = {skip} if isinstance(skip, str) else set(skip or ())
    clauses = []
    if filters.region and "region" not in skipped:
        regions = select(Region.id).where(Region.code.in_(filters.region), Region.year == (year or 0))
        clauses.append(LearningRoute.id.in_(select(route_region_pairs(year, region_ids=regions).c.route_id)))
    if filters.profile and "profile" not in skipped:
        clauses.append(LearningRoute.id.in_(
            select(route_profiles.c.route_id).where(route_profiles.c.profile_code.in_(filters.profile))))
    if filters.pathway and "pathway" not in skipped:
        clauses.append(LearningRoute.id.in_(
            select(route_pathways.c.route_id).where(route_pathways.c.pathway_code.in_(filters.pathway))))
    if filters.level and "level" not in skipped:
        clauses.append(LearningRoute.mbo_level_code.in_(filters.level))
    if filters.teaching_location and "teaching_location" not in skipped:
        clauses.append(LearningRoute.teaching_location.in_(filters.teaching_location))
    if filters.kind and "kind" not in skipped:
        clauses.append(LearningRoute.kind_code.in_(filters.kind))
    if filters.status and "status" not in skipped:
        year_of_state = filters.state_year()
        clauses.append(or_(*[state_clause(state, year_of_state) for state in filters.status]))
    if filters.domain and "domain" not in skipped:
        clauses.append(LearningRoute.mbo_domain_code.in_(filters.domain))
    if filters.organisation and "organisation" not in skipped:
        clauses.append(LearningRoute.id.in_(
            select(RouteParty.route_id).where(RouteParty.organisation_id.in_(filters.organisation))))
    if filters.school_year and "school_year" not in skipped:
        # Running in that year: started on or before it, not ended before it.
        clauses.append(LearningRoute.first_school_year <= filters.school_year)
        clauses.append(or_(LearningRoute.last_school_year.is_(None),
                           LearningRoute.last_school_year >= filters.school_year))
    if filters.q and "q" not in skipped:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        org_match = select(RouteParty.route_id).join(
            Organisation, Organisation.id == RouteParty.organisation_id
        ).where(Organisation.name.ilike(like, escape="\\"))
        clauses.append(or_(
            LearningRoute.title.ilike(like, escape="\\"),
            LearningRoute.description.ilike(like, escape="\\"),
            LearningRoute.qualification_name.ilike(like, escape="\\"),
            LearningRoute.crebo == filters.q,
            LearningRoute.id.in_(org_match),
        ))
    return clauses


def filtered_routes(filters: RouteFilters, user, year: int | None, *, skip: str | None = None,
                    include_archived: bool = False) -> Select:
    """SELECT of the routes this user may see that match the filters."""
    return (
        select(LearningRoute)
        .where(visibility_clause(user, include_archived))
        .where(*filter_clauses(filters, year, skip=skip))
    )


__all__ = ["RouteFilters", "active_in", "filter_clauses", "filtered_routes", "route_region_pairs",
           "route_region_pairs_select", "state_clause", "state_expression", "visibility_clause"]
