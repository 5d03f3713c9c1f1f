"""With the database down, /healthz says so (503) and pages answer 503 with
Retry-After in Dutch instead of a 500."""
from __future__ import annotations

import time

import pytest

from portal import create_app
from portal.config import TestConfig

DOWN = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/none",
    "sqlite": "sqlite:////nonexistent-directory/portal/none.sqlite3",
}


@pytest.fixture(params=sorted(DOWN))
def down_app(request):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = DOWN[request.param]
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "connect_args": (
            {"connect_timeout": 2} if request.param == "postgresql" else {})}

    app = create_app(Config)
    yield app
    with app.app_context():
        from portal.extensions import db
        db.engine.dispose()


def test_healthz_reports_the_outage(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/", "/leerroutes/", "/bibliotheek/", "/kaart/", "/api/v1/routes"])
def test_pages_answer_503_with_retry_after(down_app, path):
    response = down_app.test_client().get(path)
    assert response.status_code == 503, path
    assert int(response.headers["Retry-After"]) > 0
    assert "Content-Security-Policy" in response.headers
    if not path.startswith("/api/"):
        assert "tijdelijk niet" in response.get_data(as_text=True).lower()


def test_a_logged_in_user_gets_503_not_500(down_app):
    client = down_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = "some-session-token"
        sess["_fresh"] = True
        sess["login_at"] = sess["last_seen"] = time.time()
    for path in ("/", "/account/wachtwoord"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) > 0


def test_login_post_answers_503(down_app):
    response = down_app.test_client().post(
        "/login", data={"email": "iemand@example.org", "password": "een wachtwoord van lengte"})
    assert response.status_code == 503
    assert "Retry-After" in response.headers


def test_healthz_is_ok_when_the_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
