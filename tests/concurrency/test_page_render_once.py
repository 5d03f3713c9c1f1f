"""After a write every page is stale at once. A burst of visitors on one
worker (gthread: several threads) then renders a page once: the first
thread renders, the others wait for its entry (web/response_cache
_render_or_wait). In process, on the concurrency tests' own database, with
the page's view slowed down so that the requests surely overlap."""
from __future__ import annotations

import re
import threading
import time

import pytest

from portal.core.audit import record
from portal.extensions import db

VISITORS = 4


def _strip(html: str) -> str:
    """The page without its per-response secrets (nonce, CSRF token)."""
    return re.sub(r'(nonce-?="?)[A-Za-z0-9_-]+|content="[^"]+"', "", html)


def _write(app) -> None:
    with app.app_context():
        record(db.session, None, "organisation", None, "update", after={"name": "x"})
        db.session.commit()
        db.session.remove()


def _burst(clients) -> list[tuple[int, str | None, str]]:
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def visit(n: int) -> None:
        barrier.wait()
        response = clients[n].get("/")
        results[n] = (response.status_code, response.headers.get("X-Page-Cache"),
                      _strip(response.get_data(as_text=True)))
    threads = [threading.Thread(target=visit, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


class Home:
    """The home page's view, slowed down (and made to fail first, with fail_first)
    so that the visitors' requests overlap; `renders` counts its calls."""

    def __init__(self, original, fail_first: bool = False):
        self.original, self.fail_first, self.renders = original, fail_first, []

    def __call__(self, *args, **kwargs):
        self.renders.append(threading.get_ident())
        time.sleep(0.3)  # the other visitors arrive while this one renders
        if self.fail_first and len(self.renders) == 1:
            raise RuntimeError("the first render fails")
        return self.original(*args, **kwargs)


@pytest.fixture
def page_cache_on(world):
    """The page cache on the in-process app, and VISITORS returning visitors
    (each with its session and CSRF secret) who have seen the home page."""
    app = world.app
    saved = {name: app.config.get(name) for name in ("RESPONSE_CACHE", "CONDITIONAL_REQUESTS", "RESPONSE_CACHE_WAIT")}
    original = app.view_functions["main.home"]
    app.config.update(RESPONSE_CACHE=True, CONDITIONAL_REQUESTS=True, RESPONSE_CACHE_WAIT=10)
    app.extensions.pop("page_cache", None)
    try:
        clients = [app.test_client() for _ in range(VISITORS)]
        for client in clients:
            for _ in range(3):
                assert client.get("/").status_code == 200
        yield app, clients, original
    finally:
        app.view_functions["main.home"] = original
        app.config.update(saved)
        app.extensions.pop("page_cache", None)


def test_a_burst_of_visitors_after_a_write_renders_the_page_once(page_cache_on):
    app, clients, original = page_cache_on
    home = app.view_functions["main.home"] = Home(original)
    _write(app)
    results = _burst(clients)
    assert len(home.renders) == 1, home.renders
    assert all(status == 200 for status, _, _ in results)
    assert sorted(source for _, source, _ in results) == ["hit-waited"] * (VISITORS - 1) + ["miss"]
    assert len({page for _, _, page in results}) == 1  # the same page, with each visitor's secrets

    # The control: without the waiting every thread renders the page itself.
    app.config["RESPONSE_CACHE_WAIT"] = 0
    _write(app)
    home.renders.clear()
    results = _burst(clients)
    assert len(home.renders) == VISITORS
    assert all(status == 200 for status, _, _ in results)


def test_the_waiting_visitors_render_themselves_when_the_first_page_is_not_kept(page_cache_on):
    """The first render's page is not stored (here: it fails): the waiting
    visitors are woken at once and render the page themselves."""
    app, clients, original = page_cache_on
    _write(app)
    home = app.view_functions["main.home"] = Home(original, fail_first=True)
    started = time.monotonic()
    results = _burst(clients)
    assert sorted(status for status, _, _ in results) == [200] * (VISITORS - 1) + [500]
    assert len(home.renders) == VISITORS  # each waiting visitor rendered once the first had failed
    assert time.monotonic() - started < 5  # woken when the first ended, not after RESPONSE_CACHE_WAIT
