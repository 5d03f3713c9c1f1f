"""Helpers for the security tests: the throttle backends, a controllable
clock, CSRF tokens from forms, and URLs for every rule in app.url_map (so the
generated tests pick up endpoints other areas add later). Logging in:
tests/conftest.py login_as."""
from __future__ import annotations

import os
import re
import time
import uuid

import pytest

from tests.conftest import IN_CI

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def require_redis() -> str:
    """The Redis URL for tests; missing Redis is a skip locally and a failure in CI."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is not reachable ({exc}); start redis-server"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture(params=["database", "redis"])
def throttle_backend(request, app):
    """Run the test once with the counters in the database and once in Redis
    (under a key prefix of its own, removed afterwards)."""
    saved = {k: app.config.get(k) for k in ("REDIS_URL", "LOGIN_THROTTLE_PREFIX")}
    prefix = f"test:{uuid.uuid4().hex}:"
    if request.param == "redis":
        app.config["REDIS_URL"] = require_redis()
        app.config["LOGIN_THROTTLE_PREFIX"] = prefix
    else:
        app.config["REDIS_URL"] = None
    yield request.param
    app.config.update(saved)
    if request.param == "redis":
        import redis
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)


class Clock:
    """A controllable replacement for portal.services.throttle.now."""

    def __init__(self) -> None:
        self.value = time.time()

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def clock(monkeypatch):
    from portal.services.accounts import throttle
    c = Clock()
    monkeypatch.setattr(throttle, "now", c)
    return c


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token field in the form"
    return match.group(1) or match.group(2)


# -- URLs from app.url_map ----------------------------------------------------

# Example values for URL arguments, by name. Objects are created by
# `url_values(...)`; arguments not named here get `1` (int) or "1"/"AM38".
STRING_DEFAULTS = {"code": "AM38", "region_code": "AM38", "fmt": "csv", "filename": "x.txt", "token": "x"}


def rules(app, methods=None, *, exclude_static: bool = True):
    """(rule, method) pairs of the app, sorted, for parametrisation."""
    pairs = []
    for rule in app.url_map.iter_rules():
        if exclude_static and (rule.endpoint == "static" or rule.endpoint.endswith(".static")):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                pairs.append((rule, method))
    return sorted(pairs, key=lambda p: (p[0].rule, p[1]))


def rule_id(pair) -> str:
    rule, method = pair
    return f"{method} {rule.rule}"


def build_url(rule, values: dict) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)  # noqa: SLF001  werkzeug keeps them here
        kind = type(converter).__name__ if converter else ""
        if name in values:
            args[name] = values[name]
        elif kind in ("IntegerConverter", "NumberConverter"):
            args[name] = 1
        else:
            args[name] = STRING_DEFAULTS.get(name, "1")
    url = rule.build(args, append_unknown=False)
    assert url is not None, f"could not build {rule.rule} with {args}"
    return url[1]


def url_values() -> dict:
    """Existing objects for the URL arguments the portal knows today; later
    areas extend this (ids of their own objects)."""
    from tests.factories import make_organisation, make_route, make_user
    org = make_organisation("mbo")
    user = make_user("reader")
    route = make_route()
    values = {
        "user_id": user.id, "organisation_id": org.id, "org_id": org.id,
        "route_id": route.id, "learning_route_id": route.id,
    }
    return values
