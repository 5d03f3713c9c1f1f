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

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

from portal.models import Setting

SLOTS = 32
_BUMPED = "data_version_bumped"

# Built once: constructing a statement per request costs more than running it.
_READ = text("SELECT coalesce(sum(counter), 0) FROM data_version_slots")
_ADD_TO_FREE_SLOT = text(
    "UPDATE data_version_slots SET counter = counter + :step WHERE slot = "
    "(SELECT slot FROM data_version_slots ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED)")
_ADD_TO_SLOT = text(
    "INSERT INTO data_version_slots (slot, counter) VALUES (:slot, :step) "
    "ON CONFLICT (slot) DO UPDATE SET counter = data_version_slots.counter + excluded.counter")


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
    transaction, so they are not reused for the data committed after them)."""
    step = secrets.randbelow(2**31) + 1
    done = 0
    if session.get_bind().dialect.name == "postgresql":
        done = session.execute(_ADD_TO_FREE_SLOT, {"step": step}).rowcount  # type: ignore[attr-defined]
    if not done:
        session.execute(_ADD_TO_SLOT, {"slot": secrets.randbelow(SLOTS), "step": step})


@event.listens_for(Session, "after_transaction_end")
def _forget_bump(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction (or what follows a savepoint, which may have been
    rolled back) bumps again; the end of a flush's inner unit changes nothing."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_BUMPED, None)
