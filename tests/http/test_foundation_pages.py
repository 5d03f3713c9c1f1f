"""Home page, error pages, health check and start-up checks."""
import pytest

from portal import InsecureConfiguration, create_app
from portal.config import DEV_SECRET_KEY, Config
from tests.conftest import login_as


def test_home_says_what_the_portal_is(client, reference_data):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "doorlopende leerroutes" in html.lower()
    assert "35 (indeling 2025)" in html
    assert 'href="#inhoud"' in html and '<main id="inhoud"' in html


def test_home_says_what_is_missing_without_reference_data(tmp_path):
    """A fresh portal without the reference files still serves, and says so."""
    class Empty(Config):
        TESTING = True
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app(Empty)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    response = app.test_client().get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nog niet geladen" in html
    assert "flask geo import" in html


@pytest.mark.parametrize("path", ["/bestaat-niet", "/beheer/gebruikers/999999/onzin"])
def test_404_is_dutch(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_403_is_dutch(client):
    from tests.factories import make_user
    login_as(client, make_user("reader"))
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


def test_500_is_dutch(tmp_path):
    class Fresh(Config):
        TESTING = True
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(Fresh)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()

    @app.get("/__boom")
    def boom():
        raise RuntimeError("kapot")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.get_data(as_text=True)
    assert "kapot" not in response.get_data(as_text=True)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(tmp_path):
    class Down(Config):
        TESTING = True
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(Down)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["database"] == "unreachable"


@pytest.mark.parametrize("key", [None, "", DEV_SECRET_KEY, "kort"])
def test_refuses_to_start_outside_debug_without_a_real_secret_key(key):
    class Prod(Config):
        TESTING = False
        DEBUG = False
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = "sqlite://"
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        create_app(Prod)


def test_starts_with_a_real_secret_key():
    class Prod(Config):
        TESTING = False
        DEBUG = False
        SECRET_KEY = "a-long-random-production-key-0123456789"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
    assert create_app(Prod).config["SECRET_KEY"].startswith("a-long")


def test_vendored_htmx_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in html.split("<footer")[0].split("<body")[0]
    # Static files are file responses: close them (no unclosed-file warning).
    with client.get("/static/vendor/htmx/htmx.min.js") as response:
        assert response.status_code == 200 and b"htmx" in response.data
    with client.get("/static/vendor/htmx/LICENSE") as response:
        assert response.status_code == 200
    with client.get("/static/vendor/htmx/VERSION") as response:
        assert response.get_data(as_text=True).startswith("htmx.org@2.0.")


def test_the_data_set_banner_follows_its_setting(client, db_session):
    """The banner's text is kept per data version: changing the setting shows on the next page."""
    from portal.core import settings
    assert "dataset-banner" not in client.get("/").get_data(as_text=True)
    settings.set_setting(db_session, settings.DATASET_LABEL, "synthetic")
    db_session.commit()
    html = client.get("/").get_data(as_text=True)
    assert settings.LABELS["synthetic"] in html
    settings.set_setting(db_session, settings.DATASET_LABEL, "demo")
    db_session.commit()
    html = client.get("/leerroutes/").get_data(as_text=True)
    assert settings.LABELS["demo"] in html and settings.LABELS["synthetic"] not in html


def test_layout_links_follow_the_script_root(client):
    """The layout's plain addresses are built once per script root (web/templating):
    a portal served under a prefix links under that prefix, one at / does not."""
    plain = client.get("/").get_data(as_text=True)
    prefixed = client.get("/", environ_overrides={"SCRIPT_NAME": "/portaal"}).get_data(as_text=True)
    again = client.get("/").get_data(as_text=True)
    assert 'href="/leerroutes/"' in plain and 'href="/static/css/portal.css"' in plain
    assert 'href="/portaal/leerroutes/"' in prefixed and 'href="/portaal/static/css/portal.css"' in prefixed
    assert 'href="/leerroutes/"' not in prefixed
    assert 'href="/leerroutes/"' in again and "/portaal/" not in again
