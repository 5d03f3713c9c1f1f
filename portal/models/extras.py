"""Database objects that Alembic autogenerate cannot describe (full-text search
indexes and triggers). The initial migration calls create_extras() at the end
of upgrade(); each area adds its own objects here, for SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy.engine import Connection

_CREATORS: list = []


def register(creator) -> None:
    """creator(connection, dialect_name) creates the objects; idempotent."""
    _CREATORS.append(creator)


def create_extras(bind: Connection) -> None:
    """Every registered creator; importing this module imports the models
    package first, whose modules register theirs."""
    for creator in _CREATORS:
        creator(bind, bind.dialect.name)
