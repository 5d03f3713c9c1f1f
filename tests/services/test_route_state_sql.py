"""The SQL form of "actief in schooljaar X" and of a route's state
(services/learning_routes/filters.py) agrees with the domain's one definition
(portal/domain/route_state.py) for every status and span."""
import itertools

from sqlalchemy import select

from portal.domain import route_state as rs
from portal.domain.routes import STATUSES
from portal.extensions import db
from portal.models import LearningRoute
from portal.services.learning_routes.filters import active_in, state_clause, state_expression
from tests.factories import make_route

YEARS = ("2023-2024", "2024-2025", "2025-2026", "2026-2027")
SPANS = [(first, last) for first, last in itertools.product(YEARS, (None, *YEARS)) if last is None or last >= first]


def test_sql_and_domain_agree_on_every_state(db_session):
    routes = [make_route(status=status, first_school_year=first, last_school_year=last)
              for status in STATUSES for first, last in SPANS]
    ids = [r.id for r in routes]
    facts = {r.id: (r.status, r.first_school_year, r.last_school_year) for r in routes}
    for year in YEARS:
        in_sql = set(db.session.scalars(select(LearningRoute.id).where(LearningRoute.id.in_(ids), active_in(year))))
        assert in_sql == {i for i, f in facts.items() if rs.is_active_in(*f, year)}, year
        for state in rs.STATES:
            found = set(db.session.scalars(
                select(LearningRoute.id).where(LearningRoute.id.in_(ids), state_clause(state, year))))
            assert found == {i for i, f in facts.items() if rs.route_state(*f, year) == state}, (year, state)
        grouped = dict(db.session.execute(
            select(LearningRoute.id, state_expression(year)).where(LearningRoute.id.in_(ids))).all())
        assert grouped == {i: rs.route_state(*f, year) for i, f in facts.items()}, year
    # the control: some routes are actief but not active in a year, so the rule is not just "status = actief"
    assert any(f[0] == "actief" and not rs.is_active_in(*f, "2025-2026") for f in facts.values())
