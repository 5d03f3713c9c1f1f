"""The per-process page cache for anonymous public pages: a hit costs one
query (the data version) and carries fresh per-response secrets; any audited
write, htmx, and logging in all bypass it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.core.audit import record
from tests.factories import make_organisation, make_user


@pytest.fixture
def page_cache(app):
    app.config["CONDITIONAL_REQUESTS"] = True  # the page cache sits behind the conditional check
    app.config["RESPONSE_CACHE"] = True
    app.extensions.pop("page_cache", None)
    yield
    app.config["RESPONSE_CACHE"] = False
    app.config["CONDITIONAL_REQUESTS"] = False
    app.extensions.pop("page_cache", None)


@pytest.fixture
def queries(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement != "BEGIN" and not statement.startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    yield statements
    event.remove(engine, "before_cursor_execute", count)


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def _warm(client, url):
    for _ in range(3):  # the session starts; then the page is stored
        client.get(url)


def test_a_hit_costs_one_query_and_has_fresh_secrets(client, page_cache, queries):
    _warm(client, "/")
    queries.clear()
    first = client.get("/")
    second = client.get("/")
    assert len(queries) == 2, queries  # one data-version read per request, nothing else
    html = second.get_data(as_text=True)
    assert "\x00" not in html
    assert _nonce(first) != _nonce(second)
    assert f'nonce="{_nonce(second)}"' in html
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    assert token.count(".") == 2  # a signed Flask-WTF token, not a placeholder
    # Apart from the secrets the page is the one rendered before.
    strip = lambda r: re.sub(r'(nonce-?="?)[A-Za-z0-9_-]+|content="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(first) == strip(second)


def test_an_audited_write_is_visible_at_once(client, db_session, page_cache, queries):
    _warm(client, "/")
    before = client.get("/").get_data(as_text=True)
    make_organisation("vmbo", name="Nieuwe vestiging")
    record(db_session, None, "organisation", None, "create")
    db_session.commit()
    queries.clear()
    after = client.get("/").get_data(as_text=True)
    assert len(queries) > 1  # rendered again
    assert after != before


def test_logged_in_users_and_htmx_requests_are_not_served_from_the_anonymous_copy(
        client, db_session, page_cache, queries, login_as):
    _warm(client, "/")
    queries.clear()
    client.get("/", headers={"HX-Request": "true"})
    assert len(queries) > 1
    user = make_user(role="staff", name="Stafmedewerker Zichtbaar")
    login_as(user)
    queries.clear()
    page = client.get("/")
    assert len(queries) > 1
    assert "Stafmedewerker Zichtbaar" in page.get_data(as_text=True)


def test_the_map_keeps_its_inline_style_allowance_on_a_hit(client, page_cache, queries):
    _warm(client, "/kaart/")
    queries.clear()
    hit = client.get("/kaart/")
    assert hit.status_code == 200
    assert len(queries) == 1
    assert "'unsafe-inline'" in hit.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/").headers["Content-Security-Policy"]
