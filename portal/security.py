"""Security headers: a nonce-based CSP and the usual hardening headers."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request, session


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def relax_inline_styles() -> None:
    """Only the map page calls this: folium writes inline styles."""
    g.csp_allow_inline_styles = True


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        nonce = csp_nonce()
        style_src = "'self'"
        if g.get("csp_allow_inline_styles"):
            style_src += " 'unsafe-inline'"
        img_src = "'self' data:"
        tile_url = app.config.get("MAP_TILE_URL")
        if tile_url:
            parts = urlsplit(tile_url.replace("{s}", "a"))
            img_src += f" {parts.scheme}://{parts.netloc}"
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
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Decided from the session, not current_user: loading the user needs
            # the database, and this also runs on the 503 page when it is down.
            if session.get("_user_id"):
                response.headers["Cache-Control"] = "private, no-store"
        return response

    if app.config.get("BEHIND_HTTPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
