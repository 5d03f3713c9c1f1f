"""Two app instances (gunicorn on two ports) share one database: a write
makes both drop their 304s and their page caches (both on, as in
production), so neither ever serves stale data.

On PostgreSQL (DATABASE_URL set) the instances share a database of their own,
<test database>_instances, created and dropped here (the test session's
database is reset by conftest and rolled back per test, so real commits
belong elsewhere); on SQLite they share a temporary file."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import DATA_DIR, ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this environment")

WRITE_SCRIPT = """
from portal import create_app
from portal.extensions import db
from portal.models import Organisation
from portal.core.audit import record
app = create_app()
with app.app_context():
    org = Organisation(kind="vmbo", name="Nieuwe vestiging (test twee instanties)")
    db.session.add(org)
    db.session.flush()
    record(db.session, None, "organisation", org.id, "create", after={"name": org.name})
    db.session.commit()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shared_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)
                    if url.startswith("postgresql://") else url)
    name = f"{base.database}_instances"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SQL_QUERY"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="two-instances-test-secret-key-0123456789",
               PORTAL_INSTANCE_DIR=str(tmp_path / "instance"), PORTAL_DATA_DIR=str(DATA_DIR),
               PORTAL_OFFLINE="1", FLASK_DEBUG="0")
    return env


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"instance on port {port} stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"instance on port {port} did not start")


class Browser:
    """One browser: a cookie jar shared by both instances (same SECRET_KEY)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, port: int, path: str, etag: str | None = None) -> tuple[int, str | None, bytes]:
        # Behind one load balancer both instances see the same Host header.
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "portaal.test"})
        if etag:
            request.add_header("If-None-Match", etag)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers.get("ETag"), response.read()
        except urllib.error.HTTPError as exc:  # 304 arrives as an HTTPError
            return exc.code, exc.headers.get("ETag"), exc.read()


def _vmbo_count(body: bytes) -> int:
    match = re.search(rb"<dt>Vmbo-vestigingen</dt><dd>([0-9.]+)</dd>", body)
    assert match, body[:2000]
    return int(match.group(1).replace(b".", b""))


def test_a_write_is_never_served_stale_by_the_other_instance(shared_database, tmp_path):
    env = _env(shared_database, tmp_path)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for port in ports]
    try:
        for port, server in zip(ports, servers, strict=False):
            _wait_until_up(port, server)
        a, b = ports
        browser = Browser()
        etag = None
        for _ in range(3):  # the first responses start the session
            status, etag, body = browser.get(a, "/")
            if etag:
                break
        assert status == 200 and etag
        # Both instances hold the page in their page cache now.
        assert _vmbo_count(browser.get(a, "/")[2]) == _vmbo_count(browser.get(b, "/")[2]) == 0
        # Both instances agree on the version: B confirms A's copy.
        assert browser.get(b, "/", etag)[0] == 304
        assert browser.get(a, "/", etag)[0] == 304

        # A write from a third process (a CLI/service call) commits a new version.
        subprocess.run([sys.executable, "-c", WRITE_SCRIPT], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=60)

        status_b, etag_b, body_b = browser.get(b, "/", etag)
        assert status_b == 200, "instance B served a stale 304 after the write"
        assert _vmbo_count(body_b) == 1, "instance B served a stale page after the write"
        assert etag_b and etag_b.split(".")[1] != etag.split(".")[1]
        status_a, _, body_a = browser.get(a, "/", etag)
        assert status_a == 200, "instance A served a stale 304 after the write"
        assert _vmbo_count(body_a) == 1, "instance A served a stale page after the write"
        # And both agree on the new version again.
        assert browser.get(a, "/", etag_b)[0] == 304
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
