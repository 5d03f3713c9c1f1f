"""Two coordinators record the same route x school year at the same moment,
each from a form opened before anything was recorded (two real PostgreSQL
connections). With the route's lock the second waits, then sees the first's
row and gets the Dutch conflict; the control without the lock (test-only
switch AGGREGATE_LOCKS = False) lets the second pass its check unseen, and
then the unique constraint refuses its row: a conflict again, never a
duplicate. PostgreSQL only (SQLite serialises every write). Synthetic
organisations."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.errors import ConflictError
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.models import LearningRoute, RouteOutcome, User
from portal.services.outcomes import operations
from tests.factories import make_organisation, make_route, make_user
from tests.services.test_concurrency_pg_races import locks, race_app, wait_until_blocked_or_done  # noqa: F401

NOW = current_school_year()


@pytest.fixture
def outcome_world(race_app):  # noqa: F811
    with race_app.app_context():
        school = make_organisation("vmbo", name="Synthetisch Vmbo Uitkomst")
        roc = make_organisation("mbo", name="Synthetisch ROC Uitkomst")
        route = make_route([(school, "vmbo"), (roc, "mbo")], title="Synthetische uitkomstroute",
                           first_school_year=NOW)
        a, b = make_user("coordinator", school), make_user("coordinator", roc)
        db.session.commit()
        ids = dict(route=route.id, a=a.id, b=b.id)
        db.session.remove()
    return ids


def race_new_forms(app, world) -> tuple[BaseException | None, bool]:
    """A saves (flushed, not committed) while B, whose form was opened as new,
    saves too; then A commits. Returns (B's error, whether B waited)."""
    result: dict = {}
    loaded = threading.Event()

    def second_writer():
        with app.app_context(), Session(db.engine) as session:
            try:
                route = session.get(LearningRoute, world["route"])
                loaded.set()
                operations.save_outcome(session, route, NOW, operations.OutcomeData(14, 0, 0),
                                        session.get(User, world["b"]))
                session.commit()
            except Exception as exc:  # asserted by the caller
                result["error"] = exc
                session.rollback()
            finally:
                loaded.set()

    with app.app_context(), Session(db.engine) as session:
        route = session.get(LearningRoute, world["route"])
        operations.save_outcome(session, route, NOW, operations.OutcomeData(12, 0, 0), session.get(User, world["a"]))
        session.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        loaded.wait(30)
        waited = wait_until_blocked_or_done(db.engine, thread)
        session.commit()
    thread.join(30)
    assert not thread.is_alive()
    return result.get("error"), waited


def stored(app, world) -> list[int]:
    with app.app_context(), Session(db.engine) as session:
        return list(session.scalars(select(RouteOutcome.started).where(RouteOutcome.route_id == world["route"])))


def test_the_second_waits_on_the_route_and_gets_a_conflict(race_app, locks, outcome_world):  # noqa: F811
    error, waited = race_new_forms(race_app, outcome_world)
    assert waited
    assert isinstance(error, ConflictError) and "intussen vastgelegd" in str(error)
    assert stored(race_app, outcome_world) == [12]


def test_control_without_the_lock_the_unique_constraint_still_refuses_a_duplicate(race_app, locks,  # noqa: F811
                                                                                  outcome_world):
    locks["AGGREGATE_LOCKS"] = False
    error, waited = race_new_forms(race_app, outcome_world)
    assert waited  # on the unique index this time, after its own check found nothing
    assert isinstance(error, ConflictError) and "intussen vastgelegd" in str(error)
    with race_app.app_context(), Session(db.engine) as session:
        count = session.scalar(select(func.count(RouteOutcome.id)).where(RouteOutcome.route_id == outcome_world["route"]))
    assert count == 1 and stored(race_app, outcome_world) == [12]
