"""Anonymous reads of public pages on PostgreSQL, without a transaction.

An anonymous GET or HEAD of a public page (the requests the page cache keeps,
web/caching.py) only reads. On PostgreSQL at its default isolation, READ
COMMITTED, every statement takes a snapshot of its own whether it runs inside
a transaction or not, so such a request sees the same data without one. Its
session therefore takes its connection in autocommit, which saves two of the
six round trips of a rendered route list (BEGIN and the ROLLBACK that ends
it): measured with gunicorn and wrk at 8 clients, old and new alternated
four times, the filtered route list served 275-297 and 339-401 requests a
second (bench/JOURNAL.md, 2026-12-06, third session). The pool still pings
the connection on checkout, so a restarted server costs no request.

Such a connection refuses to write: a statement that does not start as a
read (SELECT, WITH, VALUES, SHOW) or SET LOCAL raises ReadOnlyRequest before
it reaches the server (without a transaction it would commit on its own,
statement by statement). GET requests never write
(tests/http/test_security_get_writes.py); this holds the line at run time.
It reads only the first word: a data-modifying WITH or a SELECT ... FOR
UPDATE would pass, and neither is in a GET view.

Not for SQLite (its BEGIN is a local call), a session that is already in a
transaction, or a session bound to a connection (the tests' rolled-back
transaction). Config PUBLIC_READS_AUTOCOMMIT (environment variable of that
name, 0/1) turns it off; on by default.
"""
from __future__ import annotations

import os
import re

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.extensions import db

READ_ONLY = "portal_public_read"  # the execution option that marks such a connection
_OPTIONS = {"isolation_level": "AUTOCOMMIT", READ_ONLY: True}
# Reads, and SET LOCAL: a setting of the current transaction block only (services/practices/search.index_first
# opens one), never left on the pooled connection as a plain SET would be.
_READ = re.compile(r"[\s(]*(SELECT|WITH|VALUES|SHOW|SET\s+LOCAL)\b", re.IGNORECASE)


class ReadOnlyRequest(RuntimeError):
    """A statement other than a read on the connection of an anonymous public read."""


def is_read(statement: str) -> bool:
    """Whether a public read may run this statement (tests/http/test_security_get_writes.py holds every
    anonymous GET page to it)."""
    return _READ.match(statement) is not None


def _refuse_writes(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    if context is not None and context.execution_options.get(READ_ONLY) and not is_read(statement):
        raise ReadOnlyRequest(f"an anonymous read of a public page ran: {statement[:80]!r}")


def available(app: Flask) -> bool:
    """Whether this request's session could read without a transaction: the
    config allows it, and the session is on a PostgreSQL engine and not yet in
    a transaction."""
    if not app.config["PUBLIC_READS_AUTOCOMMIT"]:
        return False
    session = db.session()
    if session.in_transaction():
        return False
    bind = session.get_bind()
    return isinstance(bind, Engine) and bind.dialect.name == "postgresql"


def begin_without_transaction() -> None:
    """Give this request's session its connection in autocommit (after available())."""
    db.session().connection(execution_options=_OPTIONS)


def init_app(app: Flask) -> None:
    env = os.environ.get("PUBLIC_READS_AUTOCOMMIT")
    app.config.setdefault("PUBLIC_READS_AUTOCOMMIT", env != "0")
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql" and not event.contains(engine, "before_cursor_execute",
                                                                       _refuse_writes):
            event.listen(engine, "before_cursor_execute", _refuse_writes)
