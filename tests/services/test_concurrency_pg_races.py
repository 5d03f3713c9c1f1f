"""Two writers of one agreement at the same moment, with two real PostgreSQL
connections: the first holds its write (row lock taken, rows flushed, not yet
committed); the second, started from the same version, must wait on the
agreement's lock (seen in pg_stat_activity) and, once the first commits,
decide on what the first wrote: a conflict for the second editor save, and
"getekend" when the second party signs. Sums stay exactly 100.00.

Each race has a control that runs the same steps with the test-only switch
AGGREGATE_LOCKS = False (env PORTAL_AGGREGATE_LOCKS=off) and shows the race
going wrong without the lock: the stale version check lets the second save
through to the rows (it is stopped only later, by the ORM's version
compare-and-set, as a StaleDataError rather than the conflict), two parties'
signatures leave the agreement ter ondertekening for good, and one party
signs twice. The deferred funding-sum trigger is tested at the end: it
refuses at COMMIT exactly the 200 % the old code let through.

PostgreSQL only (SQLite serialises every writing request on its one database
lock). The tests run on their own freshly created database, dropped at the
end, because they commit for real.
"""
from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal import create_app
from portal.config import TestConfig
from portal.core.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.models import AuditLog, LearningRoute, User
from portal.models.agreement import Agreement, AgreementParty, FundingShare
from portal.services.agreements import funding, lifecycle, operations
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes.snapshots import route_input_from
from tests.factories_agreements import CLAUSES, make_agreement, make_parties_and_route


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    """The app on a database of its own (created here, dropped afterwards)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("two writers waiting on a row lock: PostgreSQL only (SQLite serialises all writes)")
    url = make_url(database_url)
    name = f"{url.database}_locks_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url.set(database=name).render_as_string(hide_password=False)
        UPLOAD_DIR = str(tmp_path_factory.mktemp("race-uploads"))

    app = create_app(Config)
    try:
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            from portal.services.reference.vocabularies import seed_vocabularies
            seed_vocabularies(db.session)
            db.session.commit()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def locks(race_app):
    """AGGREGATE_LOCKS as the test sets it (back on afterwards)."""
    yield race_app.config
    race_app.config["AGGREGATE_LOCKS"] = True


@pytest.fixture
def world(race_app):
    """A complete agreement (funding 60/40, guarantee), committed."""
    with race_app.app_context():
        vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
        agreement = make_agreement(vmbo_user, route, mbo)
        db.session.commit()
        ids = dict(agreement=agreement.id, vmbo_user=vmbo_user.id, mbo_user=mbo_user.id,
                   vmbo=vmbo.id, mbo=mbo.id, version=agreement.version_id)
        db.session.remove()
    return ids


def _party(session, agreement, organisation_id):
    return next(p for p in agreement.parties if p.organisation_id == organisation_id)


def _funding_write(split):
    def write(session, agreement, world, version):
        vmbo, mbo = _party(session, agreement, world["vmbo"]), _party(session, agreement, world["mbo"])
        rows = [dict(stream="lumpsum_vo", school_year="2026-2027", party_id=p.id, percentage=Decimal(pct))
                for p, pct in ((vmbo, split[0]), (mbo, split[1])) if pct != "0"]
        return funding.set_funding(session, agreement, rows, [], session.get(User, world["vmbo_user"]),
                                   expected_version=version)
    return write


def _guarantee_write(months):
    def write(session, agreement, world, version):
        mbo = _party(session, agreement, world["mbo"])
        return funding.set_guarantee(session, agreement, months, [
            dict(from_month=1, to_month=months, destination="mbo2", responsible_party_id=mbo.id, max_wait_days=5,
                 description=f"{months} maanden in het mbo")], session.get(User, world["vmbo_user"]),
            expected_version=version)
    return write


def _parties_write(body):
    def write(session, agreement, world, version):
        rows = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=f"{body} {p.role}")
                for p in agreement.parties]
        return operations.set_parties(session, agreement, rows, session.get(User, world["vmbo_user"]),
                                      expected_version=version)
    return write


# (first writer, second writer): different content, so that a merge would show.
# The funding pair has no row key in common: without any check both would be
# stored, vmbo 100 % + mbo 100 % = 200 % (the defect of issue 14).
EDITORS = {
    "funding": (_funding_write(("100", "0")), _funding_write(("0", "100"))),
    "guarantee": (_guarantee_write(24), _guarantee_write(36)),
    "parties": (_parties_write("Eerste"), _parties_write("Tweede")),
}


def blocked_on_a_lock(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar())


def wait_until_blocked_or_done(engine, thread, timeout=30.0) -> bool:
    """True once the second writer waits for a lock; False if it finished
    without waiting. Generous on a loaded machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_on_a_lock(engine):
            return True
        if not thread.is_alive():
            return False
        time.sleep(0.02)
    raise AssertionError("the second writer neither waited for a lock nor finished")


