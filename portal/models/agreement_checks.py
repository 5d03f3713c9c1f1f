"""The agreement invariants the database holds itself, as the last line behind
the domain rules (which give the Dutch message) and the write lock
(core/locking.py), for what Alembic autogenerate cannot describe. Created at
the end of the initial migration through models.extras.

PostgreSQL: a DEFERRABLE INITIALLY DEFERRED constraint trigger on
funding_shares refuses, at COMMIT, an (agreement, stream, school year) whose
shares are present but do not add up to exactly 100.00 (a check_violation,
IntegrityError to SQLAlchemy). Deferred, because a save replaces all rows of a
group in several statements; deleting every row of a group is fine.

SQLite has no deferred triggers. There the same guarantee comes from the
writing request holding the database's one write lock for its whole
transaction (BEGIN IMMEDIATE), the agreement's write re-reading the current
rows under it, and the domain rule (domain/funding.check_funding_shares)
refusing every group that does not add up to 100.00 before anything is
written.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from portal.models.extras import register

FUNDING_SUM_FUNCTION = """
CREATE OR REPLACE FUNCTION funding_shares_group_sum_is_100(a integer, s text, y text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
BEGIN
    SELECT sum(percentage) INTO total FROM funding_shares
     WHERE agreement_id = a AND stream = s AND school_year = y;
    IF total IS NOT NULL AND total <> 100.00 THEN
        -- (no percent-sign placeholders: the driver would take them for its own)
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'funding_shares_sum_100',
            MESSAGE = 'funding shares of agreement ' || a || ' (' || s || ', ' || y || ') add up to '
                      || total || ' instead of 100.00';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION funding_shares_sum_100() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM funding_shares_group_sum_is_100(NEW.agreement_id, NEW.stream, NEW.school_year);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM funding_shares_group_sum_is_100(OLD.agreement_id, OLD.stream, OLD.school_year);
    END IF;
    RETURN NULL;
END $$;
"""

FUNDING_SUM_TRIGGER = """
DROP TRIGGER IF EXISTS funding_shares_sum_100 ON funding_shares;
CREATE CONSTRAINT TRIGGER funding_shares_sum_100
    AFTER INSERT OR UPDATE OR DELETE ON funding_shares
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funding_shares_sum_100();
"""


def create_agreement_checks(connection: Connection, dialect: str) -> None:
    if dialect == "postgresql":
        connection.exec_driver_sql(FUNDING_SUM_FUNCTION)
        connection.exec_driver_sql(FUNDING_SUM_TRIGGER)


register(create_agreement_checks)
