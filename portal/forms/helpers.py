"""Putting service errors back on the form fields that caused them."""
from __future__ import annotations

from flask_wtf import FlaskForm

from portal.services import ServiceError


def apply_service_errors(form: FlaskForm, exc: ServiceError) -> list[str]:
    """Attach each message to its field; return those that belong to no field."""
    general: list[str] = []
    for field_name, messages in exc.errors.items():
        field = getattr(form, field_name, None) if field_name != "__all__" else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        else:
            general.extend(messages)
    return general
