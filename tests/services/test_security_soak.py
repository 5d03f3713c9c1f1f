"""Load and faults: the short soak (scripts/soak.py with 8 clients for 15 s,
PostgreSQL restarted midway, on a private PostgreSQL of its own, so it runs
in the SQLite pass too), and regression tests for what the soak found."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import User
from portal.services.accounts import users as user_service
from portal.services.accounts.passwords import hash_password
from tests.conftest import IN_CI

pytestmark = pytest.mark.soak

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.mark.slow
def test_short_soak_with_a_database_restart(tmp_path):
    from soak import pg_bin_dir
    if pg_bin_dir() is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found; set SOAK_PG_BIN"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    report = tmp_path / "soak.json"
    env = {**os.environ, "SOAK_CLIENTS": "8", "SOAK_SECONDS": "15", "SOAK_OUTAGE": "3",
           "SOAK_REPORT": str(report)}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "soak.py")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=400)
    output = done.stdout[-6000:] + done.stderr[-3000:]
    assert done.returncode == 0, output
    summary = json.loads(report.read_text())
    assert summary["ok"] and summary["violations"] == [], output
    # The run really did what it claims: load, an outage seen by the clients, recovery, writes and retries.
    assert summary["requests"] > 100
    assert summary["outage"]["answers_503"] > 0
    assert summary["outage"]["healthz_recovered_after_s"] is not None
    assert summary["outage"]["healthz_recovered_after_s"] <= 5
    assert not any(code.startswith("5") and code != "503" for code in summary["statuses"]), summary["statuses"]
    database = summary["database"]
    assert database["creates"]["route"] > 0 and database["creates"]["practice"] > 0
    assert database["creates"] == database["rows"] and database["duplicates"] == 0
    assert database["retried"] > 0 and database["retries_answered_with_first"] > 0
    assert sum(database["partial_rows"].values()) == 0


# --- what the soak found -----------------------------------------------------------

@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: a server that closes connections and row locks between sessions")
    return database_url


@pytest.fixture
def own_app_and_killer(postgres_url):
    """An app on its own engine (its connections can be killed without
    touching the test's), and a second engine to kill them with."""
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = postgres_url

    app = create_app(Config)
    killer = create_engine(postgres_url)
    yield app, killer
    with app.app_context():
        db.engine.dispose()
    killer.dispose()


def test_an_answer_survives_the_database_closing_the_connection_after_the_view(own_app_and_killer):
    """PostgreSQL restarting while a request is in flight: the view has its
    answer, then rolling back at the end of the request fails on the dead
    connection. That was a bare 500 from gunicorn; now the answer goes out."""
    app, killer = own_app_and_killer

    @app.get("/_test/verbinding-weg")
    def connection_goes_away():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
                conn.rollback()  # pg_stat_activity is read once per transaction
                time.sleep(0.05)
        return "klaar"

    response = app.test_client().get("/_test/verbinding-weg")
    assert response.status_code == 200 and response.get_data(as_text=True) == "klaar"
    assert app.test_client().get("/healthz").status_code == 200  # the pool replaced the dead connection


def test_a_library_search_when_the_database_goes_away_is_a_503_not_a_500(own_app_and_killer):
    """Found by the soak: the search's planner setting (search.index_first) was
    switched back in a `finally`, on the dead connection, which turned the lost
    database (503 with Retry-After) into a PendingRollbackError (a 500)."""
    from portal.services.practices import search
    app, killer = own_app_and_killer

    @app.get("/_test/zoeken-verbinding-weg")
    def search_loses_the_connection():
        with search.index_first(db.session):
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            with killer.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            db.session.execute(text("SELECT 1"))  # the search's statement, on the lost connection
        return "niet bereikt"

    response = app.test_client().get("/_test/zoeken-verbinding-weg")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


def test_two_logins_of_one_account_at_the_same_moment_both_succeed(postgres_url):
    """A double click on "Inloggen" (or two devices): the second login waited
    for the first and then failed on the user's version column (a 500)."""
    engine = create_engine(postgres_url)
    password = "een lang genoeg wachtwoord"
    with Session(engine) as session:
        user = User(email=f"tweemaal-{time.time_ns()}@example.org", name="Tweemaal", role="reader",
                    password_hash=hash_password(password))
        session.add(user)
        session.commit()
        user_id, email = user.id, user.email
    second: dict = {}

    def second_login():
        try:
            with Session(engine) as session:
                second["user"] = user_service.authenticate(session, email, password)
                session.commit()
        except Exception as exc:  # noqa: BLE001  reported by the assertion below
            second["error"] = exc

    try:
        with Session(engine) as first:
            assert user_service.authenticate(first, email, password) is not None
            thread = threading.Thread(target=second_login)
            thread.start()
            deadline, blocked = time.monotonic() + 10, 0
            with engine.connect() as conn:
                while time.monotonic() < deadline and not blocked:
                    blocked = conn.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()")).scalar()
                    conn.rollback()  # pg_stat_activity is read once per transaction
                    time.sleep(0.05)
            assert blocked, "the second login never waited for the first"
            first.commit()
        thread.join(15)
        assert "error" not in second, repr(second.get("error"))
        assert second["user"] is not None
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id})
        engine.dispose()
