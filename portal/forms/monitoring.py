"""Forms of programme monitoring: a target (/beheer/doelen)."""
from __future__ import annotations

from wtforms import DecimalField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.domain.monitoring import INDICATORS
from portal.domain.targets import target_errors
from portal.forms.boundary import BoundaryForm

REQUIRED = "Dit veld is verplicht."


class TargetForm(BoundaryForm):
    name = StringField("Naam van het doel", validators=[DataRequired(REQUIRED), Length(max=255)])
    indicator = SelectField("Indicator", choices=[SelectChoice(i.code, i.name) for i in INDICATORS.values()],
                            validators=[DataRequired(REQUIRED)])
    target_value = DecimalField("Doelwaarde", places=None,
                                validators=[InputRequired("Vul een doelwaarde in.")],
                                render_kw={"inputmode": "decimal"})
    target_school_year = StringField("Schooljaar waarin het doel bereikt moet zijn",
                                     validators=[DataRequired(REQUIRED), Length(max=9)],
                                     render_kw={"placeholder": "2024-2025"})
    source = TextAreaField("Bron", validators=[DataRequired(REQUIRED), Length(max=500)])
    version_id = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the domain's rules for a target, each
        message at its field (the service checks the same rules again)."""
        valid = super().validate(extra_validators)
        value = self.target_value.data
        errors = target_errors(self.indicator.data or "", float(value) if value is not None else None,
                               self.target_school_year.data or "")
        for name, message in errors.items():
            field = getattr(self, name)
            if not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class DeleteTargetForm(BoundaryForm):
    """Deleting a target: only the CSRF token."""
