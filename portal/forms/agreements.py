"""Forms for samenwerkingsovereenkomsten. The row editors (funding, guarantee,
parties) are parsed by hand from indexed fields: rows come and go with htmx."""
from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from portal.domain import funding as funding_rules
from portal.domain.vocab import MBO_DOMAINS
from portal.forms.choices import options, term_options
from portal.forms.helpers import DutchDateField
from portal.forms.submission import SubmissionKeyField

REQUIRED = "Dit veld is verplicht."


def _text(label: str, required: bool = False) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=10000)])


class AgreementForm(FlaskForm):
    version_id = HiddenField()
    submission_key = SubmissionKeyField()
    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=255)])
    route_ids = SelectMultipleField("Leerroutes die de overeenkomst dekt", coerce=int,
                                    validators=[DataRequired("Kies minstens één leerroute.")])
    start_date = DutchDateField("Begindatum", validators=[InputRequired("Vul een geldige datum in.")])
    end_date = DutchDateField("Einddatum", validators=[InputRequired("Vul een geldige datum in.")])
    facilities_use = _text("Gebruik van elkaars voorzieningen")
    cooperation_form = _text("Vorm van samenwerking")
    governance = _text("Bestuur (governance)")
    design = _text("Organisatorische en onderwijskundige inrichting")
    complaints_procedure = _text("Klachtenregeling")
    sector = StringField("Sector", validators=[Optional(), Length(max=255)])
    mbo_domain_code = SelectField("Opleidingsdomein",
                                  choices=term_options(MBO_DOMAINS, "— kies —"),
                                  validators=[Optional()])
    employer_role = _text("Rol van het bedrijfsleven (keuze van kwalificaties en inrichting)")
    examining_organisation_id = SelectField("Examinerende partij (een mbo-partij)", validators=[Optional()],
                                            validate_choice=False)
    team_qualification = RadioField("Teambevoegdheid", choices=options([("ja", "Ja"), ("nee", "Nee")]),
                                    validators=[Optional()])
    team_qualification_description = _text("Toelichting teambevoegdheid")
    participation = _text("Medezeggenschap")
    transfer_option = _text("Overstapoptie (afspraken; de fasen vul je in bij Overstapgarantie)")
    funding_purpose = _text("Omvang en bestemming van de over te dragen middelen")

    def data_for_service(self) -> dict:
        team = {"ja": True, "nee": False}.get(self.team_qualification.data or "")
        return dict(
            title=self.title.data, route_ids=self.route_ids.data or [], start_date=self.start_date.data,
            end_date=self.end_date.data, facilities_use=self.facilities_use.data,
            cooperation_form=self.cooperation_form.data, governance=self.governance.data, design=self.design.data,
            complaints_procedure=self.complaints_procedure.data, sector=self.sector.data,
            mbo_domain_code=self.mbo_domain_code.data or None, employer_role=self.employer_role.data,
            examining_organisation_id=self.examining_organisation_id.data or None,
            team_qualification=team,
            team_qualification_description=self.team_qualification_description.data,
            participation=self.participation.data, transfer_option=self.transfer_option.data,
            funding_purpose=self.funding_purpose.data,
        )


class TerminateForm(FlaskForm):
    terminated_on = DutchDateField("Datum van opzegging", validators=[InputRequired("Vul een geldige datum in.")])
    termination_reason = TextAreaField("Reden", validators=[DataRequired("Geef de reden van de opzegging."),
                                                            Length(max=5000)])


class DocumentForm(FlaskForm):
    document = FileField("Getekende overeenkomst (PDF, hoogstens 10 MB)")


class ActionForm(FlaskForm):
    """Only the CSRF token: send, archive."""


class SignForm(FlaskForm):
    """The confirmation of a signature: the version the signer saw (a sign
    without it is not confirmed), and the password when the last
    authentication is older than 15 minutes."""

    revision = IntegerField("Versie", widget=HiddenInput(), validators=[InputRequired()])
    password = PasswordField("Je wachtwoord", validators=[Optional(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


# --- row editors -----------------------------------------------------------

def _indices(form, prefix: str) -> list[str]:
    """Row keys in the order the rows appear (hidden `<prefix>-rows` inputs)."""
    keys = []
    for key in form.getlist(f"{prefix}-rows"):
        key = key.strip()
        if key.isdecimal() and key not in keys and len(keys) < 200:
            keys.append(key)
    return keys


INT_LIMIT = 2_147_483_647  # a PostgreSQL integer; larger ids and numbers cannot exist


def _int(value: str | None) -> int | None:
    """A whole number from a form field, or None (also for one too large to
    store, which the fuzzer found as a 500)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if -INT_LIMIT <= number <= INT_LIMIT else None


parse_int = _int


def _decimal(raw: str, label: str, errors: list[str]) -> Decimal | None:
    """The row's decimal, or None with the Dutch message added to its errors."""
    try:
        return funding_rules.parse_decimal(raw)
    except ValueError as exc:
        errors.append(f"{label}: {exc}")
        return None


def parse_share_rows(form) -> list[dict]:
    rows = []
    for key in _indices(form, "share"):
        errors: list[str] = []
        raw = form.get(f"share-{key}-percentage", "")
        percentage = _decimal(raw, "Aandeel", errors)
        rows.append(dict(key=key, stream=form.get(f"share-{key}-stream", ""),
                         school_year=form.get(f"share-{key}-school_year", "").strip(),
                         party_id=_int(form.get(f"share-{key}-party_id")), percentage=percentage,
                         raw_percentage=raw, errors=errors))
    return rows


def parse_total_rows(form) -> list[dict]:
    rows = []
    for key in _indices(form, "total"):
        errors: list[str] = []
        raw = form.get(f"total-{key}-amount", "")
        amount = _decimal(raw, "Bedrag", errors)
        rows.append(dict(key=key, stream=form.get(f"total-{key}-stream", ""),
                         school_year=form.get(f"total-{key}-school_year", "").strip(),
                         recipient_party_id=_int(form.get(f"total-{key}-recipient_party_id")),
                         amount=amount, raw_amount=raw, purpose=form.get(f"total-{key}-purpose", ""),
                         errors=errors))
    return rows


def parse_phase_rows(form) -> list[dict]:
    rows = []
    for key in _indices(form, "phase"):
        errors: list[str] = []
        values = {}
        for name, label in (("from_month", "Van maand"), ("to_month", "Tot en met maand"),
                            ("max_wait_days", "Wachttijd")):
            raw = form.get(f"phase-{key}-{name}", "").strip()
            values[name] = _int(raw)
            if raw and values[name] is None:
                errors.append(f"{label}: vul een heel getal in.")
        rows.append(dict(key=key, destination=form.get(f"phase-{key}-destination", ""),
                         responsible_party_id=_int(form.get(f"phase-{key}-responsible_party_id")),
                         description=form.get(f"phase-{key}-description", ""),
                         entree_reason=form.get(f"phase-{key}-entree_reason", ""), errors=errors, **values))
    return rows


def parse_party_rows(form) -> list[dict]:
    rows = []
    for key in _indices(form, "party"):
        org_id = _int(form.get(f"party-{key}-organisation_id"))
        if org_id is None or form.get(f"party-{key}-remove"):
            continue
        rows.append(dict(key=key, organisation_id=org_id, role=form.get(f"party-{key}-role", ""),
                         governing_body_name=form.get(f"party-{key}-governing_body_name", ""),
                         governing_body_number=form.get(f"party-{key}-governing_body_number", "")))
    return rows
