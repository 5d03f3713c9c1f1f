"""Forms of /account/meldingen."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectMultipleField, widgets

from portal.domain import notifications as rules
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import options


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PreferencesForm(BoundaryForm):
    email_events = CheckboxesField("Per e-mail", choices=options(rules.EVENTS.items()))
    regions = CheckboxesField("Arbeidsmarktregio's die je volgt")
    weekly_digest = BooleanField("Eén weekoverzicht per e-mail in plaats van losse berichten")
    version_id = HiddenField()


class ConfirmForm(BoundaryForm):
    """Only the CSRF token: unsubscribe."""
