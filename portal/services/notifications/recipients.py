"""Who is told about an event: the coordinators of an agreement's parties,
a practice's author, the users who follow a route's region. Reads only."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import route_state
from portal.domain.school_year import school_year_of
from portal.models import (
    LearningRoute,
    MunicipalityRegion,
    NotificationPreference,
    Organisation,
    Region,
    RouteParty,
    User,
)
from portal.models.base import utcnow
from portal.services.reference.boundaries import current_region_year


def coordinators_of(session: Session, organisation_ids: Iterable[int]) -> list[User]:
    """The active coordinators of these organisations, in a stable order."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return []
    return list(session.scalars(
        select(User).where(User.organisation_id.in_(ids), User.role == "coordinator", User.active.is_(True))
        .order_by(User.id)))


def region_codes_of(session: Session, organisation_ids: Iterable[int]) -> dict[int, set[str]]:
    """Organisation id -> the codes of the arbeidsmarktregio(s) of its gemeente
    in the indeling in use."""
    ids = sorted(set(organisation_ids))
    year = current_region_year(session)
    if not ids or year is None:
        return {}
    rows = session.execute(
        select(Organisation.id, Region.code)
        .join(MunicipalityRegion, MunicipalityRegion.municipality_id == Organisation.municipality_id)
        .join(Region, Region.id == MunicipalityRegion.region_id)
        .where(Organisation.id.in_(ids), MunicipalityRegion.year == year))
    out: dict[int, set[str]] = {}
    for org_id, code in rows:
        out.setdefault(org_id, set()).add(code)
    return out


def anybody_follows(session: Session) -> bool:
    """Whether any user follows a region (JSON lists compared in Python: few rows)."""
    return any(regions for regions in session.scalars(
        select(NotificationPreference.regions).join(User, User.id == NotificationPreference.user_id)
        .where(User.active.is_(True))))


def followers_of(session: Session, region_codes: Iterable[str]) -> list[User]:
    """Active users who follow at least one of these regions."""
    wanted = set(region_codes)
    if not wanted:
        return []
    rows = session.execute(
        select(User, NotificationPreference.regions)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.active.is_(True)).order_by(User.id))
    return [user for user, regions in rows if wanted & set(regions or ())]


def schools_left_without_route(session: Session, route: LearningRoute) -> list[Organisation]:
    """The vmbo parties of `route` that, now that it ended, take part in no
    other route that is actief this school year: new witte vlekken."""
    school_year = school_year_of(utcnow().date())
    out = []
    for party in route.parties:
        if party.role != "vmbo":
            continue
        others = session.execute(
            select(LearningRoute.status, LearningRoute.first_school_year, LearningRoute.last_school_year)
            .join(RouteParty, RouteParty.route_id == LearningRoute.id)
            .where(RouteParty.organisation_id == party.organisation_id, LearningRoute.id != route.id,
                   LearningRoute.archived_at.is_(None)))
        if not any(route_state.is_active_in(status, first, last, school_year) for status, first, last in others):
            out.append(party.organisation)
    return out
