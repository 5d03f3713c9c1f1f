"""flask backup / flask restore: a round trip gives back exactly the content
that was backed up, on SQLite (online backup API) and PostgreSQL (pg_dump).

Each test uses a database of its own (a SQLite file, or `<test db>_backup` on
the PostgreSQL server of DATABASE_URL), with committed data: a backup only
sees what is committed."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.config import TestConfig
from portal.core import backup as backup_service
from portal.extensions import db
from tests.conftest import IN_CI


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url if url.startswith("postgresql") else None


def _fresh_postgres_database() -> str:
    url = _postgres_url()
    if url is None:
        if IN_CI:
            pytest.skip("the PostgreSQL variant runs in the suite's PostgreSQL pass")
        pytest.skip("set DATABASE_URL=postgresql+psycopg://... to run the PostgreSQL variant")
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "test") + "_backup"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parts._replace(path="/" + name).geturl()


@pytest.fixture(params=["sqlite", "postgresql"])
def own_app(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'live.sqlite3'}" if request.param == "sqlite"
           else _fresh_postgres_database())

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from portal.services.reference.vocabularies import seed_vocabularies
        seed_vocabularies(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table (also alembic_version and search tables)."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
        tables = sorted(inspect(engine).get_table_names())
        content = {}
        with engine.connect() as conn:
            for table in tables:
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608  names from the catalogue
                content[table] = sorted((tuple(r) for r in rows), key=repr)
        return content


def add_content(app) -> None:
    from tests.factories import make_organisation, make_route, make_user
    with app.app_context():
        org = make_organisation("mbo", name="ROC Zuiderzee – ‘test’ ✓ ß é")
        make_user("coordinator", organisation=org, name="Zoë O’Brien-Ådahl")
        make_user("admin")
        make_route(description="Regel 1\nRegel 2 met <b>html</b> en ' \" ; DROP TABLE users; --")
        db.session.commit()


def test_round_trip_gives_back_identical_content(own_app, tmp_path):
    add_content(own_app)
    before = snapshot(own_app)
    assert before["users"] and before["organisations"] and before["learning_routes"]

    runner = own_app.test_cli_runner()
    target = tmp_path / "backups" / "portal.backup"
    done = runner.invoke(args=["backup", str(target)])
    assert done.exit_code == 0, done.output
    assert "Back-up gemaakt" in done.output and target.stat().st_size > 0

    # Change the live database in every way: add, change, delete.
    with own_app.app_context():
        from portal.models import User
        from tests.factories import make_organisation
        make_organisation("employer", name="Na de back-up toegevoegd")
        db.session.get(User, min(u.id for u in db.session.query(User))).name = "Gewijzigd"
        db.session.execute(text("DELETE FROM audit_log"))
        db.session.commit()
    assert snapshot(own_app) != before

    done = runner.invoke(args=["restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    assert snapshot(own_app) == before

    # The restored database is fully usable: new rows get fresh ids.
    add_content(own_app)
    assert len(snapshot(own_app)["users"]) == len(before["users"]) + 2


def test_restore_asks_for_confirmation_and_refuses_a_wrong_file(own_app, tmp_path):
    add_content(own_app)
    before = snapshot(own_app)
    runner = own_app.test_cli_runner()
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("dit is geen back-up")
    done = runner.invoke(args=["restore", str(not_a_backup)], input="n\n")
    assert done.exit_code != 0
    done = runner.invoke(args=["restore", str(not_a_backup), "--yes"])
    assert done.exit_code != 0 and "Niets teruggezet" in done.output
    assert snapshot(own_app) == before


def test_postgres_client_tools_match_the_server(own_app):
    with own_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        versions = backup_service.check_postgres_tools(db.engine)
    assert versions["pg_dump"] >= versions["server"]
    assert versions["psql"] >= versions["server"]
