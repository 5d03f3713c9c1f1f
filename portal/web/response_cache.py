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
The response header X-Page-Cache says hit (memory), hit-shared (Redis),
hit-waited (rendered meanwhile by another thread of the process) or miss.

Per-response secrets are not shared: the CSP nonce and the CSRF token in a
stored page are placeholders, filled with this request's fresh values on a hit
(the same values a fresh render would have used). Side effects a view leaves
for the header hook (the map's inline-style allowance) are replayed.

A hit costs the same whatever the page's size. An entry keeps the body as UTF-8
pieces between the placeholders, and the same pieces gzip-compressed once, each
on its own (a full flush between them, so no back-reference crosses a secret).
A client that accepts gzip gets those pieces with this request's secrets as
stored deflate blocks in between, and the CRC of the whole (`gzip_body`): the
same bytes, decompressed, as the identity body, which the other clients get.

On by default outside testing (config RESPONSE_CACHE, or the environment
variable RESPONSE_CACHE=0/1); tests that rely on factories writing without an
audit entry would otherwise see pages of an earlier test.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import struct
import threading
import zlib
from array import array
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


# The gzip header (no name, no time, unknown OS), an empty final deflate block.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
LAST_BLOCK = b"\x03\x00"
_PLACEHOLDERS = re.compile(f"({re.escape(NONCE)}|{re.escape(CSRF)})")


@dataclass
class Entry:
    """A stored page: `pieces` (UTF-8) with a secret between each two, named by
    `holes` (NONCE or CSRF); `packed` the pieces raw-deflated, each ending on a
    byte boundary with nothing referring back past its start."""
    pieces: tuple[bytes, ...]
    holes: tuple[str, ...]
    packed: tuple[bytes, ...]
    sums: tuple[tuple[int, array | None], ...]  # per piece its CRC-32, and for a large one its shift
    status: int
    headers: list[tuple[str, str]]
    inline_styles: bool

    @classmethod
    def make(cls, body: str, status: int, headers: list[tuple[str, str]], inline_styles: bool) -> Entry:
        """From a body whose secrets are already placeholders."""
        split = _PLACEHOLDERS.split(body)
        pieces = tuple(text.encode() for text in split[0::2])
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = tuple(compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH) for piece in pieces)
        sums = tuple((zlib.crc32(piece), _crc_shift(len(piece)) if i and len(piece) >= _SHIFT_FROM else None)
                     for i, piece in enumerate(pieces))
        return cls(pieces, tuple(split[1::2]), packed, sums, status, headers, inline_styles)

    @property
    def body(self) -> str:
        """The body with its placeholders (what Redis keeps)."""
        text = [self.pieces[0].decode()]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            text += [hole, piece.decode()]
        return "".join(text)

    @property
    def size(self) -> int:
        return (sum(map(len, self.pieces)) + sum(map(len, self.packed))
                + sum(4 * len(shift) for _, shift in self.sums if shift is not None))

    def identity_body(self, secrets: dict[str, bytes]) -> bytes:
        if not self.holes:
            return self.pieces[0]
        out = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            out += [secrets[hole], piece]
        return b"".join(out)

    def gzip_body(self, secrets: dict[str, bytes]) -> bytes:
        out = [GZIP_HEADER, self.packed[0]]
        crc = self.sums[0][0]
        length = len(self.pieces[0])
        for hole, piece, packed, (piece_crc, shift) in zip(
                self.holes, self.pieces[1:], self.packed[1:], self.sums[1:], strict=True):
            secret = secrets[hole]  # a few dozen bytes: one stored (uncompressed) deflate block
            out += [b"\x00", struct.pack("<HH", len(secret), len(secret) ^ 0xFFFF), secret, packed]
            crc = zlib.crc32(secret, crc)
            if shift is None:
                crc = zlib.crc32(piece, crc)
            else:  # crc32(piece, crc) without reading the piece again
                crc = (shift[crc & 0xFF] ^ shift[256 + (crc >> 8 & 0xFF)] ^ shift[512 + (crc >> 16 & 0xFF)]
                       ^ shift[768 + (crc >> 24)] ^ piece_crc)
            length += len(secret) + len(piece)
        out += [LAST_BLOCK, struct.pack("<II", crc, length & 0xFFFFFFFF)]
        return b"".join(out)


_SHIFT_FROM = 8192  # smaller pieces are cheaper to checksum again than their table is to keep


def _crc_shift(length: int) -> array:
    """CRC-32 is linear: crc32(piece, c) == shift(c) ^ crc32(piece), where shift
    (multiplying by x^(8 * length)) depends on the length alone. Its table, a
    byte of c at a time (4 x 256 values): built from the 32 single bits."""
    zeros = bytes(length)
    base = zlib.crc32(zeros)
    bits = [zlib.crc32(zeros, 1 << n) ^ base for n in range(32)]
    table = array("I", bytes(4 * 1024))
    for part in range(4):
        for value in range(1, 256):
            low = value & -value
            table[256 * part + value] = table[256 * part + (value ^ low)] ^ bits[8 * part + low.bit_length() - 1]
    return table


class PageCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.version: str | None = None
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.renders: dict[str, threading.Event] = {}  # page key -> set when its render has ended

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
        cost = entry.size
        if cost > self.max_bytes // 4:  # one page at most a quarter of the cache
            return
        with self.lock:
            if version != self.version:
                return
            old = self.entries.pop(key, None)
            self.size += cost - (old.size if old else 0)
            self.entries[key] = entry
            while self.size > self.max_bytes and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= dropped.size


