"""The portal's Flask class (web/flask_app.py) keeps two things Flask makes on
every request: whether a view or hook is a coroutine, and the session's
signing serializer. Kept, they must still follow the secret keys: a cookie
signed with a key that was replaced is refused, unless that key is listed in
SECRET_KEY_FALLBACKS (key rotation)."""
from __future__ import annotations

import pytest
from flask import session

from portal.web.flask_app import PortalFlask


@pytest.fixture
def keyed_app(app):
    """The test app with a /_keyed view that counts in the session, and its keys put back afterwards."""
    key, fallbacks = app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")
    if "_keyed" not in app.view_functions:
        @app.get("/_keyed", endpoint="_keyed")
        def keyed():
            session["visits"] = session.get("visits", 0) + 1
            return str(session["visits"])
    yield app
    app.secret_key = key
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks


def test_the_session_follows_a_new_secret_key(keyed_app, db_session):
    client = keyed_app.test_client()
    assert [client.get("/_keyed").get_data(as_text=True) for _ in range(2)] == ["1", "2"]
    old = keyed_app.secret_key
    keyed_app.secret_key = "another-secret-key-" + "x" * 40
    assert client.get("/_keyed").get_data(as_text=True) == "1"  # the old cookie is refused: a new session
    keyed_app.secret_key = old
    assert client.get("/_keyed").get_data(as_text=True) == "1"  # signed with the new key: refused by the old


def test_a_rotated_key_in_the_fallbacks_is_still_accepted(keyed_app, db_session):
    client = keyed_app.test_client()
    assert [client.get("/_keyed").get_data(as_text=True) for _ in range(2)] == ["1", "2"]
    keyed_app.config["SECRET_KEY_FALLBACKS"] = [keyed_app.secret_key]
    keyed_app.secret_key = "the-next-secret-key-" + "y" * 40
    assert client.get("/_keyed").get_data(as_text=True) == "3"


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
