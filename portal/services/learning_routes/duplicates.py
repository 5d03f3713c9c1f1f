"""Finding a route that already exists (issue 20 §4): the same title, the
same vmbo school and the same first school year, not archived. The create
form asks "bestaat al, toch opslaan?" and the CSV import skips such rows
unless told otherwise. Only routes the actor may see count, so the check
names no route the actor could not open. Reads only."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from portal.domain.routes import RouteInput
from portal.models import LearningRoute, RouteParty
from portal.services.learning_routes.filters import visibility_clause

# (title, first school year, vmbo organisation id or None for a route without one)
Key = tuple[str, str, int | None]


@dataclass(frozen=True)
class ExistingRoute:
    id: int
    title: str


def normal_title(title: str | None) -> str:
    """Titles compare without case and with runs of whitespace as one space
    (in Python: SQLite's lower() folds ASCII only)."""
    return " ".join((title or "").split()).casefold()


def route_keys(data: RouteInput) -> list[Key]:
    """The keys under which this route input is a duplicate: one per vmbo school."""
    title, year = normal_title(data.title), (data.first_school_year or "").strip()
    return [(title, year, org_id) for org_id in data.vmbo_parties] or [(title, year, None)]


class DuplicateIndex:
    """The keys of the visible, not archived routes of some school years
    (optionally of some vmbo schools only), loaded at once."""

    def __init__(self, session: Session, actor, school_years: Iterable[str], *, schools: list[int] | None = None):
        self.by_key: dict[Key, ExistingRoute] = {}
        years = sorted({y.strip() for y in school_years if y and y.strip()})
        # An alias: the visibility clause correlates its own RouteParty subquery.
        vmbo = aliased(RouteParty)
        for start in range(0, len(years), 500):
            query = (
                select(LearningRoute.id, LearningRoute.title, LearningRoute.first_school_year, vmbo.organisation_id)
                .outerjoin(vmbo, (vmbo.route_id == LearningRoute.id) & (vmbo.role == "vmbo"))
                .where(LearningRoute.first_school_year.in_(years[start:start + 500]),
                       visibility_clause(actor, False))
                .order_by(LearningRoute.id)
            )
            if schools is not None:
                query = query.where(vmbo.organisation_id.in_(schools) if schools else vmbo.organisation_id.is_(None))
            rows = session.execute(query)
            for route_id, title, year, org_id in rows:
                self.by_key.setdefault((normal_title(title), year, org_id), ExistingRoute(route_id, title))

    def find(self, data: RouteInput) -> ExistingRoute | None:
        for key in route_keys(data):
            if key in self.by_key:
                return self.by_key[key]
        return None


def find_duplicate(session: Session, data: RouteInput, actor) -> ExistingRoute | None:
    """The oldest visible, not archived route identical to this input, or None."""
    schools = [i for i in data.vmbo_parties if isinstance(i, int)]
    return DuplicateIndex(session, actor, [data.first_school_year], schools=schools).find(data)
