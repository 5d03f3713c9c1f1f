"""Concurrency tests: the real app under gunicorn (gthread) in a separate
process, on a database of its own (a temp SQLite file; on the PostgreSQL run a
freshly created database, dropped at the end), with truly parallel requests.

`portal` is the normal server. `control` is the same app started with the
test-only switches that bring back the old behaviour (PORTAL_AGGREGATE_LOCKS=off:
no row lock on an agreement, route or practice; PORTAL_SQLITE_BEGIN=deferred:
SQLite writing requests start with a plain BEGIN): each race is also run
against it to show that the test catches the bug it is about. Both servers
serve the same database, seeded from this process (tests/concurrency/seed.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from portal.extensions import db
from tests.concurrency.live import Server, create_database, drop_database
from tests.conftest import make_app


@dataclass
class World:
    url: str
    app: object
    tmp: object
    servers: dict = field(default_factory=dict)

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def server(self, name: str) -> Server:
        """Started on first use, once per session."""
        if name not in self.servers:
            extra = {"portal": {}, "control": {"PORTAL_AGGREGATE_LOCKS": "off", "PORTAL_SQLITE_BEGIN": "deferred"}}
            self.servers[name] = Server(self.url, self.tmp, **extra[name])
        return self.servers[name]


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("concurrency")
    (tmp / "uploads").mkdir()
    url, admin_url = create_database(tmp)
    try:
        app = make_app(url, tmp / "uploads")
        world = World(url, app, tmp)
        try:
            yield world
        finally:
            for server in world.servers.values():
                server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        if admin_url:
            drop_database(url, admin_url)


@pytest.fixture(scope="session")
def portal(world) -> Server:
    return world.server("portal")


@pytest.fixture(scope="session")
def control(world) -> Server:
    return world.server("control")
