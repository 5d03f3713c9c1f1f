"""The library's full-text index objects, which Alembic autogenerate cannot
describe: an FTS5 table on SQLite, a table with generated tsvectors and a GIN
index on PostgreSQL (how they are queried: services/practices/search.py).
Created at the end of the initial migration through models.extras."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from portal.models.extras import register


def create_search_objects(connection: Connection, dialect: str) -> None:
    if dialect == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS practice_fts USING fts5("
            "title, summary, body, extra, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5')"
        )
    elif dialect == "postgresql":
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS practice_search ("
            " practice_id integer PRIMARY KEY REFERENCES good_practices(id) ON DELETE CASCADE,"
            " title text NOT NULL DEFAULT '',"
            " summary text NOT NULL DEFAULT '',"
            " body text NOT NULL DEFAULT '',"
            " extra text NOT NULL DEFAULT '',"
            " document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('dutch', title), 'A') ||"
            "  setweight(to_tsvector('dutch', summary), 'B') ||"
            "  setweight(to_tsvector('dutch', extra), 'B') ||"
            "  setweight(to_tsvector('dutch', body), 'C')) STORED,"
            # Ranking reads this small vector (no body, never TOASTed): ts_rank
            # on the full one would detoast every matching body.
            " rank_document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('dutch', title), 'A') ||"
            "  setweight(to_tsvector('dutch', summary), 'B') ||"
            "  setweight(to_tsvector('dutch', extra), 'B')) STORED)"
        )
        connection.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_practice_search_document "
            "ON practice_search USING GIN (document)"
        )


register(create_search_objects)
