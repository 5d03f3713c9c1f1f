"""The per-process page cache for anonymous public pages: a hit costs one
query (the data version) and carries fresh per-response secrets; any audited
write, htmx, and logging in all bypass it."""
from __future__ import annotations

import re

import pytest

from portal.core.audit import record
from tests.conftest import login_as
from tests.factories import make_organisation, make_user
from tests.factories_security import require_redis


@pytest.fixture
def page_cache(app):
    app.config["CONDITIONAL_REQUESTS"] = True  # the page cache sits behind the conditional check
    app.config["RESPONSE_CACHE"] = True
    app.extensions.pop("page_cache", None)
    yield
    app.config["RESPONSE_CACHE"] = False
    app.config["CONDITIONAL_REQUESTS"] = False
    app.extensions.pop("page_cache", None)


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
        client, db_session, page_cache, queries):
    _warm(client, "/")
    queries.clear()
    client.get("/", headers={"HX-Request": "true"})
    assert len(queries) > 1
    user = make_user(role="staff", name="Stafmedewerker Zichtbaar")
    login_as(client, user)
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


@pytest.fixture
def shared_page_cache(app, page_cache):
    """The page cache with its shared level in Redis, under a key prefix of its own."""
    import uuid

    import redis
    prefix = f"test:{uuid.uuid4().hex}:page:"
    saved = {k: app.config.get(k) for k in ("REDIS_URL", "RESPONSE_CACHE_PREFIX")}
    app.config.update(REDIS_URL=require_redis(), RESPONSE_CACHE_PREFIX=prefix)
    app.extensions.pop("page_cache_shared", None)
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    yield client, prefix
    app.config.update(saved)
    app.extensions.pop("page_cache_shared", None)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def _another_worker(app):
    """What another worker (or instance) holds: nothing in its own memory."""
    app.extensions.pop("page_cache", None)


def test_a_page_rendered_by_one_worker_is_a_hit_for_another(app, client, shared_page_cache, queries):
    redis_client, prefix = shared_page_cache
    _warm(client, "/kaart/")
    first = client.get("/kaart/")
    assert first.headers["X-Page-Cache"] == "hit"  # in this worker's memory
    keys = list(redis_client.scan_iter(prefix + "*"))
    assert len(keys) == 1 and 0 < redis_client.ttl(keys[0]) <= app.config["RESPONSE_CACHE_TTL"]
    _another_worker(app)
    queries.clear()
    shared = client.get("/kaart/")
    assert shared.headers["X-Page-Cache"] == "hit-shared"
    assert len(queries) == 1  # the data version only: not rendered
    assert _nonce(shared) != _nonce(first) and f'nonce="{_nonce(shared)}"' in shared.get_data(as_text=True)
    assert "'unsafe-inline'" in shared.headers["Content-Security-Policy"]  # the map's allowance travels along
    assert client.get("/kaart/").headers["X-Page-Cache"] == "hit"  # now in this worker's memory too


def test_a_write_makes_the_shared_copy_stale(app, client, db_session, shared_page_cache, queries):
    _warm(client, "/")
    before = client.get("/").get_data(as_text=True)
    make_organisation("vmbo", name="Nieuwe vestiging gedeeld")
    record(db_session, None, "organisation", None, "create")
    db_session.commit()
    _another_worker(app)
    after = client.get("/")
    assert after.headers["X-Page-Cache"] == "miss"
    assert after.get_data(as_text=True) != before


def test_without_redis_the_page_is_rendered(app, client, page_cache, queries):
    """Redis down: every request renders (no error page), and Redis is left alone for a while."""
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    app.extensions.pop("page_cache_shared", None)
    try:
        _warm(client, "/")
        _another_worker(app)
        response = client.get("/")
        assert response.status_code == 200 and response.headers["X-Page-Cache"] == "miss"
        assert app.extensions["page_cache_shared"].paused_until > 0
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("page_cache_shared", None)


def test_a_hit_is_served_gzip_from_the_store_to_a_client_that_accepts_it(client, page_cache, queries):
    import gzip
    gz = {"Accept-Encoding": "gzip, deflate, br"}
    for _ in range(3):
        client.get("/kaart/", headers=gz)
    packed = client.get("/kaart/", headers=gz)
    assert packed.headers["X-Page-Cache"] == "hit"
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    html = gzip.decompress(packed.data).decode()  # checks the CRC and length too
    assert f'nonce="{_nonce(packed)}"' in html and "\x00" not in html
    # Byte for byte the identity body a client without Accept-Encoding gets, but for the secrets.
    plain = client.get("/kaart/")
    assert plain.headers["X-Page-Cache"] == "hit" and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert html.replace(_nonce(packed), "N") == plain.get_data(as_text=True).replace(_nonce(plain), "N")
    assert len(packed.data) < len(plain.data) / 2


def test_gzip_is_refused_by_quality_zero_and_the_miss_is_compressed_too(client, page_cache):
    import gzip
    for _ in range(3):
        refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and b"<html" in refused.data
    first = client.get("/regioplannen/overzicht", headers={"Accept-Encoding": "gzip"})
    assert first.headers.get("X-Page-Cache") in ("miss", None)
    assert first.headers["Content-Encoding"] == "gzip"
    assert f'nonce="{_nonce(first)}"' in gzip.decompress(first.data).decode()


def test_the_etag_differs_per_coding_and_each_gets_its_304(client, page_cache):
    gz = {"Accept-Encoding": "gzip"}
    _warm(client, "/")
    plain, packed = client.get("/"), client.get("/", headers=gz)
    assert plain.headers["ETag"].split(".")[1] != packed.headers["ETag"].split(".")[1]
    assert client.get("/", headers={"If-None-Match": packed.headers["ETag"], **gz}).status_code == 304
    assert client.get("/", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    # A client that held the identity copy and now asks for gzip gets the page, not a 304.
    assert client.get("/", headers={"If-None-Match": plain.headers["ETag"], **gz}).status_code == 200


def test_an_entry_gives_the_same_bytes_gzip_and_plain_with_any_secrets():
    import gzip

    from portal.web.response_cache import CSRF, NONCE, Entry
    body = f'<p>ë€ {NONCE}</p>{CSRF}' + "x" * 70_000 + f"<script nonce=\"{NONCE}\"></script>{NONCE}"
    entry = Entry.make(body, 200, [], False)
    assert entry.body == body
    secrets = {NONCE: b"n0nce-value", CSRF: b"t0ken.value.sig"}
    plain = entry.identity_body(secrets)
    assert plain == body.replace(NONCE, "n0nce-value").replace(CSRF, "t0ken.value.sig").encode()
    assert gzip.decompress(entry.gzip_body(secrets)) == plain
    bare = Entry.make('{"a": 1}', 200, [], False)
    assert gzip.decompress(bare.gzip_body({})) == bare.identity_body({}) == b'{"a": 1}'
