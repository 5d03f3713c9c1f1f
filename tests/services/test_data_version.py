"""The data version (core/data_version.py): every committed write changes it,
once per transaction, through one counter among a few."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.core import data_version
from portal.core.audit import record
from portal.models import DataVersionSlot


def _counters(session) -> dict[int, int]:
    return dict(session.execute(select(DataVersionSlot.slot, DataVersionSlot.counter)).all())


def test_every_committed_write_changes_the_version(db_session):
    versions = [data_version.read(db_session)]
    for _ in range(3):
        record(db_session, None, "organisation", None, "update", after={"name": "x"})
        db_session.commit()
        versions.append(data_version.read(db_session))
    assert len(set(versions)) == 4
    assert [int(v) for v in versions] == sorted(int(v) for v in versions)  # it only grows


def test_a_transaction_adds_to_one_counter_once(db_session):
    before = _counters(db_session)
    for _ in range(5):  # one save records several entries
        record(db_session, None, "organisation", None, "update", after={"name": "y"})
    after = _counters(db_session)
    changed = [slot for slot in after if after[slot] != before.get(slot)]
    assert len(changed) == 1
    assert 0 <= changed[0] < data_version.SLOTS
    assert db_session.scalar(select(func.count()).select_from(DataVersionSlot)) <= data_version.SLOTS
    db_session.commit()
    record(db_session, None, "organisation", None, "update", after={"name": "z"})
    assert _counters(db_session) != after  # the next transaction adds again


def test_entries_that_change_no_page_leave_the_version(db_session):
    version = data_version.read(db_session)
    record(db_session, None, "user", None, "login", data_change=False)
    db_session.commit()
    assert data_version.read(db_session) == version


def test_the_version_read_on_a_connection_of_its_own_sees_each_commit(tmp_path):
    """What the page cache reads per request (no session): a committed write moves it."""
    from sqlalchemy import create_engine, text

    from portal.extensions import db
    engine = create_engine(f"sqlite:///{tmp_path / 'version.sqlite3'}")
    db.metadata.tables["data_version_slots"].create(engine)
    assert data_version.read_now(engine) == "0"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO data_version_slots (slot, counter) VALUES (3, 41), (7, 1)"))
        assert data_version.read(conn) == "42"
    assert data_version.read_now(engine) == "42"
    with engine.begin() as conn:
        conn.execute(text("UPDATE data_version_slots SET counter = counter + 5 WHERE slot = 7"))
    assert data_version.read_now(engine) == "47"
    engine.dispose()


def test_without_a_database_the_version_is_left_to_the_session_to_report(tmp_path):
    from sqlalchemy import create_engine
    unreachable = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite3'}")
    assert data_version.read_now(unreachable) is None  # cannot connect
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert data_version.read_now(empty) is None  # connects, but no such table
    assert data_version.read_now(empty) is None  # and the connection was given back
    empty.dispose()



def _reader_backends(database_url: str, until=None) -> list[tuple[int, str]]:
    """The version reader's server processes (pid, state), once `until` holds for them (5 s at most:
    a terminated or closed connection's process leaves pg_stat_activity a moment later)."""
    import time

    from sqlalchemy import create_engine, text
    probe = create_engine(database_url)
    try:
        deadline = time.monotonic() + 5
        while True:
            with probe.connect() as conn:
                rows = [tuple(row) for row in conn.execute(text(
                    "SELECT pid, state FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"),
                    {"name": data_version.READER_APPLICATION_NAME})]
            if until is None or until(rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)
    finally:
        probe.dispose()


def test_on_postgresql_the_version_is_read_in_autocommit_and_survives_a_broken_connection(database_url):
    """The page cache's read (read_now) on PostgreSQL: a pool of its own whose
    connections hold no transaction between requests (no ping on checkout, no
    rollback on return); a connection the server dropped fails one read, which
    the caller answers through its session, and the next read connects again;
    disposing the engine closes them."""
    import pytest
    from sqlalchemy import create_engine, text
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's own pool for the version read")
    others = {pid for pid, _ in _reader_backends(database_url)}  # the app's engine's, when it has read

    def mine(rows):
        return [row for row in rows if row[0] not in others]

    engine = create_engine(database_url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            expected = data_version.read(conn)
        assert data_version.read_now(engine) == expected
        backends = mine(_reader_backends(database_url))
        assert [state for _, state in backends] == ["idle"]  # not "idle in transaction"
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backends[0][0]})
        assert mine(_reader_backends(database_url, until=lambda rows: not mine(rows))) == []
        assert data_version.read_now(engine) is None  # the dropped connection: once, then gone
        assert data_version.read_now(engine) == expected
        assert len(mine(_reader_backends(database_url))) == 1
        with engine.begin() as conn:  # a write through another connection
            conn.execute(text("INSERT INTO data_version_slots (slot, counter) VALUES (0, 7) ON CONFLICT (slot) "
                              "DO UPDATE SET counter = data_version_slots.counter + 7"))
        assert data_version.read_now(engine) == str(int(expected) + 7)  # seen at once
        engine.dispose()
        assert mine(_reader_backends(database_url, until=lambda rows: not mine(rows))) == []
    finally:
        engine.dispose()
