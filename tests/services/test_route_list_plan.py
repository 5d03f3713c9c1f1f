"""The route list's default order on PostgreSQL comes from an index: a page
of 25 reads 25 index entries, not every visible route sorted (which grows
with the country). PostgreSQL does not take `archived_at IS NULL` as fixing
the first column of ix_learning_routes_title_order, so a partial index of
the visible routes serves it (models/route.create_title_order_index)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from portal.services.learning_routes import listing
from portal.services.learning_routes.filters import visibility_clause


def _plan(session, statement) -> str:
    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return "\n".join(row[0] for row in session.execute(text("EXPLAIN " + sql)))


def test_a_page_of_the_public_list_in_title_order_is_read_from_an_index(db_session):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite walks ix_learning_routes_title_order itself")
    # A test database is small: make the planner show what it can do, not what it prefers for 10 rows.
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    db_session.execute(text("SET LOCAL enable_sort = off"))
    page = (select(*listing.ROW_COLUMNS).where(visibility_clause(None))
            .order_by(*listing.SORTS[listing.DEFAULT_SORT][1]()).limit(25))
    plan = _plan(db_session, page)
    assert "ix_learning_routes_title_order_visible" in plan, plan
    assert "Sort" not in plan, plan  # the index gives the order: nothing sorted
    # The control: without the partial index the same page sorts every visible route.
    db_session.execute(text("DROP INDEX ix_learning_routes_title_order_visible"))
    assert "Sort" in _plan(db_session, page)
