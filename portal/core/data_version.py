"""The data version: a value that every committed write changes, so that
cached pages everywhere (every worker, every instance, the shared cache in
Redis) go stale at once. Also the plain (unaudited) setting write.

No single hot row. The version is the sum of a few counters (table
data_version_slots, at most SLOTS rows). A writing transaction adds a random
positive step to ONE counter, once per transaction (audit.record calls
bump_data_version for every entry; the later calls in the same transaction
do nothing). On PostgreSQL it takes a counter no other transaction holds
(FOR UPDATE SKIP LOCKED), so concurrent writers, a long import included, do
not wait for each other's commit; only when every existing counter is held it
adds (or creates) one at random, and may wait for that one. On SQLite writers
are serialised by the database anyway (BEGIN IMMEDIATE); the same upsert of a
random counter serves.

Why a transactional counter and not a sequence or max(id) of an event table:
the version must never run ahead of the data a reader sees. A sequence's
nextval is visible before the writer commits (a reader would cache the old
page under the new version, stale until the next write); max(id) of an
append-only table misses a transaction that took a lower id and commits
after a higher one (the cached page would stay stale). The counters change
only at commit, and a later snapshot sees every earlier commit, so the sum
grows with every committed write and equal sums mean equal data. A reader
reads the version before the data (web/caching.py), so what it caches under a
version is never older than that version. The steps are random (not 1) so a
database restored from a backup does not come back to a version whose pages
a shared cache still holds.
"""
from __future__ import annotations

import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from portal.models import Setting
from portal.models.base import utcnow

SLOTS = 32
_BUMPED = "data_version_bumped"
# What the transaction changed so far, filled by core/aggregates' listener:
# {"routes": set of route ids, "other": bool}. Absent: not known.
CHANGES = "data_version_changes"
CHANGE_LOG_KEPT = timedelta(minutes=15)  # a step's log entry is kept this long
MAX_LOGGED_ROUTES = 200  # a step that touched more routes is logged as `other`

# Built once: constructing a statement per request costs more than running it.
_READ_SQL = "SELECT coalesce(sum(counter), 0) FROM data_version_slots"
_READ = text(_READ_SQL)
_READ_SLOTS = text("SELECT slot, counter FROM data_version_slots")
_ADD_TO_FREE_SLOT = text(
    "UPDATE data_version_slots SET counter = counter + :step WHERE slot = "
    "(SELECT slot FROM data_version_slots ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING slot, counter")
_ADD_TO_SLOT = text(
    "INSERT INTO data_version_slots (slot, counter) VALUES (:slot, :step) "
    "ON CONFLICT (slot) DO UPDATE SET counter = data_version_slots.counter + excluded.counter "
    "RETURNING slot, counter")
_LOG_STEP = text(
    "INSERT INTO data_version_changes (slot, counter_after, counter_before, route_ids, other, at) "
    "VALUES (:slot, :after, :before, :routes, :other, :at)")
_READ_LOG = text(
    "SELECT slot, counter_before, counter_after, route_ids, other FROM data_version_changes WHERE slot IN :slots",
).bindparams(bindparam("slots", expanding=True))
_PRUNE_LOG = text("DELETE FROM data_version_changes WHERE slot = :slot AND at < :cutoff")


def put_setting(session: Session, key: str, value: str) -> str | None:
    """Write one setting, not audited; returns the old value."""
    row = session.get(Setting, key)
    old = row.value if row is not None else None
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return old


def read(connection: Connection | Session) -> str:
    """The version this connection's snapshot sees (one aggregate over at most SLOTS rows)."""
    return str(connection.execute(_READ).scalar() or 0)


