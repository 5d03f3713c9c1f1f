"""The regional portal for doorlopende leerroutes vmbo-mbo."""
from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.routing import IntegerConverter

from portal import models  # noqa: F401  (registers every table with the metadata)
from portal.cli import register_cli
from portal.config import DEV_SECRET_KEY, INSTANCE_DIR, Config
from portal.core import aggregates
from portal.extensions import csrf, db, login_manager
from portal.web import auth_session, caching, errors, request_bodies, security, templating, uploads
from portal.web.flask_app import PortalFlask

# (module under portal.routes, attribute): each area's blueprint; importing the
# module runs its package's __init__, which imports the view modules.
BLUEPRINTS = (
    ("main", "bp"), ("auth", "bp"), ("admin", "bp"),
    ("learning_routes.blueprint", "bp"), ("learning_routes.blueprint", "rio_bp"), ("agreements.blueprint", "bp"),
    ("coverage.blueprint", "maps_bp"), ("coverage.blueprint", "regions_bp"), ("coverage.blueprint", "profiles_bp"),
    ("practices.blueprint", "bp"), ("api.blueprint", "bp"),
    ("offer.blueprint", "bp"), ("institutions.blueprint", "bp"),
    ("organisations.blueprint", "bp"), ("organisations.blueprint", "admin_bp"),
    ("search.blueprint", "bp"),
    ("notifications.blueprint", "bp"), ("todo.blueprint", "bp"),
    ("monitoring.blueprint", "targets_bp"), ("monitoring.blueprint", "monitoring_bp"),
    ("plans.blueprint", "bp"), ("outcomes.blueprint", "bp"), ("imports.blueprint", "bp"),
)


class InsecureConfiguration(RuntimeError):
    pass


class _IdConverter(IntegerConverter):
    """<int:...> with an upper bound (PostgreSQL integer; SQLite overflows above int64)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  werkzeug's signature
        kwargs.setdefault("max", 2_147_483_647)
        super().__init__(map, *args, **kwargs)


def create_app(config: type[Config] | dict | None = None, *, migrations: bool = True) -> Flask:
    """The app. `migrations=False` (wsgi.py: the web workers) leaves Flask-Migrate,
    and with it Alembic (some 11 MB per worker), unloaded until `flask db …` is run."""
    app = PortalFlask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    _check_secret_key(app)
    _check_base_url(app)
    os.makedirs(app.instance_path, exist_ok=True)


    db.init_app(app)
    aggregates.init_app(app)
    if migrations:
        init_migrations(app)
    else:
        app.cli.add_command(_DeferredMigrationCommands(app))
    request_bodies.init_app(app)  # before CSRF: a JSON body gets 415, not a CSRF error
    csrf.init_app(app)
    login_manager.init_app(app)

    auth_session.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    caching.init_app(app)
    uploads.init_app(app)

    # Ids in URLs fit a database integer: a larger number is a 404, not a 500.
    app.url_map.converters["int"] = _IdConverter

    for name, attribute in BLUEPRINTS:
        module = importlib.import_module(f"portal.routes.{name}")
        app.register_blueprint(getattr(module, attribute))

    errors.init_app(app)

    register_cli(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def init_migrations(app: Flask) -> None:
    """Flask-Migrate on this app (`app.extensions["migrate"]`, the `flask db` commands); once."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate  # noqa: PLC0415  (Alembic: 11 MB a web worker never needs)
    Migrate().init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)


class _DeferredMigrationCommands(click.Group):
    """`flask db …` on an app made with migrations=False: Flask-Migrate is set up
    when the group is invoked, and its own group (options, commands) takes over."""

    def __init__(self, app: Flask):
        super().__init__("db", help="Perform database migrations.")
        self._app = app

    def _group(self) -> click.Group:
        init_migrations(self._app)
        from flask_migrate.cli import db as commands  # noqa: PLC0415  (see init_migrations)
        return commands

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._group().get_command(ctx, cmd_name)


def _migrations_dir():
    return Path(__file__).resolve().parent.parent / "migrations"


def _check_secret_key(app: Flask) -> None:
    """Outside debug and testing, refuse to run with a missing or default key."""
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 16:
        raise InsecureConfiguration(
            "SECRET_KEY ontbreekt of is de standaardwaarde. Zet een lange willekeurige "
            "SECRET_KEY in de omgeving (bijvoorbeeld: python -c 'import secrets; "
            "print(secrets.token_hex(32))')."
        )


def _check_base_url(app: Flask) -> None:
    """PORTAL_BASE_URL, when set, is an absolute http(s) address without
    query, fragment or credentials; stored without a trailing slash."""
    value = (app.config.get("PORTAL_BASE_URL") or "").strip()
    if not value:
        app.config["PORTAL_BASE_URL"] = None
        return
    parts = urlsplit(value)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or parts.username or parts.password):
        raise InsecureConfiguration(
            f"PORTAL_BASE_URL '{value}' is geen geldig adres. Gebruik het volledige adres van de portal, "
            "bijvoorbeeld https://leerroutes.example.nl (zonder ?, # of inloggegevens)."
        )
    app.config["PORTAL_BASE_URL"] = value.rstrip("/")
