"""Opt-in SQL query counter: with config SQL_QUERY_COUNT_HEADER (or the
environment variable of that name set to 1) every response carries
X-Query-Count, the number of SQL statements the request ran. Used by the
benchmark; off by default."""
from __future__ import annotations

import os

from flask import Flask, Response, current_app, g, has_app_context
from sqlalchemy import event

from portal.extensions import db


def _count(_conn, _cursor, statement, *_args) -> None:
    # SQLite's explicit BEGIN (see extensions._configure_sqlite) is not a query.
    if has_app_context() and statement != "BEGIN":
        g.query_count = g.get("query_count", 0) + 1


def add(statements: int = 1) -> None:
    """Count statements run on a raw DBAPI connection (no SQLAlchemy event sees them)."""
    if has_app_context() and current_app.config.get("SQL_QUERY_COUNT_HEADER"):
        g.query_count = g.get("query_count", 0) + statements


def init_app(app: Flask) -> None:
    app.config.setdefault("SQL_QUERY_COUNT_HEADER", os.environ.get("SQL_QUERY_COUNT_HEADER") == "1")
    if not app.config["SQL_QUERY_COUNT_HEADER"]:
        return
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)

    @app.before_request
    def reset_query_count() -> None:
        g.query_count = 0

    @app.after_request
    def add_query_count(response: Response) -> Response:
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
