"""Flask extensions, created unbound and initialised in create_app."""
import contextlib
import sqlite3

import click
from flask import current_app, has_app_context, has_request_context, request
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names so Alembic migrations work on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()


def _configure_sqlite() -> None:
    """SQLite: enforce foreign keys, let readers and a writer work side by side
    (WAL), wait for locks instead of failing, and let SQLAlchemy own BEGIN so
    SAVEPOINTs work (pysqlite's own transaction handling breaks them)."""


    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    @event.listens_for(Engine, "begin")
    def _on_begin(conn):
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _takes_write_lock_at_start() else "BEGIN")


WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _takes_write_lock_at_start() -> bool:
    """SQLite in WAL mode: a deferred transaction reads from a snapshot, and
    its first write fails at once with SQLITE_BUSY_SNAPSHOT (busy_timeout
    cannot help) when another writer committed since that snapshot was
    taken; the request would answer 503. A writing request (and a flask
    command, which may write) therefore takes the write lock with its
    BEGIN IMMEDIATE, waiting up to busy_timeout for the writer before it:
    writes to the one database file are serialised, reads stay concurrent.
    GET/HEAD/OPTIONS never write (tests/http/test_security_get_writes.py
    checks every GET page) and start deferred. The test-only switch
    SQLITE_BEGIN = "deferred" (env PORTAL_SQLITE_BEGIN) restores the old
    behaviour for the controls of the concurrency tests."""
    if has_app_context() and current_app.config.get("SQLITE_BEGIN") == "deferred":
        return False
    if has_request_context():
        return request.method in WRITING_METHODS
    return click.get_current_context(silent=True) is not None


_configure_sqlite()
