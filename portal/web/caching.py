"""Conditional requests for public pages, correct across app instances.

An anonymous GET of a public page carries an ETag derived from:
- the data version kept in the database (core/data_version.py; every audited
  write bumps it inside the same transaction, see core/audit.record), so a
  second instance sharing the database never answers 304 for stale data;
- the session's CSRF secret (the page embeds a token bound to it);
- the host and full URL (path and query string), every HX-* header (page or
  fragment, target) and Accept, whether the client accepts gzip (such a
  client gets the page gzip-compressed: another representation), the identity class
  (only anonymous requests are cached; logged-in pages stay "private,
  no-store"), the day (pages may show "today") and a fingerprint of the
  code and templates (a deploy never serves an old page).

If-None-Match with a matching tag answers 304 before the view runs: one
cheap query (the data version: a sum over a few rows).

The CSP nonce: a page's scripts carry a per-response nonce. The ETag carries
that nonce after the hash, and a 304 sends the CSP header with the nonce of
the copy the client already holds (taken from its own If-None-Match), so the
cached body and the policy always match. Only the hash decides freshness.
"""
from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from sqlalchemy.engine import Engine

from portal.core import aggregates, data_version
from portal.extensions import db
from portal.web import public_reads, query_count, response_cache
from portal.web.security import csp_nonce

# Blueprints whose pages are never cached (forms with CSRF tokens, accounts).
UNCACHED_BLUEPRINTS = frozenset({"auth", "admin"})
UNCACHED_ENDPOINTS = frozenset({"static", "main.healthz"})
_TAG = re.compile(r'(?:W/)?"pv1\.([0-9a-f]{24})\.([A-Za-z0-9_-]{8,64})"')


def read_data_version() -> str:
    """The current data version, before any data is read: on a pooled connection
    of its own while the request's session has not started (a hit then never
    starts it), else on the session's connection (also where a test binds the
    session to its own transaction). Read once: kept aggregates of the same
    request use it too."""
    session = db.session()
    bind = session.get_bind()
    if isinstance(bind, Engine) and not session.in_transaction():
        version = data_version.read_now(bind)
        if version is not None:
            query_count.add()
            aggregates.adopt_request_version(session, version)
            return version
    return aggregates.read_request_version(session)


def code_fingerprint(root: Path | None = None) -> str:
    """A hash of the Python code, templates and static files: changes on deploy."""
    root = root or Path(__file__).resolve().parent.parent  # portal/
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js", ".svg") and path.is_file() \
                and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cacheable_request() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    endpoint = request.endpoint or ""
    if not endpoint or endpoint in UNCACHED_ENDPOINTS or endpoint.split(".")[0] in UNCACHED_BLUEPRINTS:
        return False
    if request.authorization is not None or "_flashes" in session:
        return False
    return not current_user.is_authenticated


def _page_hash(version: str, coding: str) -> str:
    parts = (
        current_app.config["CODE_FINGERPRINT"], version, request.host, request.full_path,
        *response_cache.hx_headers(),
        request.headers.get("Accept", ""), coding, "anonymous", datetime.now(UTC).date().isoformat(),
        # The page embeds a CSRF token bound to this session's secret.
        session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), ""),
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


def _client_tags() -> list[tuple[str, str]]:
    header = request.headers.get("If-None-Match", "")
    return _TAG.findall(header) if header else []


def init_app(app: Flask) -> None:
    query_count.init_app(app)  # first: its counter starts before the data-version read
    response_cache.init_app(app)
    public_reads.init_app(app)
    app.config.setdefault("CODE_FINGERPRINT", code_fingerprint())
    # Off under TESTING (unless asked): tests write with factories, without
    # the audit entry that bumps the data version, and a browser would get 304s.
    env = os.environ.get("CONDITIONAL_REQUESTS")
    app.config.setdefault("CONDITIONAL_REQUESTS", env == "1" if env in ("0", "1") else not app.testing)

    @app.before_request
    def answer_not_modified():
        g.pop("page_hash", None)
        g.pop("page_gzip", None)
        g.pop("page_cache_slot", None)
        g.pop("csp_allow_inline_styles", None)  # per request (tests share one app context)
        conditional = app.config["CONDITIONAL_REQUESTS"]
        if not (conditional or public_reads.available(app)) or not _cacheable_request():
            return None
        if conditional:
            version = read_data_version()
            g.page_gzip = response_cache.accepts_gzip()
            g.page_hash = _page_hash(version, "gzip" if g.page_gzip else "identity")
            for page_hash, nonce in _client_tags():
                if page_hash == g.page_hash:
                    g.csp_nonce = nonce  # the nonce of the copy the client holds
                    response = Response(status=304)
                    _set_cache_headers(response, f'"pv1.{page_hash}.{nonce}"')
                    return response
            hit = response_cache.lookup(version)
            if hit is not None:
                return hit
        # The page is rendered: an anonymous public read, without a transaction where that saves round trips.
        if public_reads.available(app):
            public_reads.begin_without_transaction()
        return None

    @app.after_request
    def tag_public_page(response: Response) -> Response:
        page_hash = g.pop("page_hash", None)
        if page_hash is None or response.status_code != 200 or response.direct_passthrough:
            return response
        entry = response_cache.store(response)
        if g.pop("page_gzip", False):
            response_cache.compress(response, entry)
        if "Cache-Control" in response.headers or "Set-Cookie" in response.headers or session.modified:
            return response  # the view decided itself, or the page started a session
        _set_cache_headers(response, f'"pv1.{page_hash}.{csp_nonce()}"')
        return response


def _set_cache_headers(response: Response, etag: str) -> None:
    response.headers["ETag"] = etag
    # Stored, but always revalidated: a write is visible on the next request.
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "HX-Request", "Accept-Encoding"))
