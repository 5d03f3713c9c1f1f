"""A set of ids read once and used in several statements, bound as ONE
parameter.

`column.in_(python_list)` binds one parameter per id: SQLAlchemy expands
them into the statement text at every execution (about 4 ms for 1,000 ids,
per statement), and the statement text differs with the number of ids. A
subquery instead makes the database derive the set again in every statement.
An id set passes the list as a single value the database unpacks itself: a
JSON array read by json_each in SQLite, an integer array unnested in
PostgreSQL. The statement text stays the same whatever the number of ids, so
a statement can even be built once with a named parameter (id_set_parameter)
and run with each request's ids (id_set_value).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, Integer, Select, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def id_set(session: Session, ids: Iterable[int]) -> Select[tuple[int]]:
    """The given integer ids, for `column.in_(...)`: a SELECT that binds them
    as one (anonymous) parameter."""
    dialect = session.get_bind().dialect.name
    return _unpack(dialect, bindparam(None, id_set_value(dialect, ids), type_=_type(dialect)))


def id_set_parameter(dialect: str, name: str) -> Select[tuple[int]]:
    """A SELECT of the ids given at execution as parameter `name` (made by
    id_set_value), for statements built once."""
    return _unpack(dialect, bindparam(name, type_=_type(dialect)))


def id_set_value(dialect: str, ids: Iterable[int]) -> str | list[int]:
    """The value of an id set's parameter."""
    values = [int(i) for i in ids]
    return values if dialect == "postgresql" else json.dumps(values)


def _type(dialect: str) -> TypeEngine[Any] | type[TypeEngine[Any]]:
    if dialect == "postgresql":
        return ARRAY(Integer)
    if dialect == "sqlite":
        return String
    raise NotImplementedError(f"id sets on {dialect}")


def _unpack(dialect: str, parameter: BindParameter[Any]) -> Select[tuple[int]]:
    if dialect == "postgresql":
        return select(func.unnest(parameter))
    return select(func.json_each(parameter).table_valued("value").c.value)
