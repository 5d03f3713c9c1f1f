"""The import runs' button."""
from __future__ import annotations

from portal.forms.boundary import BoundaryForm


class HandledForm(BoundaryForm):
    """Mark an import run with errors as handled (its CSRF token only)."""
