"""Bytes shared by every worker of every instance through Redis (REDIS_URL):
the rendered pages (web/response_cache.py) and the kept aggregates
(core/aggregates.py). One client setup for both.

Each key has an expiry, so Redis with `maxmemory` and a `volatile-*` or
`allkeys-lru` policy stays bounded. Values over `max_bytes` are not stored.
When Redis fails, callers go on without it (render, compute) and Redis is left
alone for REDIS_PAUSE seconds: an outage costs speed, never correctness.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import time
import zlib
from collections.abc import Hashable
from datetime import date
from typing import Any, cast

import redis

REDIS_PAUSE = 30.0  # seconds without Redis after it failed
MISSING = object()  # SharedValues.load found nothing usable

log = logging.getLogger(__name__)


class SharedBytes:
    """Values in Redis under `prefix`, each with an expiry of `ttl` seconds."""

    what = "shared cache"  # named in the log when Redis fails

    def __init__(self, url: str, prefix: str, ttl: int, max_bytes: int):
        self.made_for: tuple[str, str | None] = (url, None)
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix, self.ttl, self.max_bytes = prefix, ttl, max_bytes
        self.paused_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self.paused_until

    def _failed(self, exc: Exception) -> None:
        self.paused_until = time.monotonic() + REDIS_PAUSE
        log.warning("%s: Redis unavailable (%s); going on without it for %d s", self.what, exc, REDIS_PAUSE)

    def get_bytes(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        return raw if isinstance(raw, bytes) else None

    def put_bytes(self, key: str, raw: bytes) -> bool:
        """Store `raw` (False when too large, or Redis is unavailable)."""
        if not self._available() or len(raw) > self.max_bytes:
            return False
        try:
            self.client.set(self.prefix + key, raw, ex=self.ttl)
        except redis.RedisError as exc:
            self._failed(exc)
            return False
        return True


class SharedValues(SharedBytes):
    """Python values in Redis (the kept aggregates): pickled, compressed and
    signed with the secret (checked before unpickling: Redis is not trusted to
    run code); one Redis key per version and key."""

    what = "kept aggregates"

    def __init__(self, url: str, prefix: str, ttl: int, max_bytes: int, secret: str, fingerprint: str):
        super().__init__(url, prefix, ttl, max_bytes)
        self.secret = hashlib.sha256(b"kept-aggregates\x1f" + secret.encode()).digest()
        self.fingerprint = fingerprint
        self.skipped = 0  # values not shared: too large or not picklable

    def name(self, version: str, key: Hashable) -> str | None:
        """The key's name in Redis, the same in every process (None: the key is not plain values)."""
        plain = _canonical(key)
        if plain is None:
            return None
        digest = hashlib.sha256("\x1f".join((self.fingerprint, plain)).encode()).hexdigest()
        return f"{version}:{digest}"

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.secret, body, hashlib.sha256).digest()

    def load(self, name: str) -> Any:
        raw = self.get_bytes(name)
        if raw is None:
            return MISSING
        mac, body = raw[:32], raw[32:]
        if not hmac.compare_digest(mac, self._mac(body)):
            return MISSING  # not written by a portal with this secret: never unpickled
        try:
            return pickle.loads(zlib.decompress(body))
        except Exception:  # noqa: BLE001 -- anything unreadable is computed again
            return MISSING

    def save(self, name: str, value: Any) -> None:
        try:
            body = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.skipped += 1
            log.warning("%s: %s not shared, it does not pickle (%s)", self.what, name, exc)
            return
        if len(body) + 32 > self.max_bytes:
            self.skipped += 1
            log.info("%s: %s not shared, %d bytes compressed", self.what, name, len(body))
            return
        self.put_bytes(name, self._mac(body) + body)


def _canonical(value: Any) -> str | None:
    """A text of the key that is the same in every process (hash() and the order
    of a set's members are not), or None for anything but plain values."""
    if value is None or isinstance(value, bool | int | float | str):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, date):
        return f"{type(value).__name__}:{value.isoformat()}"
    if isinstance(value, tuple | list | set | frozenset):
        parts = [_canonical(item) for item in value]
        if any(part is None for part in parts):
            return None
        if isinstance(value, set | frozenset):
            return "{" + ",".join(sorted(cast(list[str], parts))) + "}"
        return "(" + ",".join(cast(list[str], parts)) + ")"
    return None


def key_prefix(config: Any, kind: str) -> str:
    """The default prefix of one kind of shared value: the Redis key prefix, the
    kind, and a digest of the database URL (two databases sharing a Redis never
    share values)."""
    database = hashlib.sha256(str(config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
    return f"{config.get('REDIS_KEY_PREFIX', 'portal:')}{kind}:{database}:"
