"""Login throttling: at most LIMIT failed logins per account and per IP
address within WINDOW seconds (a sliding window).

The counters live in Redis when REDIS_URL is set, so they hold across
gunicorn workers and instances; otherwise in the database (LoginFailure).
If Redis cannot be reached the database takes over, so an outage of Redis
never switches the throttle off.

Keys are SHA-256 digests of "account:<normalised email>" and "ip:<address>".
An unknown e-mail address is throttled exactly like a known one, so the
answers do not reveal whether an account exists.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
from collections.abc import Iterable

import redis
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models.throttle import LoginFailure

LIMIT = 10
WINDOW = 15 * 60  # seconds

log = logging.getLogger(__name__)

# The clock; tests replace it to move through the window.
now = time.time


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def account_key(email: str | None) -> str:
    return _digest("account:" + (email or "").strip().lower())


def ip_key(address: str | None) -> str:
    return _digest("ip:" + (address or "unknown"))


def login_keys(email: str | None, address: str | None) -> tuple[str, str]:
    return account_key(email), ip_key(address)


def _limit() -> int:
    return int(current_app.config.get("LOGIN_THROTTLE_LIMIT", LIMIT))


def _window() -> float:
    return float(current_app.config.get("LOGIN_THROTTLE_WINDOW", WINDOW))


def _wait_from(timestamps: list[float], at: float) -> int:
    """Seconds until fewer than LIMIT of these failures lie in the window."""
    limit = _limit()
    if len(timestamps) < limit:
        return 0
    timestamps = sorted(timestamps)
    # Once the (n - limit + 1) oldest have left the window, one more try is allowed.
    expires = timestamps[len(timestamps) - limit] + _window()
    return max(1, math.ceil(expires - at))


# -- Redis -------------------------------------------------------------------

def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("throttle_redis", {})
    client = clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        clients[url] = client
    return client


def _redis_key(key: str) -> str:
    return current_app.config.get("LOGIN_THROTTLE_PREFIX", "portal:login-failures:") + key


def _redis_wait(client, keys: Iterable[str], at: float) -> int:
    pipe = client.pipeline()
    keys = list(keys)
    for key in keys:
        pipe.zremrangebyscore(_redis_key(key), "-inf", at - _window())
        pipe.zrange(_redis_key(key), 0, -1, withscores=True)
    results = pipe.execute()
    waits = [_wait_from([score for _member, score in entries], at) for entries in results[1::2]]
    return max(waits, default=0)


def _redis_record(client, keys: Iterable[str], at: float) -> None:
    pipe = client.pipeline()
    for key in keys:
        name = _redis_key(key)
        pipe.zadd(name, {uuid.uuid4().hex: at})
        pipe.zremrangebyscore(name, "-inf", at - _window())
        pipe.expire(name, int(_window()) + 60)
    pipe.execute()


# -- Database ----------------------------------------------------------------

def _db_wait(session: Session, keys: Iterable[str], at: float) -> int:
    waits = []
    for key in keys:
        stamps = session.scalars(
            select(LoginFailure.failed_at).where(
                LoginFailure.key == key, LoginFailure.failed_at > at - _window())
        ).all()
        waits.append(_wait_from(list(stamps), at))
    return max(waits, default=0)


def _db_record(session: Session, keys: Iterable[str], at: float) -> None:
    keys = list(keys)
    # Old failures are of no use any more: keep the table small.
    session.execute(delete(LoginFailure).where(
        LoginFailure.key.in_(keys), LoginFailure.failed_at <= at - _window()))
    for key in keys:
        session.add(LoginFailure(key=key, failed_at=at))
    session.flush()


def _db_clear(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    session.flush()


# -- Public API --------------------------------------------------------------

def backend_name() -> str:
    return "redis" if current_app.config.get("REDIS_URL") else "database"


def retry_after(session: Session, keys: Iterable[str]) -> int:
    """0 when a login attempt may go ahead; otherwise the seconds to wait."""
    keys = list(keys)
    at = now()
    client = _redis()
    wait = 0
    if client is not None:
        try:
            wait = _redis_wait(client, keys, at)
        except Exception as exc:  # noqa: BLE001  Redis down: the database takes over
            log.warning("login throttle: Redis unavailable (%s); using the database", exc)
    # Failures recorded while Redis was away count as well.
    return max(wait, _db_wait(session, keys, at))


def record_failure(session: Session, keys: Iterable[str]) -> None:
    keys = list(keys)
    at = now()
    client = _redis()
    if client is not None:
        try:
            _redis_record(client, keys, at)
            return
        except Exception as exc:  # noqa: BLE001
            log.warning("login throttle: Redis unavailable (%s); using the database", exc)
    _db_record(session, keys, at)


def clear_account(session: Session, email: str | None) -> None:
    """After a successful login the account's failures are forgotten (the
    address's are not: one valid account must not unlock guessing others)."""
    key = account_key(email)
    client = _redis()
    if client is not None:
        try:
            client.delete(_redis_key(key))
        except Exception as exc:  # noqa: BLE001
            log.warning("login throttle: Redis unavailable (%s)", exc)
    _db_clear(session, key)
