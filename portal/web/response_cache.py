"""A cache of rendered public pages, keyed by the data version: in each
process, and with REDIS_URL shared by every worker of every instance.

Anonymous GET responses of public pages are kept under a key of: the code
fingerprint, the data version read from the database for this request, the
host, the full URL, every HX-* request header, the cookies other than the
session, and the day. Any audited write changes the data version, so a write
through any instance makes every instance miss.

Two levels. In memory per worker (bounded; a worker that sees a new version
drops it whole), and with REDIS_URL in Redis, so that N workers on M machines
render a page once per data version: a miss in memory asks Redis, and a
rendered page goes to both. Redis entries expire (RESPONSE_CACHE_TTL, an hour
by default; entries of an old version are never asked for again), so Redis
with `maxmemory` and a `volatile-*` or `allkeys-lru` policy keeps the cache
bounded. Keys start with RESPONSE_CACHE_PREFIX (by default the Redis key
prefix, "page:" and a digest of the database URL, so two databases sharing a
Redis never share pages). When Redis fails the page is rendered (and Redis is
left alone for a while): an outage costs speed, never correctness.
The response header X-Page-Cache says hit (memory), hit-shared (Redis) or miss.

Per-response secrets are not shared: the CSP nonce and the CSRF token in a
stored page are placeholders, filled with this request's fresh values on a hit
(the same values a fresh render would have used). Side effects a view leaves
for the header hook (the map's inline-style allowance) are replayed.

On by default outside testing (config RESPONSE_CACHE, or the environment
variable RESPONSE_CACHE=0/1); tests that rely on factories writing without an
audit entry would otherwise see pages of an earlier test.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from portal.core.shared_cache import SharedBytes, key_prefix
from portal.web.security import csp_nonce

NONCE = "\x00nonce\x00"
CSRF = "\x00csrf\x00"
CACHED_TYPES = ("text/html", "application/json", "application/geo+json")
SKIPPED_HEADERS = frozenset(h.lower() for h in (
    "Set-Cookie", "Content-Length", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
    "X-Frame-Options", "Permissions-Policy", "Strict-Transport-Security", "ETag", "Cache-Control",
    "X-Query-Count", "X-Page-Cache"))
HEADER = "X-Page-Cache"


@dataclass
class Entry:
    body: str
    status: int
    headers: list[tuple[str, str]]
    inline_styles: bool


class PageCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.version: str | None = None
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: str, key: str) -> Entry | None:
        with self.lock:
            if version != self.version:
                self.entries.clear()
                self.size, self.version = 0, version
                return None
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, version: str, key: str, entry: Entry) -> None:
        cost = len(entry.body)
        if cost > self.max_bytes // 4:  # one page at most a quarter of the cache
            return
        with self.lock:
            if version != self.version:
                return
            old = self.entries.pop(key, None)
            self.size += cost - (len(old.body) if old else 0)
            self.entries[key] = entry
            while self.size > self.max_bytes and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)


def page_key(version: str) -> str:
    session_cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    parts = [current_app.config["CODE_FINGERPRINT"], version, request.host, request.full_path,
             datetime.now(UTC).date().isoformat(), request.headers.get("Accept", ""),
             request.headers.get("Accept-Language", "")]
    parts += sorted(f"{k}={v}" for k, v in request.headers.items() if k.lower().startswith("hx-"))
    parts += sorted(f"{k}={v}" for k, v in request.cookies.items() if k != session_cookie)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class SharedCache(SharedBytes):
    """The pages in Redis: one key per page, with an expiry."""

    what = "page cache"

    def get(self, key: str) -> Entry | None:
        raw = self.get_bytes(key)
        return decode(raw) if raw is not None else None

    def put(self, key: str, entry: Entry) -> None:
        self.put_bytes(key, encode(entry))


def encode(entry: Entry) -> bytes:
    head = json.dumps({"status": entry.status, "headers": entry.headers, "inline_styles": entry.inline_styles})
    return zlib.compress(head.encode() + b"\n" + entry.body.encode(), 1)


def decode(raw: bytes) -> Entry | None:
    try:
        head, _, body = zlib.decompress(raw).partition(b"\n")
        meta = json.loads(head)
        return Entry(body.decode(), int(meta["status"]), [(str(k), str(v)) for k, v in meta["headers"]],
                     bool(meta["inline_styles"]))
    except (zlib.error, ValueError, KeyError, TypeError):
        return None  # written by other code: render again


def _shared() -> SharedCache | None:
    config = current_app.config
    url = config.get("REDIS_URL")
    if not url or not config.get("RESPONSE_CACHE_SHARED", True):
        return None
    made_for = (url, config.get("RESPONSE_CACHE_PREFIX"))
    shared = current_app.extensions.get("page_cache_shared")
    if shared is None or shared.made_for != made_for:
        shared = current_app.extensions["page_cache_shared"] = SharedCache(
            url, shared_prefix(), int(config["RESPONSE_CACHE_TTL"]), int(config["RESPONSE_CACHE_MAX_BYTES"]) // 4)
        shared.made_for = made_for
    return shared


def shared_prefix() -> str:
    return current_app.config.get("RESPONSE_CACHE_PREFIX") or key_prefix(current_app.config, "page")


def _cache() -> PageCache | None:
    if not current_app.config.get("RESPONSE_CACHE"):
        return None
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        cache = current_app.extensions["page_cache"] = PageCache(current_app.config["RESPONSE_CACHE_MAX_BYTES"])
    return cache


def lookup(version: str) -> Response | None:
    """The stored page for this request, with fresh secrets, or None (and remember the key)."""
    cache = _cache()
    if cache is None:
        return None
    key = page_key(version)
    entry, source = cache.get(version, key), "hit"
    if entry is None:
        shared = _shared()
        entry, source = (shared.get(key) if shared is not None else None), "hit-shared"
        if entry is not None:
            cache.put(version, key, entry)
    if entry is None:
        g.page_cache_slot = (version, key)
        return None

    body = entry.body.replace(NONCE, csp_nonce())
    if CSRF in body:
        body = body.replace(CSRF, generate_csrf())
    if entry.inline_styles:
        g.csp_allow_inline_styles = True
    response = Response(body, status=entry.status)
    for name, value in entry.headers:
        response.headers.add(name, value)
    response.headers[HEADER] = source
    return response


def store(response: Response) -> None:
    """Keep a fresh public page. Not when the view changed the session: a hit
    would not repeat that."""
    slot = g.pop("page_cache_slot", None)
    cache = _cache()
    if slot is None or cache is None:
        return
    response.headers[HEADER] = "miss"
    if response.status_code != 200 or response.direct_passthrough or session.modified:
        return
    if response.mimetype not in CACHED_TYPES or "Cache-Control" in response.headers:
        return
    body = response.get_data(as_text=True)
    nonce = g.get("csp_nonce")
    if nonce:
        body = body.replace(nonce, NONCE)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token, CSRF)
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS]
    entry = Entry(body, response.status_code, headers, bool(g.get("csp_allow_inline_styles")))
    cache.put(slot[0], slot[1], entry)
    shared = _shared()
    if shared is not None:
        shared.put(slot[1], entry)


def init_app(app: Flask) -> None:
    env = os.environ.get("RESPONSE_CACHE")
    app.config.setdefault("RESPONSE_CACHE", env == "1" if env in ("0", "1") else not app.testing)
    app.config.setdefault("RESPONSE_CACHE_MAX_BYTES", 16 * 1024 * 1024)  # per worker
    app.config.setdefault("RESPONSE_CACHE_TTL", int(os.environ.get("RESPONSE_CACHE_TTL") or 3600))
    app.config.setdefault("RESPONSE_CACHE_PREFIX", os.environ.get("RESPONSE_CACHE_PREFIX") or None)
