"""The Alembic migration builds exactly the schema the models describe, on
the database under test (SQLite or PostgreSQL)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_migration_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
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


def test_every_check_constraint_of_the_models_is_in_the_migration(app):
    """Alembic's autogenerate does not compare CHECK constraints. The models
    build theirs from the domain vocabularies (models.base.one_of); a code
    added to a vocabulary without a migration shows up here."""
    from pathlib import Path

    from sqlalchemy import CheckConstraint

    migrations = "\n".join(p.read_text() for p in Path("migrations/versions").glob("*.py"))
    constraints = [(table.name, c) for table in db.metadata.sorted_tables for c in table.constraints
                   if isinstance(c, CheckConstraint)]
    assert len(constraints) >= 20
    missing = [f"{table}: {c.sqltext}" for table, c in constraints if f'"{c.sqltext}"' not in migrations]
    assert missing == [], f"run `make migration`: CHECK constraints not in the migration: {missing}"


def test_the_constraint_check_notices_a_new_vocabulary_code(app):
    """The control: a status added to the domain but not to the migration."""
    from portal.models import LearningRoute
    from portal.models.base import one_of

    table = LearningRoute.__table__
    extra = one_of("status", ("concept", "voorbereiding", "actief", "beeindigd", "gepauzeerd"), name="status_new")
    table.append_constraint(extra)
    try:
        try:
            test_every_check_constraint_of_the_models_is_in_the_migration(app)
        except AssertionError as exc:
            assert "gepauzeerd" in str(exc)
        else:
            raise AssertionError("the check missed a vocabulary code that is not in the migration")
    finally:
        table.constraints.discard(extra)
