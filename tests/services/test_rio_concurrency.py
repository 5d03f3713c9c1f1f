"""Two writers of one route's DUO registration at the same moment (two real
PostgreSQL connections): the second waits on the route's lock and then
decides on what the first wrote, so the audit trail is a chain (the second
entry's "before" is the first entry's "after"). The control runs the same
steps with the test-only switch AGGREGATE_LOCKS = False: the second writer
reads the state from before the first's commit (it waits only later, on the
party row's UPDATE), and its audit entry records a "before" that no longer
existed. PostgreSQL only. Synthetic
organisations."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import AuditLog, LearningRoute, User
from portal.services.learning_routes import rio
from tests.factories import make_organisation, make_route, make_user
from tests.services.test_concurrency_pg_races import locks, race_app, wait_until_blocked_or_done  # noqa: F401

FIRST_DAY = date.today() - timedelta(days=7)


@pytest.fixture
def route_world(race_app):  # noqa: F811
    with race_app.app_context():
        school = make_organisation("vmbo", name="Synthetisch Vmbo Race")
        roc = make_organisation("mbo", name="Synthetisch ROC Race")
        route = make_route([(school, "vmbo"), (roc, "mbo")], kind_code="dlr", title="Synthetische racroute")
        staff, coordinator = make_user("staff"), make_user("coordinator", school)
        db.session.commit()
        ids = dict(route=route.id, school=school.id, staff=staff.id, coordinator=coordinator.id)
        db.session.remove()
    return ids


def race_registrations(app, world) -> bool:
    """The coordinator registers (held, not committed) while staff, who loaded
    the route before, saves a RIO code. Returns whether the second waited."""
    loaded, errors = threading.Event(), []

    def second_writer():
        with app.app_context(), Session(db.engine) as session:
            try:
                route = session.get(LearningRoute, world["route"])
                _ = [p.rio_registered for p in route.parties]  # loaded before the first's commit
                loaded.set()
                rio.set_registration(session, route, world["school"], True, date.today(), "100B490",
                                     session.get(User, world["staff"]))
                session.commit()
            except Exception as exc:  # asserted by the caller
                errors.append(exc)
                loaded.set()

    with app.app_context(), Session(db.engine) as session:
        route = session.get(LearningRoute, world["route"])
        rio.set_registration(session, route, world["school"], True, FIRST_DAY, None,
                             session.get(User, world["coordinator"]))
        session.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        loaded.wait(30)
        waited = wait_until_blocked_or_done(db.engine, thread)
        session.commit()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    return waited


def audit_chain(app, world) -> list[tuple[str, str]]:
    with app.app_context(), Session(db.engine) as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.object_id == world["route"],
                                                         AuditLog.action == "duo_registration")
                                  .order_by(AuditLog.id)).all()
        return [(e.before["duo_registration"], e.after["duo_registration"]) for e in entries]


def test_the_second_writer_waits_and_its_audit_entry_continues_the_first(race_app, locks, route_world):  # noqa: F811
    assert race_registrations(race_app, route_world)
    (first_before, first_after), (second_before, second_after) = audit_chain(race_app, route_world)
    assert first_before == "Synthetisch Vmbo Race: niet geregistreerd bij DUO"
    assert second_before == first_after == f"Synthetisch Vmbo Race: geregistreerd bij DUO op {FIRST_DAY:%d-%m-%Y}"
    assert second_after.endswith("RIO-code 100B490")


def test_control_without_the_lock_the_audit_chain_breaks(race_app, locks, route_world):  # noqa: F811
    locks["AGGREGATE_LOCKS"] = False
    race_registrations(race_app, route_world)
    (first_before, first_after), (second_before, _) = audit_chain(race_app, route_world)
    assert second_before == first_before == "Synthetisch Vmbo Race: niet geregistreerd bij DUO"  # stale
    assert second_before != first_after
