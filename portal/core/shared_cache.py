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
import logging
import time
from typing import Any

import redis

REDIS_PAUSE = 30.0  # seconds without Redis after it failed

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


def key_prefix(config: Any, kind: str) -> str:
    """The default prefix of one kind of shared value: the Redis key prefix, the
    kind, and a digest of the database URL (two databases sharing a Redis never
    share values)."""
    database = hashlib.sha256(str(config["SQLALCHEMY_DATABASE_URI"]).encode()).hexdigest()[:12]
    return f"{config.get('REDIS_KEY_PREFIX', 'portal:')}{kind}:{database}:"
