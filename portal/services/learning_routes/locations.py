"""The mbo location where a route is taught: one of the locations of one of
its mbo parties (optional), stored on that party's RouteParty row."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.domain import routes as rules
from portal.domain.routes import RouteInput
from portal.models import LearningRoute, MboLocation

WRONG_LOCATION = "Kies een locatie van een van de mbo-partijen van deze route."
ENDED_LOCATION = "Deze locatie is beëindigd; kies een locatie waar nu les wordt gegeven."


def check_mbo_location(session: Session, data: RouteInput, route: LearningRoute | None,
                       result: rules.RuleResult) -> None:
    """The location must belong to one of the route's mbo parties, and must
    not have ended (unless the route already names it)."""
    if data.mbo_location is None:
        return
    location = session.get(MboLocation, data.mbo_location)
    if location is None or location.organisation_id not in data.mbo_parties:
        result.error("mbo_location", WRONG_LOCATION)
        return
    current = route is not None and any(p.mbo_location_id == location.id for p in route.parties)
    if location.ended_on is not None and not current:
        result.error("mbo_location", ENDED_LOCATION)


def apply_mbo_location(session: Session, route: LearningRoute, data: RouteInput) -> None:
    """Put the location on its institution's party row and clear the others."""
    location = session.get(MboLocation, data.mbo_location) if data.mbo_location is not None else None
    for party in route.parties:
        if party.role != "mbo":
            continue
        if location is not None and party.organisation_id == location.organisation_id:
            party.mbo_location = location
        else:
            party.mbo_location = None


def location_choices(session: Session, mbo_party_ids: list[int], selected: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the current locations of these mbo institutions, by
    name; an ended location only when it is the one already chosen."""
    if not mbo_party_ids:
        return []
    query = (select(MboLocation).where(MboLocation.organisation_id.in_(mbo_party_ids))
             .where(or_(MboLocation.ended_on.is_(None), MboLocation.id == (selected or -1)))
             .order_by(MboLocation.name, MboLocation.code))
    return [(loc.id, loc.display_name + (" – beëindigd" if loc.ended_on else ""))
            for loc in session.scalars(query)]
