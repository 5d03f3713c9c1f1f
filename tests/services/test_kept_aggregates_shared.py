"""Issue 21: with REDIS_URL the kept aggregates (core/aggregates) are shared
through Redis, so that every worker of every instance computes a figure once
per data version. Two apps (two create_app) on one database and one real
Redis, under a key prefix of this test's own (removed afterwards): what A
computed, B reads; after a write through A, B computes fresh figures equal to
a recount; values computed inside a writing transaction, too large, or not
signed with the secret are not taken from Redis; Redis down, the figures are
still right."""
from __future__ import annotations

import pickle
import random
import uuid
import zlib
from contextlib import contextmanager

import pytest
import redis
from flask import Flask

from portal import create_app
from portal.core.aggregates import KeptAggregates
from portal.core.shared_cache import SharedValues
from portal.devdata.generator import generate
from portal.extensions import db
from tests.conftest import DATA_DIR
from tests.factories_security import require_redis
from tests.services.test_kept_aggregates import Writer, page_figures, recounting


@pytest.fixture(scope="module")
def other_app(app):
    """A second instance of the portal on the same database."""
    other = create_app({**app.config})
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def shared(app, other_app):
    """Both apps with their kept aggregates in Redis, under one prefix of this test's own."""
    url = require_redis()
    prefix = f"test:{uuid.uuid4().hex}:agg:"
    saved = {k: app.config.get(k) for k in ("REDIS_URL", "KEPT_AGGREGATES_PREFIX", "KEPT_AGGREGATES_MAX_BYTES")}
    for one in (app, other_app):
        one.config.update(REDIS_URL=url, KEPT_AGGREGATES_PREFIX=prefix)
        one.extensions.pop("kept_aggregates_shared", None)
        one.extensions["kept_aggregates"] = KeptAggregates()  # nothing in memory yet
    client = redis.Redis.from_url(url)
    yield client, prefix
    for one in (app, other_app):
        one.config.update(saved)
        one.extensions.pop("kept_aggregates_shared", None)
        one.extensions["kept_aggregates"] = KeptAggregates()
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


@contextmanager
def on(instance: Flask, session):
    """Reading as `instance`: its own kept aggregates in memory, the one database
    (the test's session, on the test's connection: what A committed is what B's database holds)."""
    with instance.app_context():
        yield session


def store_of(instance: Flask) -> KeptAggregates:
    return instance.extensions["kept_aggregates"]


@pytest.fixture
def writer(app, db_session, reference_data, shared):
    generate(db_session, scale=0.02, seed=21, data_dir=DATA_DIR)
    # The session itself, not the scoped proxy (which would resolve to another session in B's app context:
    # two sessions' savepoints interleaved on the one test connection).
    found = Writer(db_session(), random.Random(2121))
    db_session.commit()  # the generated data committed: figures read after it may be shared
    return found


def _keys(client, prefix) -> list[bytes]:
    return list(client.scan_iter(prefix + "*"))


def test_a_figure_computed_by_one_app_is_not_computed_by_the_other(app, other_app, shared, writer):
    client, prefix = shared
    on_a = page_figures(writer.session, writer.staff)
    computed_by_a = store_of(app).computed
    assert computed_by_a >= 10
    keys = _keys(client, prefix)
    assert len(keys) == computed_by_a  # one Redis key per figure, each with an expiry
    assert all(0 < client.ttl(key) <= app.config["KEPT_AGGREGATES_TTL"] for key in keys)
    with on(other_app, writer.session) as session:
        on_b = page_figures(session, writer.staff)
        assert store_of(other_app).computed == 0
        assert store_of(other_app).shared_hits == computed_by_a
        assert on_b == on_a
        with recounting():
            assert page_figures(session, writer.staff) == on_b
        hits = store_of(other_app).shared_hits
        assert page_figures(session, writer.staff) == on_b  # now in B's memory
        assert store_of(other_app).shared_hits == hits


