"""Browser tests: pytest-playwright driving Debian's /usr/bin/chromium against
a live portal (flask run in a subprocess) on its own database, loaded with the
real reference data and the demo data. Never `playwright install`."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.conftest import DATA_DIR, IN_CI, ROOT

# The machines are shared: an htmx round trip can take seconds when the other
# core is busy. Waiting longer costs nothing when the page is quick.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        for item in items:
            if "tests/browser" in str(item.fspath):
                if IN_CI:
                    item.add_marker(pytest.mark.xfail(reason=message, run=False, strict=True))
                else:
                    item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


# The live server's environment (its database, secret key, ...), for tests that
# run a flask command against the same portal (the notifications deliverer).
LIVE_ENV: dict[str, str] = {}


def flask_cli(*args: str) -> str:
    """Run `flask <args>` against the live portal's database (as an operator
    would on the server); fails the test on a non-zero exit. Returns stdout."""
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=LIVE_ENV, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser_database(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "test") + "_browser"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parts._replace(path="/" + name).geturl()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal served on a free port; yields its base URL."""
    tmp = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _browser_database(tmp),
        "SECRET_KEY": "browser-test-secret-key-0123456789",
        "PORTAL_INSTANCE_DIR": str(tmp),
        "PORTAL_DATA_DIR": str(DATA_DIR),
        "PORTAL_OFFLINE": "1",
        "FLASK_APP": "wsgi",
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    LIVE_ENV.update(env)
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["seed", "--offline"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--with-threads"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError("live server did not start: " + (tmp / "server.log").read_text())
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def guarded_page(page, live_server):
    """A page that records every request to another host and every console
    error (CSP violations included); the test fails if there were any."""
    host = urlsplit(live_server).netloc
    foreign: list[str] = []
    console_errors: list[str] = []

    def on_request(request):
        netloc = urlsplit(request.url).netloc
        if request.url.startswith(("http://", "https://")) and netloc != host:
            foreign.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    yield page
    assert foreign == [], f"requests to other hosts: {foreign}"
    assert console_errors == [], f"console errors: {console_errors}"


def assert_accessible(page, context: str = "", *, any_impact: bool = False) -> None:
    """Run axe-core (served from /static/vendor/) and fail on any serious or
    critical WCAG 2.1 A/AA violation (with any_impact: on any violation at all)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    bad = [v for v in result if any_impact or v["impact"] in ("serious", "critical")]
    assert bad == [], f"axe violations on {context or page.url}: {bad}"


def fill_zorg_route(page, title: str, level: str = "2") -> None:
    """The route form's fields for a GLR in voorbereiding, BB, Zorg en welzijn, to mbo `level`
    (Helpende zorg en welzijn); the parties are left to the test."""
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Soort route").select_option("glr")
    page.get_by_label("Status").select_option("voorbereiding")
    page.get_by_label("BB – Basisberoepsgerichte leerweg").check()
    page.get_by_label("Zorg en welzijn", exact=True).check()
    page.get_by_label("Mbo-niveau").select_option(level)
    page.get_by_label("Opleidingsdomein").select_option("ZW")
    page.get_by_label("Crebo-code van de kwalificatie").fill("25498")
    page.get_by_label("Naam van de kwalificatie").fill("Helpende zorg en welzijn")


def login(page, email: str, password: str | None = None) -> None:
    from seeds.demo import DEMO_PASSWORD
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def logout(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()


def htmx_settled(page) -> None:
    """Wait until htmx has processed what it swapped in. New content is in the
    page a moment (the settle delay) before htmx binds its triggers: typing in
    that moment starts no request (a browser test types that fast; a person
    does not)."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request')")