def race(app, world, first, second):
    """`first(session, agreement)` runs and flushes in this thread and holds
    its transaction; `second` runs in another thread from the same state and
    version; then the first commits. Returns (outcome of the second, whether
    it waited for a lock)."""
    outcome: dict = {}
    loaded = threading.Event()

    def second_writer():
        with app.app_context(), Session(db.engine) as session:
            try:
                agreement = session.get(Agreement, world["agreement"])
                _ = [p.is_signed for p in agreement.parties]  # the form was loaded before the first's commit
                loaded.set()
                outcome["result"] = second(session, agreement)
                session.commit()
                outcome["committed"] = True
            except Exception as exc:  # the outcome is asserted by the caller
                outcome["error"] = exc
                loaded.set()

    with app.app_context():
        engine = db.engine
        with Session(engine) as session:
            agreement = session.get(Agreement, world["agreement"])
            thread = threading.Thread(target=second_writer)
            first(session, agreement)
            session.flush()
            thread.start()
            loaded.wait(30)
            waited = wait_until_blocked_or_done(engine, thread)
            session.commit()
        thread.join(30)
        assert not thread.is_alive(), "the second writer did not finish after the first committed"
    return outcome, waited


def read(app, world):
    with app.app_context(), Session(db.engine) as session:
        sums = session.execute(
            select(FundingShare.stream, FundingShare.school_year, func.sum(FundingShare.percentage))
            .where(FundingShare.agreement_id == world["agreement"])
            .group_by(FundingShare.stream, FundingShare.school_year)).all()
        agreement = session.get(Agreement, world["agreement"])
        signs = session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.object_type == "agreement", AuditLog.object_id == world["agreement"], AuditLog.action == "sign"))
        return dict(sums=[Decimal(s) for *_, s in sums], status=agreement.status, version=agreement.version_id,
                    signed=[p.signed_at for p in agreement.parties], signs=signs,
                    bodies=sorted(p.governing_body_name for p in agreement.parties),
                    duration=agreement.route_duration_months)


# --- two saves of one editor from the same version ------------------------------

@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_the_second_save_waits_for_the_first_and_gets_the_conflict(race_app, locks, world, editor):
    first, second = EDITORS[editor]
    version = world["version"]
    outcome, waited = race(race_app, world, lambda s, a: first(s, a, world, version),
                           lambda s, a: second(s, a, world, version))
    assert waited, "the second save did not wait for the first"
    assert isinstance(outcome.get("error"), ConflictError), outcome
    after = read(race_app, world)
    assert after["version"] > version and outcome["error"].current_version == after["version"]
    assert after["sums"] and all(total == Decimal("100.00") for total in after["sums"]), after
    if editor == "funding":
        assert after["sums"] == [Decimal("100.00")]
    if editor == "guarantee":
        assert after["duration"] == 24
    if editor == "parties":
        assert all(b.startswith("Eerste") for b in after["bodies"])


@pytest.mark.filterwarnings("ignore:DELETE statement on table:sqlalchemy.exc.SAWarning")  # the stale delete
@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_control_without_the_lock_the_stale_version_check_lets_the_second_save_through(
        race_app, locks, world, editor):
    """The same race without the lock: the second save's version check reads
    the state from before the first's commit, passes, and the save goes on
    to write over the first's rows. It is caught only by the ORM's version
    compare-and-set at flush (a StaleDataError), or for the funding rows by a
    unique key: not the conflict the test above requires. (Before this
    change finish_change refreshed the agreement before the bump, so that
    compare-and-set passed too, and the funding split was stored as 200 %:
    the trigger test below shows the database now refuses that.)"""
    locks["AGGREGATE_LOCKS"] = False
    first, second = EDITORS[editor]
    version = world["version"]
    outcome, _ = race(race_app, world, lambda s, a: first(s, a, world, version),
                      lambda s, a: second(s, a, world, version))
    assert not isinstance(outcome.get("error"), ConflictError), outcome
    assert isinstance(outcome.get("error"), StaleDataError | IntegrityError), outcome


# --- signing ------------------------------------------------------------------

def _send(app, world):
    with app.app_context(), Session(db.engine) as session:
        agreement = session.get(Agreement, world["agreement"])
        lifecycle.send_for_signature(session, agreement, session.get(User, world["vmbo_user"]))
        session.commit()


def _sign(org_key, user_key, world):
    def write(session, agreement):
        return lifecycle.sign(session, agreement, _party(session, agreement, world[org_key]),
                              session.get(User, world[user_key]))
    return write


