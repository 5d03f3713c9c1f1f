"""The to-do list's buttons."""
from __future__ import annotations

from wtforms import HiddenField

from portal.forms.boundary import BoundaryForm


class ActivateForm(BoundaryForm):
    """Zet op actief from the to-do list: the version the list showed."""
    version_id = HiddenField()
