"""Security headers: a nonce-based CSP and the usual hardening headers."""
from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

HOST_SESSION_COOKIE = "__Host-session"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def relax_inline_styles() -> None:
    """Only the map page calls this: folium writes inline styles."""
    g.csp_allow_inline_styles = True


@functools.lru_cache(maxsize=8)
def _img_src(tile_url: str | None) -> str:
    """The CSP's img-src: the map tiles' origin besides our own (parsed once per value)."""
    img_src = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        img_src += f" {parts.scheme}://{parts.netloc}"
    return img_src


def _refuse_nul_characters():
    """A NUL character is never valid text, and PostgreSQL cannot even store
    it (it would be a 500). In the path or the query string it is refused up
    front with a 400. A form body is not refused here: its fields pass the
    input boundary of the forms (portal/forms/boundary.py), which answers
    with a Dutch message at the field; a JSON body never reaches a form
    (portal/web/request_bodies.py)."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        abort(400)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_refuse_nul_characters)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        nonce = csp_nonce()
        style_src = "'self'"
        if g.get("csp_allow_inline_styles"):
            style_src += " 'unsafe-inline'"
        img_src = _img_src(app.config.get("MAP_TILE_URL"))
        policy = "; ".join([
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src {style_src}",
            f"img-src {img_src}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ])
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        if app.config.get("BEHIND_HTTPS") or request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Decided from the session, not current_user: loading the user needs
        # the database, and this also runs on the 503 page when it is down.
        if request.endpoint != "static" and "Cache-Control" not in response.headers and session.get("_user_id"):
            response.headers["Cache-Control"] = "private, no-store"
        return response

    if app.config.get("BEHIND_HTTPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config.get("SESSION_COOKIE_SECURE"):
        # ASVS 3.4.4: a __Host- cookie is only accepted by the browser when it is
        # Secure, has Path=/ and no Domain, so no subdomain (or plain-HTTP
        # page) can set or overwrite it. Over plain HTTP the browser would
        # refuse it: the plain name stays there. Everything that reads the
        # cookie by name reads SESSION_COOKIE_NAME.
        app.config["SESSION_COOKIE_NAME"] = HOST_SESSION_COOKIE
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
