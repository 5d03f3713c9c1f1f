"""A set of ids read once and used in several statements, bound as ONE
parameter.

`column.in_(python_list)` binds one parameter per id: SQLAlchemy expands
them into the statement text at every execution (about 4 ms for 1,000 ids,
per statement), and the statement text differs with the number of ids. A
subquery instead makes the database derive the set again in every statement.
`id_set` passes the list as a single value the database unpacks itself: a
JSON array read by json_each in SQLite, an integer array unnested in
PostgreSQL. The statement text stays the same whatever the number of ids.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Integer, Select, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def id_set(session: Session, ids: Iterable[int]) -> Select | list[int]:
    """The given integer ids, for `column.in_(...)`: a SELECT that binds them
    as one parameter on SQLite and PostgreSQL (another database gets the list)."""
    values = [int(i) for i in ids]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return select(func.unnest(bindparam(None, values, type_=ARRAY(Integer))))
    if dialect == "sqlite":
        return select(func.json_each(bindparam(None, json.dumps(values), type_=String))
                      .table_valued("value").c.value)
    return values