def page_key(version: str) -> str:
    session_cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    parts = [current_app.config["CODE_FINGERPRINT"], version, request.host, request.full_path,
             datetime.now(UTC).date().isoformat(), request.headers.get("Accept", ""),
             request.headers.get("Accept-Language", "")]
    parts += hx_headers()
    parts += sorted(f"{k}={v}" for k, v in request.cookies.items() if k != session_cookie)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def hx_headers() -> list[str]:
    """Every HX-* request header (htmx: page or fragment, target), read from the
    WSGI environ (cheaper than the parsed headers; both keys use them)."""
    return sorted(f"{k}={v}" for k, v in request.environ.items() if k.startswith("HTTP_HX_"))


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
        return Entry.make(body.decode(), int(meta["status"]), [(str(k), str(v)) for k, v in meta["headers"]],
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
        entry, source = _render_or_wait(cache, version, key), "hit-waited"
        if entry is None:
            g.page_cache_slot = (version, key)
            return None

    if entry.inline_styles:
        g.csp_allow_inline_styles = True
    secrets = _secrets(entry)
    if g.get("page_gzip"):
        response = Response(entry.gzip_body(secrets), status=entry.status)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(entry.identity_body(secrets), status=entry.status)
    for name, value in entry.headers:
        response.headers.add(name, value)
    if g.get("page_gzip"):
        response.vary.add("Accept-Encoding")
    response.headers[HEADER] = source
    return response


def _render_or_wait(cache: PageCache, version: str, key: str) -> Entry | None:
    """After a write every worker misses each page at once, and so does every
    thread of a worker that a burst of visitors reaches: one thread renders a
    page (its key names the version), the others of the process wait for it
    and answer from its entry. None: this request renders (the first, or the
    first's page was not kept: it set a cookie, failed, or took longer than
    RESPONSE_CACHE_WAIT seconds; 0 turns the waiting off)."""
    wait = float(current_app.config.get("RESPONSE_CACHE_WAIT") or 0)
    if wait <= 0:
        return None
    with cache.lock:
        running = cache.renders.get(key)
        if running is None:
            cache.renders[key] = threading.Event()
            g.page_cache_render = key
            return None
    if not running.wait(wait):
        return None
    return cache.get(version, key)


def render_ended() -> None:
    """The page this request rendered is stored, or will not be: wake the requests waiting for it."""
    key = g.pop("page_cache_render", None)
    cache = _cache() if key is not None else None
    if cache is None:
        return
    with cache.lock:
        running = cache.renders.pop(key, None)
    if running is not None:
        running.set()


def _secrets(entry: Entry) -> dict[str, bytes]:
    """This request's values for the entry's placeholders (the same a fresh render would use)."""
    secrets = {NONCE: csp_nonce().encode()}
    if CSRF in entry.holes:
        secrets[CSRF] = generate_csrf().encode()
    return secrets


def accepts_gzip() -> bool:
    header = request.environ.get("HTTP_ACCEPT_ENCODING", "")
    if "gzip" not in header and "*" not in header:
        return False
    # Browsers send a plain list ("gzip, deflate, br, zstd"); only q-values need the parser.
    return ";" not in header or request.accept_encodings["gzip"] > 0


def compress(response: Response, entry: Entry | None) -> None:
    """Send a public page gzip-compressed: from the entry stored for it just now,
    else compressed here. Only the types the cache keeps, so that whether a page
    is compressed depends on the page and the request alone (the ETag says which)."""
    if (response.direct_passthrough or "Content-Encoding" in response.headers
            or response.mimetype not in CACHED_TYPES):
        return
    if entry is not None:
        response.set_data(entry.gzip_body(_secrets(entry)))
    else:
        response.set_data(gzip.compress(response.get_data(), 6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")


def store(response: Response) -> Entry | None:
    """Keep a fresh public page. Not when the view changed the session: a hit
    would not repeat that. Returns the entry kept, if any."""
    slot = g.pop("page_cache_slot", None)
    cache = _cache()
    if slot is None or cache is None:
        return None
    response.headers[HEADER] = "miss"
    if response.status_code != 200 or response.direct_passthrough or session.modified:
        return None
    if response.mimetype not in CACHED_TYPES or "Cache-Control" in response.headers:
        return None
    body = response.get_data(as_text=True)
    nonce = g.get("csp_nonce")
    if nonce:
        body = body.replace(nonce, NONCE)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token, CSRF)
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS]
    entry = Entry.make(body, response.status_code, headers, bool(g.get("csp_allow_inline_styles")))
    cache.put(slot[0], slot[1], entry)
    render_ended()
    shared = _shared()
    if shared is not None:
        shared.put(slot[1], entry)
    return entry


def init_app(app: Flask) -> None:
    env = os.environ.get("RESPONSE_CACHE")
    app.config.setdefault("RESPONSE_CACHE", env == "1" if env in ("0", "1") else not app.testing)
    app.config.setdefault("RESPONSE_CACHE_MAX_BYTES", 16 * 1024 * 1024)  # per worker
    app.config.setdefault("RESPONSE_CACHE_WAIT", float(os.environ.get("RESPONSE_CACHE_WAIT") or 10))
    app.teardown_request(lambda _error: render_ended())  # also when the page was not stored, or failed
    app.config.setdefault("RESPONSE_CACHE_TTL", int(os.environ.get("RESPONSE_CACHE_TTL") or 3600))
    app.config.setdefault("RESPONSE_CACHE_PREFIX", os.environ.get("RESPONSE_CACHE_PREFIX") or None)
