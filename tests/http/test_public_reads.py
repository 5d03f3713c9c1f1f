"""Anonymous reads of public pages on PostgreSQL run without a transaction
(portal/web/public_reads.py): their statements in autocommit, a write among
them refused, and the connection back in the pool as it was.

PostgreSQL only (SQLite's BEGIN is a local call and is left alone). Each test
makes an app of its own on the test database's engine (not the tests'
rolled-back connection, which the optimisation rightly skips); it only reads
what the session's fixtures committed."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, text

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.web.public_reads import ReadOnlyRequest


@pytest.fixture
def own_app(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite a transaction costs no round trip")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        # One connection: the request's connection is the one the next work gets.
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0}

    made = create_app(Config, migrations=False)

    @made.get("/proef/schrijven")
    def try_a_write():
        try:
            db.session.execute(text("UPDATE settings SET value = value WHERE key = 'bestaat-niet'"))
        except ReadOnlyRequest:
            return "geweigerd"
        return "geschreven"

    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def statements(app):
    """(statement, whether its connection was in autocommit, whether a transaction block was open) for
    every statement run meanwhile."""
    seen: list[tuple[str, bool, bool]] = []

    def record(conn, _cursor, statement, *_args):
        driver = conn.connection.dbapi_connection
        seen.append((statement, driver.autocommit, driver.info.transaction_status != TransactionStatus.IDLE))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_an_anonymous_public_page_reads_in_autocommit(own_app):
    client = own_app.test_client()
    with statements(own_app) as seen:
        response = client.get("/leerroutes/")
    assert response.status_code == 200
    assert seen, "the route list reads the database"
    assert all(autocommit and not in_block for _, autocommit, in_block in seen), seen

    # Control: switched off, the same page reads inside a transaction.
    own_app.config["PUBLIC_READS_AUTOCOMMIT"] = False
    with statements(own_app) as seen:
        assert client.get("/leerroutes/").status_code == 200
    assert seen and not any(autocommit for _, autocommit, _ in seen)


def test_the_library_search_steers_its_plan_inside_a_transaction_of_its_own(own_app):
    """The library search sets enable_seqscan for its full-text statement with
    SET LOCAL, which needs a transaction: on a public read's autocommit
    connection the block gets one (BEGIN ... COMMIT), and the setting does not
    outlive it."""
    client = own_app.test_client()
    with statements(own_app) as seen:
        response = client.get("/bibliotheek/?q=techniek")
    assert response.status_code == 200
    steered = [(autocommit, in_block) for statement, autocommit, in_block in seen
               if statement.startswith("SET LOCAL enable_seqscan = off")]
    assert steered == [(True, True)], "SET LOCAL outside a transaction block does nothing"
    with own_app.app_context():
        assert db.session.execute(text("SHOW enable_seqscan")).scalar() == "on"
        db.session.remove()


def test_the_connection_goes_back_to_the_pool_transactional(own_app):
    assert own_app.test_client().get("/leerroutes/").status_code == 200
    with own_app.app_context():
        connection = db.session.connection()  # the pool's only connection, the one the page used
        assert connection.connection.dbapi_connection.autocommit is False
        assert connection.get_isolation_level() == "READ COMMITTED"
        connection.execute(text("CREATE TEMPORARY TABLE proef_terugdraaien (n integer)"))
        db.session.rollback()  # in a transaction again: the table is gone with it
        assert db.session.execute(text("SELECT to_regclass('pg_temp.proef_terugdraaien')")).scalar() is None
        db.session.remove()


def test_a_write_during_an_anonymous_read_is_refused(own_app):
    client = own_app.test_client()
    assert client.get("/proef/schrijven").get_data(as_text=True) == "geweigerd"
    # Control: inside a transaction (switched off) the statement runs (and is rolled back at the end).
    own_app.config["PUBLIC_READS_AUTOCOMMIT"] = False
    assert client.get("/proef/schrijven").get_data(as_text=True) == "geschreven"
