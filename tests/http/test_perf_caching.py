"""Conditional requests: public pages carry an ETag derived from the data
version in the database; a repeat answers 304 with one query; any audited
write, the URL, htmx and logging in all change or disable it."""
from __future__ import annotations

import re

import pytest

from portal.core.audit import record
from tests.conftest import login_as
from tests.factories import make_user

PUBLIC_PAGES = ["/", "/api/v1/regions.geojson"]


@pytest.fixture(autouse=True)
def conditional_requests(app):
    """On in production; off by default under TESTING (see portal.web.caching)."""
    app.config["CONDITIONAL_REQUESTS"] = True
    yield
    app.config["CONDITIONAL_REQUESTS"] = False


def test_off_by_default_under_testing():
    from portal import create_app
    from portal.config import TestConfig
    assert create_app(TestConfig).config["CONDITIONAL_REQUESTS"] is False


def tagged_get(client, url, **kwargs):
    """An anonymous browser: its first responses start the session (CSRF secret,
    Flask-Login's marker); from then on pages carry an ETag."""
    for _ in range(3):
        response = client.get(url, **kwargs)
        if response.headers.get("ETag"):
            return response
    raise AssertionError(f"{url} carries no ETag: {dict(response.headers)}")


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_repeat_request_answers_304_with_one_query(client, url, queries):
    first = tagged_get(client, url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-cache"
    assert "Cookie" in first.headers["Vary"]
    queries.clear()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert len(queries) == 1, queries
    assert "data_version_slots" in queries[0]
    # The CSP of the 304 carries the nonce of the copy the browser holds.
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    assert f"'nonce-{nonce}'" in again.headers["Content-Security-Policy"]
    assert nonce in first.headers["ETag"]


def test_any_audited_write_makes_the_tag_stale(client, db_session):
    first = tagged_get(client, "/")
    record(db_session, None, "organisation", None, "update", after={"name": "x"})
    db_session.commit()
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert client.get("/", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_the_tag_depends_on_url_and_htmx(client):
    home = tagged_get(client, "/")
    geo = tagged_get(client, "/api/v1/regions.geojson")
    assert client.get("/api/v1/regions.geojson", headers={"If-None-Match": home.headers["ETag"]}).status_code == 200
    assert client.get("/api/v1/regions.geojson?profile=ZW", headers={"If-None-Match": geo.headers["ETag"]}).status_code == 200
    fragment = client.get("/", headers={"If-None-Match": home.headers["ETag"], "HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.headers["ETag"].split(".")[1] != home.headers["ETag"].split(".")[1]


def test_a_forged_or_foreign_tag_is_ignored(client):
    home = tagged_get(client, "/")
    forged = home.headers["ETag"].replace('"pv1.', '"pv1.0').replace('0', '1', 1)
    assert client.get("/", headers={"If-None-Match": forged}).status_code == 200
    assert client.get("/", headers={"If-None-Match": '"pv1.x.<script>"'}).status_code == 200
    # Another browser (another session, another CSRF secret) gets its own tags.
    other = client.application.test_client()
    assert other.get("/", headers={"If-None-Match": home.headers["ETag"]}).status_code == 200


def test_logged_in_pages_are_never_cached(client, db_session):
    anonymous = tagged_get(client, "/")
    login_as(client, make_user(role="staff"))
    response = client.get("/", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"


def test_writes_and_account_pages_are_not_tagged(client):
    tagged_get(client, "/")
    assert "ETag" not in client.get("/login").headers
