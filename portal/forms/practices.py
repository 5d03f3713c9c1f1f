"""Forms of the good-practice library."""
from __future__ import annotations

from wtforms import (
    EmailField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.domain import practices as rules
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import term_options
from portal.forms.submission import SubmissionKeyField

REQUIRED = "Dit veld is verplicht."


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PracticeForm(BoundaryForm):
    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=rules.TITLE_MAX)])
    summary = TextAreaField("Korte samenvatting", validators=[DataRequired(REQUIRED),
                                                                 Length(max=rules.SUMMARY_MAX)],
                            render_kw={"rows": 3})
    body = TextAreaField("Beschrijving", validators=[Optional(), Length(max=rules.BODY_MAX)],
                         render_kw={"rows": 14})
    themes = CheckboxesField("Thema's", choices=term_options(rules.THEMES))
    tags = StringField("Trefwoorden", validators=[Optional(), Length(max=600)])
    # The views fill the choices (existing organisations, this year's regions,
    # the routes the user may link): an id outside them is a field error.
    organisation_ids = SelectMultipleField("Organisaties", coerce=str,
                                           invalid_choice_message="Kies bestaande organisaties.")
    region_ids = SelectMultipleField("Arbeidsmarktregio's", coerce=str,
                                     invalid_choice_message="Kies bestaande arbeidsmarktregio's.")
    route_ids = SelectMultipleField("Gerelateerde leerroutes", coerce=str,
                                    invalid_choice_message="Kies bestaande leerroutes.")
    domain_codes = CheckboxesField("Opleidingsdomeinen", validate_choice=False)
    level_codes = CheckboxesField("Mbo-niveaus", validate_choice=False)
    contact_name = StringField("Contactpersoon", validators=[Optional(), Length(max=255)],
                               render_kw={"autocomplete": "off"})
    contact_email = EmailField("E-mailadres contactpersoon", validators=[Optional(), Length(max=255)],
                               render_kw={"autocomplete": "off", "spellcheck": "false"})
    source = StringField("Bron", validators=[Optional(), Length(max=255)])
    version_id = HiddenField()
    submission_key = SubmissionKeyField()

    def data_for_service(self) -> dict:
        return {
            "title": self.title.data, "summary": self.summary.data, "body": self.body.data or "",
            "themes": self.themes.data or [], "tags": self.tags.data or "",
            "organisation_ids": self.organisation_ids.data or [],
            "region_ids": self.region_ids.data or [], "route_ids": self.route_ids.data or [],
            "domain_codes": self.domain_codes.data or [], "level_codes": self.level_codes.data or [],
            "contact_name": self.contact_name.data, "contact_email": self.contact_email.data,
            "source": self.source.data,
        }


class SendBackForm(BoundaryForm):
    reason = TextAreaField("Reden voor terugsturen", validators=[
        DataRequired(REQUIRED), Length(max=rules.REASON_MAX)], render_kw={"rows": 4})
    version_id = HiddenField()


class ActionForm(BoundaryForm):
    """Submit, publish, archive: only the CSRF token and the version."""
    version_id = HiddenField()