def test_two_parties_signing_at_once_make_it_getekend(race_app, locks, world):
    _send(race_app, world)
    outcome, waited = race(race_app, world, _sign("vmbo", "vmbo_user", world), _sign("mbo", "mbo_user", world))
    assert waited and outcome.get("committed"), outcome
    after = read(race_app, world)
    assert after["status"] == "getekend" and all(after["signed"]) and after["signs"] == 2


def test_control_without_the_lock_two_signatures_leave_it_ter_ondertekening(race_app, locks, world):
    locks["AGGREGATE_LOCKS"] = False
    _send(race_app, world)
    outcome, _ = race(race_app, world, _sign("vmbo", "vmbo_user", world), _sign("mbo", "mbo_user", world))
    assert outcome.get("committed"), outcome
    after = read(race_app, world)
    assert all(after["signed"]) and after["status"] == "ter_ondertekening"  # the defect of issue 14


def test_one_party_signing_twice_at_once_signs_once(race_app, locks, world):
    _send(race_app, world)
    outcome, waited = race(race_app, world, _sign("vmbo", "vmbo_user", world), _sign("vmbo", "vmbo_user", world))
    assert waited
    assert isinstance(outcome.get("error"), ServiceError) and "al getekend" in str(outcome["error"]), outcome
    after = read(race_app, world)
    assert after["signs"] == 1 and after["status"] == "ter_ondertekening"


def test_control_without_the_lock_one_party_signs_twice(race_app, locks, world):
    locks["AGGREGATE_LOCKS"] = False
    _send(race_app, world)
    outcome, _ = race(race_app, world, _sign("vmbo", "vmbo_user", world), _sign("vmbo", "vmbo_user", world))
    assert outcome.get("committed"), outcome
    assert read(race_app, world)["signs"] == 2  # the defect: two signatures, the first signed_at overwritten


# --- a route's activation and an addendum of the agreement that covers it ----------

def _signed(app, world):
    _send(app, world)
    with app.app_context(), Session(db.engine) as session:
        agreement = session.get(Agreement, world["agreement"])
        for org_key, user_key in (("vmbo", "vmbo_user"), ("mbo", "mbo_user")):
            _sign(org_key, user_key, world)(session, agreement)
        session.commit()
        assert agreement.status == "getekend"
        return agreement.routes[0].id


def _addendum(world):
    def write(session, agreement):
        data = dict(CLAUSES, title=agreement.title, start_date=agreement.start_date, end_date=agreement.end_date,
                    route_ids=[r.id for r in agreement.routes], examining_organisation_id=world["mbo"],
                    complaints_procedure="Een gezamenlijke klachtencommissie.")
        assert operations.update_agreement(session, agreement, data, session.get(User, world["vmbo_user"])) \
            == "addendum"
    return write


def _activate(route_id, world):
    def write(session, _agreement):
        route = session.get(LearningRoute, route_id)
        data = dataclasses.replace(route_input_from(route), status="actief", crebo="25498", pathways=["BB"],
                                   qualification_name="Helpende zorg en welzijn")
        return route_service.update_route(session, route, data, session.get(User, world["vmbo_user"]),
                                          expected_version=route.version_id)
    return write


def _route_status(app, route_id):
    with app.app_context(), Session(db.engine) as session:
        return session.get(LearningRoute, route_id).status


def _terminate(world):
    def write(session, agreement):
        lifecycle.terminate(session, agreement, date.today(), "Synthetische reden: de route stopt.",
                            session.get(User, world["vmbo_user"]))
    return write


def test_a_route_is_activated_while_an_addendum_is_being_saved(race_app, locks, world):
    """Issue 20 §1: an addendum leaves the signed version in force. The
    activation reads the covering agreements FOR SHARE, waits for the
    addendum and then activates the route under version 1."""
    route_id = _signed(race_app, world)
    outcome, waited = race(race_app, world, _addendum(world), _activate(route_id, world))
    assert waited
    assert outcome.get("committed"), outcome
    assert _route_status(race_app, route_id) == "actief"
    assert read(race_app, world)["status"] == "concept"  # the draft addendum, beside version 1 in force


def test_a_route_is_not_activated_on_an_agreement_being_terminated(race_app, locks, world):
    """The termination holds the agreement (and the route it would end); the
    activation waits, then reads the terminated agreement and refuses. No
    deadlock although the two take the locks in opposite orders: the
    termination skips a route another writer holds."""
    route_id = _signed(race_app, world)
    outcome, waited = race(race_app, world, _terminate(world), _activate(route_id, world))
    assert waited
    assert isinstance(outcome.get("error"), ServiceError), outcome
    assert list(outcome["error"].errors) == ["status"] and "pas actief worden" in str(outcome["error"]), outcome
    assert _route_status(race_app, route_id) == "voorbereiding"
    assert read(race_app, world)["status"] == "opgezegd"


