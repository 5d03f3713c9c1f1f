"""The pieces of the concurrency tests: a private database (a temp SQLite file,
or a freshly created PostgreSQL database), the real app served by gunicorn
(gthread) on it in a separate process, the app in this process to seed and
inspect that same database, a reader of the HTML forms a browser would post,
and `race`, which sends n requests at the same moment (threads released by a
barrier). The HTTP client is the soak's (scripts/soak_client.py)."""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from scripts.soak_client import Browser, Recorder, Response, form_fields
from tests.conftest import DATA_DIR, ROOT

THREADS = 24  # per gunicorn worker: enough for 20 requests at once
WORKERS = 2


# --- the database --------------------------------------------------------------

def create_database(tmp: Path) -> tuple[str, str | None]:
    """(url, admin url to drop it with, or None for SQLite)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgresql", "postgres:")):
        return f"sqlite:///{tmp / 'concurrency.sqlite3'}", None
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain):]
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'test'}_conc_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parts._replace(path="/" + name).geturl(), url


def drop_database(url: str, admin_url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- the server ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn (WORKERS gthread workers × THREADS threads) serving wsgi:app
    on `url`, with extra environment (the test-only switches)."""

    def __init__(self, url: str, tmp: Path, **extra_env: str):
        self.port = free_port()
        self.log_path = tmp / f"gunicorn-{self.port}.log"
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "FLASK_DEBUG", "PORTAL_AGGREGATE_LOCKS", "PORTAL_SQLITE_BEGIN")}
        env.update(DATABASE_URL=url, SECRET_KEY="concurrency-test-secret-key-0123456789",
                   PORTAL_INSTANCE_DIR=str(tmp), PORTAL_UPLOAD_DIR=str(tmp / "uploads"),
                   PORTAL_DATA_DIR=str(DATA_DIR), PYTHONUNBUFFERED="1", **extra_env)
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(WORKERS),
                   "--worker-class", "gthread", "--threads", str(THREADS), "--timeout", "60",
                   "--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        probe = Browser("127.0.0.1", self.port, Recorder(), timeout=5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if probe.request("GET", "/healthz", "probe").status == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])

    def browser(self) -> Browser:
        return Browser("127.0.0.1", self.port, Recorder(), timeout=60)

    def login(self, email: str, password: str) -> Browser:
        browser = self.browser()
        assert browser.login(email, password, time.monotonic() + 30), f"login of {email} failed"
        return browser

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


# --- forms as a browser posts them (the reader is the soak's) ------------------

def open_form(browser: Browser, path: str, containing: str = "csrf_token") -> list[tuple[str, str]]:
    page = browser.request("GET", path, "form")
    assert page.status == 200, f"GET {path}: {page.status}\n{page.body[:1000]}"
    return form_fields(page.body, containing)


# --- the race ------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    location: str | None
    body: str

    @property
    def snippet(self) -> str:
        """The page's own text (from <main> on, without tags), shortened."""
        main = self.body.find("<main")
        return " ".join(re.sub(r"<[^>]+>", " ", self.body[max(main, 0):]).split())[:300]

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.location!r}, {self.snippet!r})"


def race(n: int, send) -> list[Answer]:
    """Call send(i) for i in 0..n-1 from n threads released together by a
    barrier; the answers in the order of i. A thread that raised fails the test."""
    barrier = threading.Barrier(n)
    answers: list[Answer | None] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            response: Response = send(i)
            answers[i] = Answer(response.status, response.headers.get("Location") if response.status else None,
                                response.body)
        except BaseException as exc:  # noqa: BLE001  reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert all(a is not None for a in answers), "a request did not finish"
    return [a for a in answers if a is not None]


def statuses(answers: list[Answer]) -> list[int]:
    return sorted(a.status for a in answers)
