"""The portal's Flask class (web/flask_app.py) keeps two things Flask makes on
every request: whether a view or hook is a coroutine, and the session's
signing serializer. Kept, they must still follow the secret keys: a cookie
signed with a key that was replaced is refused, unless that key is listed in
SECRET_KEY_FALLBACKS (key rotation)."""
from __future__ import annotations

import pytest

from portal.web.flask_app import PortalFlask


@pytest.fixture
def keys(app):
    """The test app's secret keys, put back afterwards."""
    key, fallbacks = app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")
    yield app
    app.secret_key = key
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks


def _new_session(client) -> bool:
    """Whether this request's answer starts a session: every page's layout
    puts a CSRF token in the session, so a cookie the app refused (or none)
    gets a new one, and a cookie it accepted gets none."""
    response = client.get("/")
    assert response.status_code == 200
    return "session=" in (response.headers.get("Set-Cookie") or "")


def _settled(client) -> None:
    """A browser's first requests: the session starts (CSRF token, then Flask-Login's mark), then is stable."""
    assert _new_session(client)
    for _ in range(3):
        if not _new_session(client):
            return
    raise AssertionError("the session kept changing")


def test_the_session_follows_a_new_secret_key(keys, db_session):
    client = keys.test_client()
    _settled(client)
    assert not _new_session(client)  # the cookie is accepted
    old = keys.secret_key
    keys.secret_key = "another-secret-key-" + "x" * 40
    assert _new_session(client)  # the old cookie is refused: a new session
    _settled(client)
    keys.secret_key = old
    assert _new_session(client)  # signed with the other key: refused by the old one


def test_a_rotated_key_in_the_fallbacks_is_still_accepted(keys, db_session):
    client = keys.test_client()
    _settled(client)
    keys.config["SECRET_KEY_FALLBACKS"] = [keys.secret_key]
    keys.secret_key = "the-next-secret-key-" + "y" * 40
    assert not _new_session(client)


def test_a_plain_function_is_asked_once_and_a_coroutine_is_still_wrapped(app):
    assert isinstance(app, PortalFlask)

    def plain():
        return "x"

    async def coroutine():
        return "y"

    assert app.ensure_sync(plain) is plain and app._synced[plain] is plain
    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError as exc:  # Flask's async support needs asgiref, which the portal does not install
        assert "async" in str(exc).lower()
    else:
        assert wrapped is not coroutine and wrapped() == "y"
