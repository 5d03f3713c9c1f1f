"""Bulk Core inserts for the generator, and its fixed clock."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Integer, Table, insert
from sqlalchemy.orm import Session

BASE = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def _filler(column):
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    return {str: "", int: 0, float: 0.0, bool: False, Decimal: Decimal(0), datetime: BASE,
            date: BASE.date(), dict: {}, list: []}.get(python_type)


def _complete(table: Table, rows: list[dict]) -> list[dict]:
    """Fill NOT NULL columns without a default that this generator does not
    know (a column another area added later) with a neutral value."""
    keys = rows[0].keys()
    extra = {}
    for column in table.columns:
        if (column.name in keys or column.nullable or column.default is not None
                or column.server_default is not None or column.computed is not None):
            continue
        if column.primary_key and isinstance(column.type, Integer) and len(table.primary_key.columns) == 1:
            continue
        extra[column.name] = _filler(column)
    if extra:
        rows = [{**extra, **row} for row in rows]
    return rows


def insert_rows(session: Session, table: Table | type, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Bulk insert; with ids=True return the new primary keys in row order."""
    table = getattr(table, "__table__", table)
    if not rows:
        return []
    rows = _complete(table, rows)
    if ids:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.execute(stmt, rows).scalars())
    session.execute(insert(table), rows)
    return []


def stamp(rng: random.Random, max_days: int = 1500) -> datetime:
    return BASE - timedelta(days=rng.randint(0, max_days), minutes=rng.randint(0, 1439))
