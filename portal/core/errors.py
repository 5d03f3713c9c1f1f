"""Use cases. Services change models, write the audit log and flush; they never
read the request and never commit (the route commits once)."""


class ServiceError(Exception):
    """A rule was broken. `errors` maps a field name to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "__all__"):
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


class ConflictError(ServiceError):
    """Optimistic locking: somebody else saved the object first."""