def read_now(engine: Engine) -> str | None:
    """The version a new snapshot sees, on a connection of its own: no ORM
    session, transaction or SQLAlchemy statement (the page cache asks on every
    request). Whatever the request reads afterwards is at least as new. None
    when the database fails: the caller then reads through its session, which
    raises the usual (wrapped) error."""
    reader = _reader(engine)
    try:
        raw = reader.raw_connection()
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error):
        return None
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(_READ_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error:
        raw.invalidate()
        return None
    finally:
        raw.close()
    return str((row[0] if row else 0) or 0)


READER_APPLICATION_NAME = "portal-data-version"  # how its connections show in pg_stat_activity
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def _reader(engine: Engine) -> Engine:
    """Where read_now reads. PostgreSQL: a small pool of its own, in autocommit,
    without the ping on checkout and the rollback on return that the main pool
    does (pool_pre_ping): one round trip per read instead of four (BEGIN, the
    ping, the read, ROLLBACK). A connection that broke (a restarted server)
    fails its read once, is dropped, and the request falls back to its session,
    whose pool pings. SQLite: the engine itself (those steps are local calls).
    The pool is disposed with the engine."""
    if engine.dialect.name != "postgresql":
        return engine
    reader = _READERS.get(engine)
    if reader is None:
        with _READERS_LOCK:
            reader = _READERS.get(engine)
            if reader is None:
                # pool_size: a connection given back to a full pool is closed, and a new one costs a
                # server process; 8 covers a worker's threads (they open only when used).
                reader = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                       pool_reset_on_return=None, pool_size=8, max_overflow=8, pool_timeout=5,
                                       connect_args={"application_name": READER_APPLICATION_NAME})
                event.listen(engine, "engine_disposed", lambda _engine, pool=reader: pool.dispose())
                _READERS[engine] = reader
    return reader


def bump_data_version(session: Session) -> None:
    """Any write changes the data version, once per transaction. Part of every
    audit entry itself, so not audited again."""
    if session.info.get(_BUMPED):
        return
    add_step(session)
    session.info[_BUMPED] = True


def moved(session: Session) -> bool:
    """Whether this transaction has moved the version (bump_data_version) and not yet ended."""
    return bool(session.info.get(_BUMPED))


def add_step(session: Session) -> None:
    """Move the version now, whether or not this transaction moved it before
    (core.aggregates moves it again after figures were kept inside a writing
    transaction, so they are not reused for the data committed after them).
    The step is logged with what the transaction changed so far (CHANGES):
    every step of a transaction names all its changes up to then, so the steps
    a reader finds between two versions name every change between them."""
    step = secrets.randbelow(2**31) + 1
    row = None
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_ADD_TO_FREE_SLOT, {"step": step}).first()
    if row is None:
        row = session.execute(_ADD_TO_SLOT, {"slot": secrets.randbelow(SLOTS), "step": step}).one()
    slot, after = int(row[0]), int(row[1])
    changes = session.info.get(CHANGES)
    routes = sorted(changes["routes"]) if changes else []
    other = changes is None or bool(changes["other"]) or not routes or len(routes) > MAX_LOGGED_ROUTES
    now = utcnow()
    session.execute(_PRUNE_LOG, {"slot": slot, "cutoff": now - CHANGE_LOG_KEPT})
    session.execute(_LOG_STEP, {"slot": slot, "after": after, "before": after - step, "other": other, "at": now,
                                "routes": "" if other else ",".join(map(str, routes))})


def read_slots(connection: Connection | Session) -> dict[int, int]:
    """The counters this connection's snapshot sees, slot -> counter (their sum is read())."""
    return {int(slot): int(counter) for slot, counter in connection.execute(_READ_SLOTS)}


@dataclass(frozen=True)
class Changes:
    """What changed between two versions: these routes, or (other) anything."""
    routes: frozenset[int]
    other: bool


def changes_between(connection: Connection | Session, older: dict[int, int], newer: dict[int, int]) -> Changes:
    """The changes of the steps from counters `older` to counters `newer`
    (read_slots). Each moved counter must be followed step by step through the
    log from its old value to its new one; a step no longer logged (older than
    CHANGE_LOG_KEPT), a counter that went back (a rolled-back transaction's
    figures) or any step that changed more than routes gives `other`."""
    moved = {slot: before for slot, before in older.items() if newer.get(slot) != before}
    moved.update({slot: 0 for slot in newer if slot not in older})
    if not moved:
        return Changes(frozenset(), False)
    if any(newer.get(slot, 0) < before for slot, before in moved.items()):
        return Changes(frozenset(), True)
    steps: dict[tuple[int, int], tuple[int, str, bool]] = {}
    for slot, before, after, routes, other in connection.execute(_READ_LOG, {"slots": sorted(moved)}):
        steps[(int(slot), int(before))] = (int(after), routes or "", bool(other))
    found: set[int] = set()
    for slot, counter in moved.items():
        target = newer[slot]
        while counter != target:
            step = steps.get((slot, counter))
            if step is None or step[2] or step[0] > target:
                return Changes(frozenset(), True)
            counter = step[0]
            found.update(int(r) for r in step[1].split(",") if r)
    return Changes(frozenset(found), False)


@event.listens_for(Session, "after_transaction_end")
def _forget_bump(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction (or what follows a savepoint, which may have been
    rolled back) bumps again; the end of a flush's inner unit changes nothing."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_BUMPED, None)
