"""Pure rules of the field: no Flask, no SQLAlchemy."""
