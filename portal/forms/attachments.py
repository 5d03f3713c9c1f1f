"""The attachment form of every area that takes uploads (a plan's
labour-market analysis, a practice): a title and one file, checked by
portal.core.uploads when stored."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.forms.boundary import BoundaryForm

REQUIRED = "Dit veld is verplicht."


class AttachmentForm(BoundaryForm):
    title = StringField("Titel van de bijlage", validators=[DataRequired(REQUIRED), Length(max=200)])
    file = FileField("Bestand (PDF, PNG of JPEG, hoogstens 10 MB)")
