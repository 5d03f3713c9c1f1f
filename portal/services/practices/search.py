"""One full-text search interface for the library, two engines:

- SQLite: an FTS5 table `practice_fts` (rowid = practice id), unicode61 with
  diacritics removed and prefix indexes for 2-5 letters, ranked by bm25 with
  column weights; every word is matched as a prefix (FTS5 has no Dutch
  stemmer, so "docent" finds "docenten").
- PostgreSQL: a table `practice_search` with a generated tsvector in the
  'dutch' configuration (weights A title, B summary and extra, C body) and a
  GIN index for matching; ranked by ts_rank on a second, small vector without
  the body (cheap: no detoasting); words are stemmed prefixes.

The user's text is parsed by portal.domain.practices.parse_query into words,
phrases and OR-groups of letters and digits only, then compiled for the
engine and passed as a bound parameter: quotes, stars, OR and SQL fragments
give results or an empty list, never an error.

A result shows its summary with the hits marked (not a fragment of whichever
column matched best, which could be the list of tags). It comes back as plain
text with START/STOP (\x02/\x03) around the hits; the page HTML-escapes them and only then turns the markers into <mark>
(routes/practices/views.py, highlight), so indexed text can never inject
markup.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Float, Integer, bindparam, text
from sqlalchemy.orm import Session

from portal.domain.practices import SearchQuery, parse_query

START, STOP = "\x02", "\x03"


# --- query compilation ----------------------------------------------------------

def to_fts5(query: SearchQuery) -> str:
    groups = []
    for group in query.groups:
        parts = []
        for term in group:
            if term.is_phrase:
                parts.append('"' + " ".join(term.words) + '"')
            else:
                parts.append(f'"{term.words[0]}"*')
        groups.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(groups)


def to_tsquery(query: SearchQuery) -> str:
    groups = []
    for group in query.groups:
        parts = []
        for term in group:
            if term.is_phrase:
                parts.append("(" + " <-> ".join(f"'{w}'" for w in term.words) + ")")
            else:
                parts.append(f"'{term.words[0]}':*")
        groups.append("(" + " & ".join(parts) + ")")
    return " | ".join(groups)


@contextmanager
def index_first(session: Session):
    """On PostgreSQL, steer the planner to the GIN index for the statements
    inside: it underestimates a sequential scan, which detoasts every
    document (measured 56 ms against 5 ms at 5,000 practices). Transaction-
    local, and switched back right after. Not after an error: the
    transaction is rolled back (which undoes SET LOCAL), and a statement on a
    failed connection would hide the original error (a lost database must
    answer 503, not 500)."""
    if _dialect(session) != "postgresql":
        yield
        return
    driver = session.connection().connection.driver_connection
    if getattr(driver, "autocommit", False):
        # An anonymous read of a public page (web/public_reads.py) runs without a transaction, and SET LOCAL
        # would do nothing there: the block gets one of its own (BEGIN ... COMMIT, or ROLLBACK on an error).
        with driver.transaction():
            session.execute(text("SET LOCAL enable_seqscan = off"))
            yield
        return
    session.execute(text("SET LOCAL enable_seqscan = off"))
    yield
    session.execute(text("SET LOCAL enable_seqscan = on"))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- keeping the index in sync (the practices service calls these) --------------

def index_document(session: Session, practice_id: int, *, title: str, summary: str,
                   body: str, extra: str) -> None:
    values = {"id": practice_id, "title": index_text(title), "summary": index_text(summary),
              "body": index_text(body), "extra": index_text(extra)}
    if _dialect(session) == "postgresql":
        session.execute(text(
            "INSERT INTO practice_search (practice_id, title, summary, body, extra) "
            "VALUES (:id, :title, :summary, :body, :extra) "
            "ON CONFLICT (practice_id) DO UPDATE SET title = EXCLUDED.title, "
            "summary = EXCLUDED.summary, body = EXCLUDED.body, extra = EXCLUDED.extra"
        ), values)
    else:
        session.execute(text("DELETE FROM practice_fts WHERE rowid = :id"), {"id": practice_id})
        session.execute(text(
            "INSERT INTO practice_fts (rowid, title, summary, body, extra) "
            "VALUES (:id, :title, :summary, :body, :extra)"
        ), values)


def remove_document(session: Session, practice_id: int) -> None:
    table, key = (("practice_search", "practice_id") if _dialect(session) == "postgresql"
                  else ("practice_fts", "rowid"))
    session.execute(text(f"DELETE FROM {table} WHERE {key} = :id"), {"id": practice_id})


def index_text(value: str | None) -> str:
    # The snippet markers must never occur in indexed text; NUL breaks PostgreSQL.
    return (value or "").replace(START, " ").replace(STOP, " ").replace("\x00", " ")


# --- querying -------------------------------------------------------------------

def match_cte(session: Session, query: SearchQuery | str, ranked: bool = True):
    """A MATERIALIZED CTE (practice_id, rank) of the matching documents, lower
    rank is better (0 for all when not ranked); None when the query has no
    words (then everything matches). Materialized so the engine runs the
    full-text search once per statement: SQLite would otherwise rerun FTS5
    for every row of the table it is joined with."""
    if isinstance(query, str):
        query = parse_query(query)
    if query.is_empty:
        return None
    if _dialect(session) == "postgresql":
        rank = "-ts_rank(rank_document, to_tsquery('dutch', :q))" if ranked else "0.0"
        sql = text(
            f"SELECT practice_id, {rank} AS rank "
            "FROM practice_search WHERE document @@ to_tsquery('dutch', :q)"
        ).bindparams(q=to_tsquery(query))
    else:
        rank = "bm25(practice_fts, 10.0, 4.0, 1.0, 3.0)" if ranked else "0.0"
        sql = text(
            f"SELECT rowid AS practice_id, {rank} AS rank FROM practice_fts WHERE practice_fts MATCH :q"
        ).bindparams(q=to_fts5(query))
    name = "fts_ranked" if ranked else "fts"
    return sql.columns(practice_id=Integer, rank=Float).cte(name).prefix_with("MATERIALIZED")


def snippets(session: Session, query: SearchQuery | str, ids: list[int]) -> dict[int, str]:
    """The summaries of the given practices with the query's hits between
    START and STOP: plain text, not HTML (escape before use). A practice that
    matched elsewhere (body, tags) gets its summary without marks."""
    if isinstance(query, str):
        query = parse_query(query)
    if query.is_empty or not ids:
        return {}
    if _dialect(session) == "postgresql":
        sql = text(
            "SELECT practice_id, ts_headline('dutch', summary, to_tsquery('dutch', :q), :options) "
            "FROM practice_search WHERE practice_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        params = {"q": to_tsquery(query), "ids": list(ids),
                  "options": f"StartSel={START}, StopSel={STOP}, HighlightAll=true"}
    else:
        # Column 1 of practice_fts is the summary.
        sql = text(
            "SELECT rowid, highlight(practice_fts, 1, char(2), char(3)) "
            "FROM practice_fts WHERE practice_fts MATCH :q AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        params = {"q": to_fts5(query), "ids": list(ids)}
    # By id: no full-text match to steer to the index (index_first) in PostgreSQL.
    return {row[0]: row[1] or "" for row in session.execute(sql, params)}