def test_after_a_write_through_one_app_the_other_computes_fresh_figures(app, other_app, shared, writer):
    client, prefix = shared
    with on(other_app, writer.session) as session:
        before = page_figures(session, writer.staff)
    writer.create_active_leerlab()
    writer.session.commit()
    computed_by_b = store_of(other_app).computed
    with on(other_app, writer.session) as session:
        after = page_figures(session, writer.staff)
        assert store_of(other_app).computed > computed_by_b  # a new version: not the figures of before
        assert after["map_data"].totals.routes == before["map_data"].totals.routes + 1
        with recounting():
            assert page_figures(session, writer.staff) == after
    computed_by_a = store_of(app).computed
    assert page_figures(writer.session, writer.staff) == after  # and A reads B's figures
    assert store_of(app).computed == computed_by_a


def test_figures_computed_inside_a_writing_transaction_are_not_shared(app, other_app, shared, writer):
    """They hold data not committed yet (and perhaps never): they stay in that
    transaction's instance. After the commit B computes them itself, and shares them."""
    client, prefix = shared
    writer.create_active_leerlab()
    inside = page_figures(writer.session, writer.staff)
    assert store_of(app).computed >= 10
    assert _keys(client, prefix) == []
    writer.session.commit()
    with on(other_app, writer.session) as session:
        assert page_figures(session, writer.staff) == inside
    assert store_of(other_app).computed == store_of(app).computed  # nothing came from Redis
    assert len(_keys(client, prefix)) == store_of(other_app).computed  # the control: B's figures are shared


def test_a_value_over_the_size_limit_is_kept_in_memory_only(app, other_app, shared, writer):
    client, prefix = shared
    for one in (app, other_app):
        one.config["KEPT_AGGREGATES_MAX_BYTES"] = 400
        one.extensions.pop("kept_aggregates_shared", None)
    on_a = page_figures(writer.session, writer.staff)
    skipped = app.extensions["kept_aggregates_shared"].skipped
    assert skipped >= 1 and len(_keys(client, prefix)) == store_of(app).computed - skipped
    with on(other_app, writer.session) as session:
        assert page_figures(session, writer.staff) == on_a
    assert store_of(other_app).computed == skipped  # only the large ones computed again


def test_a_value_not_signed_with_the_secret_is_never_unpickled(app, other_app, shared, writer):
    client, prefix = shared
    on_a = page_figures(writer.session, writer.staff)
    forged = zlib.compress(pickle.dumps("forged"))
    for key in _keys(client, prefix):
        client.set(key, b"\0" * 32 + forged, ex=60)
    with on(other_app, writer.session) as session:
        assert page_figures(session, writer.staff) == on_a
    assert store_of(other_app).computed == store_of(app).computed
    assert store_of(other_app).shared_hits == 0


def test_with_redis_down_the_figures_are_computed_and_right(app, shared, writer):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    app.extensions.pop("kept_aggregates_shared", None)
    kept = page_figures(writer.session, writer.staff)
    assert store_of(app).computed >= 10
    level: SharedValues = app.extensions["kept_aggregates_shared"]
    assert level.paused_until > 0  # Redis is left alone for a while
    with recounting():
        assert page_figures(writer.session, writer.staff) == kept
    writer.create_active_leerlab()
    writer.session.commit()
    after = page_figures(writer.session, writer.staff)
    assert after["map_data"].totals.routes == kept["map_data"].totals.routes + 1


PAGES = ("/kaart/", "/kaart/?maat=levels", "/kaart/dashboard", "/api/v1/regions.geojson", "/leerroutes/",
         "/regio/AM38", "/dekking/", "/kaart/rapportage/")


def test_every_value_the_pages_keep_travels_through_redis(app, other_app, shared, writer, caplog):
    """What the aggregate pages keep pickles (no ORM rows, no functions) and fits:
    all of it reaches Redis, and B renders the same pages without computing."""
    client, prefix = shared
    answers = {url: app.test_client().get(url) for url in PAGES}
    assert {url: r.status_code for url, r in answers.items() if r.status_code != 200} == {}
    level: SharedValues = app.extensions["kept_aggregates_shared"]
    assert level.skipped == 0, caplog.text
    assert store_of(app).computed >= len(PAGES)
    assert len(_keys(client, prefix)) == store_of(app).computed
    for url in PAGES:
        assert other_app.test_client().get(url).status_code == 200
    assert store_of(other_app).computed == 0
