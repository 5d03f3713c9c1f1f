"""The Alembic migration builds exactly the schema the models describe, on
the database under test (SQLite or PostgreSQL)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_migration_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    # FTS shadow tables and other extras live outside the metadata; only
    # differences for tables the models define count.
    model_tables = set(db.metadata.tables)

    def concerns_models(entry):
        entry = entry[0] if isinstance(entry, list) else entry
        for part in entry[1:]:
            name = getattr(part, "name", None) or getattr(getattr(part, "table", None), "name", None)
            if isinstance(part, str):
                name = part
            if name in model_tables or getattr(getattr(part, "table", None), "name", None) in model_tables:
                return True
        # Tables outside the metadata (full-text extras) and their indexes.
        return entry[0] not in ("remove_table", "remove_index")

    relevant = [d for d in diff if concerns_models(d)]
    assert relevant == [], f"run `make migration`: models and migration differ: {relevant}"
