"""Session lifecycle and cookies: rotation on login, server-side invalidation
on logout and password change, idle and absolute timeouts, cookie flags."""
from __future__ import annotations

import time

import pytest

from portal import create_app
from portal.web.response_cache import page_key
from tests.conftest import login
from tests.factories import PASSWORD, make_user

PROTECTED = "/account/wachtwoord"  # any page behind login


def is_logged_in(client) -> bool:
    response = client.get(PROTECTED)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    return False


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_login_rotates_the_session(client):
    user = make_user("reader")
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "vooraf gezet"
    before = session_cookie(client)
    assert login(client, user).status_code == 302
    after = session_cookie(client)
    assert after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == user.session_token  # the rotating token, not the id


@pytest.mark.parametrize("how", ["logout", "password change"])
def test_logout_and_password_change_end_every_session_of_the_user(app, client, how):
    user = make_user("reader")
    login(client, user)
    copy = app.test_client()
    copy.set_cookie("session", session_cookie(client))
    second = app.test_client()  # a login on another device
    login(second, user)
    assert is_logged_in(copy) and is_logged_in(second)

    if how == "logout":
        assert client.post("/logout").status_code == 302
        assert not is_logged_in(client)
    else:
        response = client.post(PROTECTED, data={"current_password": PASSWORD,
                                                "new_password": "een heel nieuw wachtwoord"})
        assert response.status_code == 302
        assert is_logged_in(client)  # the session that changed it continues

    assert not is_logged_in(copy)
    assert not is_logged_in(second)


@pytest.mark.parametrize("key, age, expired", [
    ("last_seen", 29 * 60, False),
    ("last_seen", 31 * 60, True),
    ("login_at", 11 * 3600 + 59 * 60, False),
    ("login_at", 12 * 3600 + 60, True),
])
def test_idle_and_absolute_timeouts(client, key, age, expired):
    user = make_user("reader")
    login(client, user)
    with client.session_transaction() as sess:
        sess[key] = time.time() - age
    assert is_logged_in(client) is not expired


def test_activity_keeps_the_session_alive_but_not_beyond_twelve_hours(client):
    user = make_user("reader")
    login(client, user)
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - 11 * 3600
        sess["last_seen"] = time.time() - 25 * 60
    assert is_logged_in(client)
    with client.session_transaction() as sess:
        assert time.time() - sess["last_seen"] < 60  # the request refreshed it
        sess["login_at"] = time.time() - 12 * 3600 - 1
    assert not is_logged_in(client)


def set_cookie_header(response, name: str = "session") -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    user = make_user("reader")
    header = set_cookie_header(login(client, user))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP in development


HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def https_app(app, db_session):
    """The app as configured behind a TLS-terminating proxy."""
    return create_app({**app.config, "BEHIND_HTTPS": True, "SESSION_COOKIE_SECURE": False})


def test_session_cookie_is_secure_and_hsts_is_sent_behind_https(https_app):
    user = make_user("reader")
    client = https_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=HTTPS)
    assert response.status_code == 302
    header = set_cookie_header(response, "__Host-session")
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000


def test_no_hsts_on_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_behind_https_the_session_cookie_has_the_host_prefix_and_works(https_app):
    """ASVS 3.4.4: __Host-session, Secure, Path=/ and no Domain (so no
    subdomain can set or overwrite it); a logged-in request with it works."""
    user = make_user("reader")
    client = https_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=HTTPS)
    assert response.status_code == 302
    header = set_cookie_header(response, "__Host-session")
    value, *attributes = [part.strip() for part in header.split(";")]
    assert sorted(attributes) == ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]  # and so no Domain
    assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    assert client.get(PROTECTED, headers=HTTPS).status_code == 200

    # The control: the same value under the plain name is not a session.
    other = https_app.test_client()
    other.set_cookie("session", value.split("=", 1)[1])
    response = other.get(PROTECTED, headers=HTTPS)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    other.set_cookie("__Host-session", value.split("=", 1)[1])
    assert other.get(PROTECTED, headers=HTTPS).status_code == 200


def test_the_page_cache_key_ignores_the_host_prefixed_session_cookie(https_app):
    """The page cache leaves the session cookie out of its key (anonymous
    visitors with a session share pages) and reads its name from the config."""
    def key(cookies: str) -> str:
        with https_app.test_request_context("/kaart/", headers={"Cookie": cookies, **HTTPS}):
            return page_key("v1")
    assert key("__Host-session=een; taal=nl") == key("__Host-session=twee; taal=nl")
    assert key("__Host-session=een; taal=nl") != key("__Host-session=een; taal=en")  # other cookies count