def test_control_without_the_lock_the_route_is_activated_on_a_terminated_agreement(race_app, locks, world):
    locks["AGGREGATE_LOCKS"] = False
    route_id = _signed(race_app, world)
    outcome, _ = race(race_app, world, _terminate(world), _activate(route_id, world))
    assert outcome.get("committed"), outcome
    assert _route_status(race_app, route_id) == "actief"  # while its only agreement is terminated
    assert read(race_app, world)["status"] == "opgezegd"


# --- the database as the last line: the funding-sum trigger ------------------------

def _shares(conn, agreement_id, rows):
    conn.execute(FundingShare.__table__.insert(), [
        dict(agreement_id=agreement_id, stream="rijksbijdrage_mbo", school_year="2027-2028", party_id=party_id,
             percentage=Decimal(pct), position=i) for i, (party_id, pct) in enumerate(rows)])


def _party_ids(conn, agreement_id):
    ids = conn.execute(select(AgreementParty.id).where(AgreementParty.agreement_id == agreement_id)
                       .order_by(AgreementParty.id)).scalars().all()
    conn.rollback()  # end the read's transaction
    return ids


def _group(conn, agreement_id):
    shares = [Decimal(p) for p in conn.execute(
        select(FundingShare.percentage).where(FundingShare.agreement_id == agreement_id,
                                              FundingShare.stream == "rijksbijdrage_mbo")).scalars()]
    conn.rollback()  # end the read's transaction
    return shares


def test_the_database_refuses_at_commit_shares_that_do_not_add_up_to_100(race_app, world):
    with race_app.app_context():
        engine = db.engine
    a = world["agreement"]
    with engine.connect() as conn:
        v, m = _party_ids(conn, a)
    with engine.connect() as conn, pytest.raises(IntegrityError, match="instead of 100.00"), conn.begin():
        _shares(conn, a, [(v, "50"), (m, "40")])  # deferred: no error before the commit
    with engine.connect() as conn:
        assert _group(conn, a) == []  # nothing stored
        with conn.begin():
            _shares(conn, a, [(v, "50"), (m, "50")])
        assert sorted(_group(conn, a)) == [Decimal("50.00"), Decimal("50.00")]
        with conn.begin():  # removing a whole stream/year is fine
            conn.execute(FundingShare.__table__.delete().where(FundingShare.agreement_id == a,
                                                              FundingShare.stream == "rijksbijdrage_mbo"))
        assert _group(conn, a) == []
        with pytest.raises(IntegrityError), conn.begin():  # changing one row of a group that summed to 100
            conn.execute(FundingShare.__table__.update().where(FundingShare.agreement_id == a)
                         .values(percentage=Decimal("10")))


def test_the_database_refuses_the_200_percent_of_two_stale_saves(race_app, world):
    """The old race on the rows themselves: two transactions each replace the
    group from the same stale read, one with the vmbo at 100 %, one with the
    mbo at 100 % (no row key in common). The first commits; the second's
    COMMIT is refused, so the group never sums to 200 %."""
    with race_app.app_context():
        engine = db.engine
    a = world["agreement"]
    with engine.connect() as first, engine.connect() as second:
        v, m = _party_ids(first, a)
        first.begin()
        second.begin()
        _shares(first, a, [(v, "100")])
        _shares(second, a, [(m, "100")])
        first.commit()
        with pytest.raises(IntegrityError, match="add up to 200"):
            second.commit()
    with engine.connect() as conn:
        assert _group(conn, a) == [Decimal("100.00")]


# --- a serialization failure is a conflict, not a 500 ------------------------------

def test_a_serialization_failure_is_answered_as_a_conflict(race_app, world):
    """PostgreSQL refuses a SERIALIZABLE transaction that updates a row
    another transaction changed after it began (SQLSTATE 40001). save()
    answers it as the conflict, rolled back, like a stale version."""
    from portal.web.transaction import save
    table = Agreement.__table__
    with race_app.test_request_context("/"):
        def write():
            db.session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
            db.session.execute(select(table.c.title).where(table.c.id == world["agreement"])).scalar()
            with db.engine.begin() as other:  # another request commits a change to the same row
                other.execute(table.update().where(table.c.id == world["agreement"]).values(title="Door de ander"))
            db.session.execute(table.update().where(table.c.id == world["agreement"]).values(title="Van mij"))

        saved = save(write)
        assert not saved.ok and saved.conflict is not None, saved
        assert "Iemand anders heeft dit intussen gewijzigd" in str(saved.error)
        db.session.remove()
    with race_app.app_context(), Session(db.engine) as session:
        assert session.scalar(select(table.c.title).where(table.c.id == world["agreement"])) == "Door de ander"
