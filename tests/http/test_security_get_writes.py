"""No GET request writes to the database.

On SQLite a writing request (POST/PUT/PATCH/DELETE) takes the write lock with
BEGIN IMMEDIATE at its start (portal/extensions.py); a GET starts a deferred
transaction and reads from a snapshot. A GET that wrote would fail with
SQLITE_BUSY_SNAPSHOT (a 503) whenever another request committed in between.
So every GET page of the app (generated from app.url_map, as in the
permission matrix), as every kind of user, runs no INSERT, UPDATE or DELETE.
An anonymous one runs only what an anonymous read of a public page may run
on PostgreSQL, where it has no transaction (portal/web/public_reads.py):
reads and SET LOCAL."""
from __future__ import annotations

import re

import pytest

from portal.web import public_reads
from tests.conftest import count_queries, login_as
from tests.factories_matrix import USERS, MatrixWorld
from tests.http.test_permissions_matrix import CASES

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
GETS = [case for case in CASES if case[1] == "GET" and case[0] != "static"]


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


def writes_of(client, url: str, method: str = "GET", *, only_reads: bool = False) -> list[str]:
    """The writing statements the request ran; with only_reads every statement that is not a read."""
    with count_queries() as statements, client.open(url, method=method, data={}):
        pass
    found = [s for s in statements if (not public_reads.is_read(s) if only_reads else WRITE.match(s))]
    return [s.split("\n")[0][:120] for s in found]


@pytest.mark.parametrize("case", GETS, ids=lambda c: f"{c[1]} {c[0]}" + (f" [{c[2]}]" if c[2] else ""))
def test_a_get_request_writes_nothing(app, client, world, case):
    endpoint, _method, variant, _rule = case
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods)
    url = rule.build(world.url_values(variant, rule.arguments), append_unknown=False)[1]
    written = {}
    for user in USERS:
        login_as(client, world.user(user))
        written[user] = writes_of(client, url, only_reads=user == "anonymous")
    assert written == {user: [] for user in USERS}, f"GET {url} wrote"


def test_control_the_check_sees_the_writes_of_a_request(app, client, world):
    """The same measurement sees what a writing request writes (logging out
    rotates the session token: an UPDATE of the user)."""
    login_as(client, world.user("reader"))
    assert any(s.upper().startswith("UPDATE") for s in writes_of(client, "/logout", "POST"))
