"""Settings from the environment. Defaults to SQLite under instance/."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR", BASE_DIR / "instance"))

# A key that must never be used outside debug/testing.
DEV_SECRET_KEY = "dev-insecure-change-me"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    # Accept the plain scheme many hosting platforms hand out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _default_data_dir() -> str | None:
    value = os.environ.get("PORTAL_DATA_DIR")
    if value:
        return value
    candidate = BASE_DIR.parent / "shared" / "data"
    return str(candidate) if candidate.is_dir() else None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # The start of every key the portal writes to Redis (several portals may share one Redis).
    REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX") or "portal:"
    LOGIN_THROTTLE_PREFIX = REDIS_KEY_PREFIX + "login-failures:"
    PORTAL_DATA_DIR = _default_data_dir()
    UPLOAD_DIR = os.environ.get("PORTAL_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # 10 MB files plus form overhead
    # Optional background tiles for the map (e.g. PDOK BRT); none by default.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL") or None
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Behind a TLS-terminating proxy set to 1 so Secure cookies and HSTS apply.
    BEHIND_HTTPS = os.environ.get("BEHIND_HTTPS", "0") == "1"
    # The portal's public address, e.g. https://leerroutes.example.nl: absolute
    # URLs (the OpenAPI document's server) come from here, never from the
    # request's Host or X-Forwarded-Host. Without it they are relative.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").strip() or None
    # Test-only switch: "deferred" makes SQLite start writing requests with a
    # plain BEGIN again (see extensions._takes_write_lock_at_start), so the
    # concurrency tests can show that they catch the 503s it gave. Never set
    # it in production.
    SQLITE_BEGIN = os.environ.get("PORTAL_SQLITE_BEGIN", "immediate").strip().lower()
    PAGE_SIZE = 25
    # Outgoing mail (notifications). Without MAIL_SERVER nothing is sent: the
    # notifications wait in the outbox and are listed at /account/meldingen.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip() or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25") or 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").strip().lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "").strip() or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "").strip() or "noreply@localhost"
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30") or 30)
    # TEST-ONLY switch: PORTAL_AGGREGATE_LOCKS=off skips the row lock every
    # write takes on its agreement, route or practice (core/locking.py), so
    # that the race tests' controls can show the race going wrong without it.
    # Never set it in production.
    AGGREGATE_LOCKS = os.environ.get("PORTAL_AGGREGATE_LOCKS", "on").strip().lower() not in ("off", "0", "false")
    TESTING = False
    DEBUG = os.environ.get("FLASK_DEBUG", "0") == "1"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False  # the CSRF tests switch it back on explicitly
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url() or "sqlite://"
