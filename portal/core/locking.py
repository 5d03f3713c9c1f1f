"""Writes to one aggregate (an agreement with its parties, funding rows,
guarantee phases and versions; a route; a practice) serialise on that
aggregate's root row.

Every service write starts with `lock_for_write(session, root)`, inside the
request's one transaction, and only then reads the state it decides on: the
version check against the form's expected version, the business rules, the
write. On PostgreSQL that is `SELECT ... FOR NO KEY UPDATE` on the root row: a second
writer of the same aggregate waits there until the first commits or rolls
back, and then sees what the first wrote (READ COMMITTED reads the newest
committed rows in every statement). On SQLite a writing request already holds
the database's one write lock from its first statement (`BEGIN IMMEDIATE`,
portal/extensions.py), so there is nothing to take per row.

After the lock, the session's copy of the aggregate is made current: the root
is refreshed and every owned child already in the session (parties, funding
shares and totals, guarantee phases, versions, route parties, practice
attachments, ...) is expired, so that it is read again on first use. Refreshing
the root alone would not do: a child already in the identity map keeps its old
attributes when its collection is loaded again.

`AGGREGATE_LOCKS = False` (env `PORTAL_AGGREGATE_LOCKS=off`) skips the row
lock. It is a test-only switch: the race tests' controls use it to show that
without the lock the race goes wrong. Never set it in production.
"""
from __future__ import annotations

from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapper, Session

T = TypeVar("T")


def locks_enabled() -> bool:
    """False only under the test-only switch AGGREGATE_LOCKS = False."""
    return not has_app_context() or bool(current_app.config.get("AGGREGATE_LOCKS", True))


def _owned_classes(mapper: Mapper[Any], seen: set[type] | None = None) -> set[type]:
    """The classes of the aggregate's children: relationships that own their
    rows (delete-orphan cascade), followed down."""
    seen = set() if seen is None else seen
    for relationship in mapper.relationships:
        child = relationship.mapper
        if relationship.cascade.delete_orphan and child.class_ not in seen:
            seen.add(child.class_)
            _owned_classes(child, seen)
    return seen


def lock_for_write(session: Session, root: T) -> T:
    """Take the row lock of `root` (an aggregate root already in `session`)
    for the rest of the transaction and make the session's view of the
    aggregate current. Returns `root`, refreshed."""
    state = inspect(root, raiseerr=True)
    mapper = state.mapper
    session.flush()  # what this transaction changed so far is written, never expired away below
    if locks_enabled() and session.get_bind().dialect.name == "postgresql":
        identity = zip(mapper.primary_key, state.identity or (), strict=True)
        # FOR NO KEY UPDATE: excludes every other writer of the aggregate (and
        # FOR SHARE readers), but not the foreign-key checks of rows that only
        # point at it (FOR KEY SHARE), so writes of other aggregates that
        # reference this one do not wait or deadlock on it.
        session.execute(select(*mapper.primary_key).where(*(column == value for column, value in identity))
                        .with_for_update(key_share=True))
    owned = tuple(_owned_classes(mapper))
    if owned:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, owned):
                session.expire(obj)
    session.refresh(root)
    return root
