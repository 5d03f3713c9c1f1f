"""Test fixtures.

The database is SQLite (a temporary file) unless DATABASE_URL is set, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test. Either way the schema is
created from scratch by the real Alembic migration, the real reference files
from ../shared/data are loaded once, and every test runs inside a transaction
that is rolled back (the app's commits become savepoints).
"""
from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, text

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR") or ROOT.parent / "shared" / "data")
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_data_file(name: str) -> Path:
    """The real reference file; missing is a skip locally and a failure in CI."""
    path = DATA_DIR / name
    if not path.is_file():
        message = f"reference file {path} is missing (set PORTAL_DATA_DIR)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def reset_database(url: str) -> None:
    """A clean schema: drop everything in PostgreSQL's public schema, or start
    from an empty SQLite file."""
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_app(url: str, upload_dir: Path):
    """The app on the database at `url`, migrated and with the vocabularies
    (also the concurrency tests' in-process app beside their servers)."""
    from flask_migrate import upgrade

    from portal.services.reference.vocabularies import seed_vocabularies

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        PORTAL_DATA_DIR = str(DATA_DIR)
        UPLOAD_DIR = str(upload_dir)

    app = create_app(Config)
    with app.app_context():
        upgrade()
        seed_vocabularies(db.session)
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    reset_database(database_url)
    app = make_app(database_url, tmp_path_factory.mktemp("uploads"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def load_areas(session):
    """The provincies, the gemeente boundaries and centres (issue 16)."""
    from portal.services.reference import areas
    areas.import_provinces(session, require_data_file("provincie_2025.geojson").read_bytes())
    areas.import_municipality_boundaries(session, require_data_file("gemeente_2025.geojson").read_bytes())
    areas.import_municipality_centres(session, require_data_file("gemeente_arbeidsmarktregio_2025.csv").read_bytes())


@pytest.fixture(scope="session")
def reference_data(app):
    """The real 2025 regions, gemeenten and vmbo schools, loaded once."""
    from portal.services.reference.boundaries import import_municipalities, import_regions
    from portal.services.reference.schools import import_schools
    with app.app_context():
        from portal.models import Region
        if db.session.query(Region).filter_by(year=2025).count() == 0:
            import_regions(db.session, require_data_file("arbeidsmarktregio_2025.geojson").read_bytes(), 2025)
            import_municipalities(
                db.session, require_data_file("gemeente_arbeidsmarktregio_2025.csv").read_bytes(), 2025)
            import_schools(db.session, require_data_file("vo_vestigingen_2024.csv").read_bytes())
            load_areas(db.session)
            db.session.commit()
    return True


class ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's Session.get_bind() returns the app's engine and
    ignores `bind`, so every statement would run on a fresh connection and a
    request's commit would be a real COMMIT that leaks into later tests. Use
    the test's connection instead."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture
def db_session(app):
    """A session whose work is rolled back after the test, also what the app
    commits during requests (commits become SAVEPOINT releases)."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": ConnectionBoundSession}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on (as in production)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


# --- logging in ----------------------------------------------------------------

def login_as(client, user):
    """Be logged in as `user` on `client` (None: anonymous, an empty session);
    returns the client.

    Writes the session a successful POST /login leaves behind (see
    portal/routes/auth.py login() and Flask-Login's login_user): the user's
    rotating session token, a fresh login, Flask-Login's session identifier for
    this client's address and User-Agent, and the start and last-seen times of
    portal/web/auth_session.py's timeouts. No form, so no argon2: use this
    wherever a test merely needs to *be* logged in. Left out: the one-time
    "Welkom" flash of the login's redirect, the login's audit entry and
    last_login_at. test_foundation_auth.py compares this session with the one
    a real login produces.

    Like the login view, it commits db.session (in a test: a savepoint
    release), so what the test made so far survives a request that rolls back,
    as in production."""
    app = client.application
    if user is not None:
        assert user.is_active, "a real login refuses a deactivated user"
        token = user.get_id()
        assert token, "the user has no session token yet: flush it first"
        db.session.commit()
    with client.session_transaction() as sess:
        sess.clear()
        if user is None:
            return client
        with app.test_request_context(environ_base=dict(client.environ_base)):
            identifier = app.login_manager._session_identifier_generator()
        now = time.time()
        sess["_user_id"] = token
        sess["_fresh"] = True
        sess["_id"] = identifier
        sess["login_at"] = sess["last_seen"] = now
    return client


def login_through_form(client, user, password: str | None = None):
    """POST the real login form (argon2, throttling, session rotation): only for
    tests whose subject is the login itself. Returns the response."""
    from tests.factories import PASSWORD
    return client.post("/login", data={"email": user.email, "password": password or PASSWORD})


# --- counting SQL statements ---------------------------------------------------

TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE|ROLLBACK)\b", re.IGNORECASE)


@contextmanager
def count_queries(target=None):
    """The SQL statements run on `target` (an Engine or Connection; default the
    app's engine, which needs an app context) while the block runs, as a list
    of strings, without transaction control (BEGIN, SAVEPOINT, RELEASE,
    ROLLBACK): the tests' transaction turns the app's commits into savepoints,
    which production does not run."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not TRANSACTION_CONTROL.match(statement):
            statements.append(statement)

    target = db.engine if target is None else target
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


@pytest.fixture
def queries(app):
    """count_queries() over the whole test: the statements so far (clear() it
    before the part to measure)."""
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as statements:
        yield statements
