"""Forms for samenwerkingsovereenkomsten. The row editors (funding, guarantee,
parties) are parsed by hand from indexed fields: rows come and go with htmx."""
from __future__ import annotations

from decimal import Decimal

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
from portal.domain.bounds import parse_whole_number
from portal.domain.text import check_text
from portal.domain.vocab import MBO_DOMAINS
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import options, term_options
from portal.forms.helpers import DutchDateField
from portal.forms.submission import SubmissionKeyField

REQUIRED = "Dit veld is verplicht."


def _text(label: str, required: bool = False) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=10000)])


class AgreementForm(BoundaryForm):
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
                                            invalid_choice_message="Kies een mbo-partij van deze overeenkomst.")
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


class TerminateForm(BoundaryForm):
    terminated_on = DutchDateField("Datum van opzegging", validators=[InputRequired("Vul een geldige datum in.")])
    termination_reason = TextAreaField("Reden", validators=[DataRequired("Geef de reden van de opzegging."),
                                                            Length(max=5000)])


class DocumentForm(BoundaryForm):
    document = FileField("Getekende overeenkomst (PDF, hoogstens 10 MB)")


class ActionForm(BoundaryForm):
    """Only the CSRF token: send, archive."""


class SignForm(BoundaryForm):
    """The confirmation of a signature: the version the signer saw (a sign
    without it is not confirmed), and the password when the last
    authentication is older than 15 minutes."""

    revision = IntegerField("Versie", widget=HiddenInput(), validators=[InputRequired()])
    password = PasswordField("Je wachtwoord", validators=[Optional(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


# --- row editors -----------------------------------------------------------

MAX_ROWS = 200
ROW_KEY_DIGITS = 6  # keys are row numbers the page made; anything longer was not sent by it
UNREADABLE_ROW = "Deze regel kon niet worden gelezen; vul hem opnieuw in."


def _row_keys(form, prefix: str) -> list[tuple[str, str, list[str]]]:
    """(key, posted key, errors) per row in the order the rows appear (hidden
    `<prefix>-rows` inputs). A posted key that is no short row number (5,000
    digits, '²') keeps its values but gets a fresh key and an error at the
    row, so the row is neither silently dropped nor saved."""
    posted: list[str] = []
    for raw in form.getlist(f"{prefix}-rows"):
        if raw not in posted and len(posted) < MAX_ROWS:
            posted.append(raw)
    valid = [k.strip() for k in posted if _is_row_key(k.strip())]
    fresh = max([int(k) for k in valid] + [-1]) + 1
    rows: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    for raw in posted:
        key = raw.strip()
        if _is_row_key(key) and key not in seen:
            rows.append((key, raw, []))
        elif not _is_row_key(key):
            rows.append((str(fresh), raw, [UNREADABLE_ROW]))
            key, fresh = str(fresh), fresh + 1
        seen.add(key)
    return rows


def _is_row_key(key: str) -> bool:
    return key.isascii() and key.isdecimal() and len(key) <= ROW_KEY_DIGITS


def _text_errors(values: dict[str, str], labels: dict[str, str], errors: list[str]) -> None:
    """The text boundary (portal.domain.text) for the free text of a row."""
    for name, value in values.items():
        message = check_text(value, multiline=name in MULTILINE_ROW_FIELDS, name=name not in MULTILINE_ROW_FIELDS)
        if message:
            errors.append(f"{labels.get(name, name)}: {message}")


MULTILINE_ROW_FIELDS = frozenset({"purpose", "description", "entree_reason"})
ROW_LABELS = {
    "stream": "Geldstroom", "school_year": "Schooljaar", "purpose": "Bestemming", "destination": "Bestemming",
    "description": "Omschrijving", "entree_reason": "Reden entree", "role": "Rol",
    "governing_body_name": "Bevoegd gezag", "governing_body_number": "Nummer bevoegd gezag",
}


def _int(value: str | None) -> int | None:
    """A whole number from a form field, or None: also for one too large to
    store, '--5' or thousands of digits (int() would raise; the fuzzer found
    both as a 500)."""
    return parse_whole_number(value)


parse_int = _int


def _decimal(raw: str, label: str, errors: list[str]) -> Decimal | None:
    """The row's decimal, or None with the Dutch message added to its errors."""
    try:
        return funding_rules.parse_decimal(raw)
    except ValueError as exc:
        errors.append(f"{label}: {exc}")
        return None


def _texts(form, prefix: str, posted: str, names: tuple[str, ...], errors: list[str]) -> dict[str, str]:
    values = {name: form.get(f"{prefix}-{posted}-{name}", "") for name in names}
    _text_errors(values, ROW_LABELS, errors)
    return values


def parse_share_rows(form) -> list[dict]:
    rows = []
    for key, posted, errors in _row_keys(form, "share"):
        raw = form.get(f"share-{posted}-percentage", "")
        percentage = _decimal(raw, "Aandeel", errors)
        texts = _texts(form, "share", posted, ("stream", "school_year"), errors)
        rows.append(dict(key=key, stream=texts["stream"], school_year=texts["school_year"].strip(),
                         party_id=_int(form.get(f"share-{posted}-party_id")), percentage=percentage,
                         raw_percentage=raw, errors=errors))
    return rows


def parse_total_rows(form) -> list[dict]:
    rows = []
    for key, posted, errors in _row_keys(form, "total"):
        raw = form.get(f"total-{posted}-amount", "")
        amount = _decimal(raw, "Bedrag", errors)
        texts = _texts(form, "total", posted, ("stream", "school_year", "purpose"), errors)
        rows.append(dict(key=key, stream=texts["stream"], school_year=texts["school_year"].strip(),
                         recipient_party_id=_int(form.get(f"total-{posted}-recipient_party_id")),
                         amount=amount, raw_amount=raw, purpose=texts["purpose"], errors=errors))
    return rows


def parse_phase_rows(form) -> list[dict]:
    rows = []
    for key, posted, errors in _row_keys(form, "phase"):
        values = {}
        for name, label in (("from_month", "Van maand"), ("to_month", "Tot en met maand"),
                            ("max_wait_days", "Wachttijd")):
            raw = form.get(f"phase-{posted}-{name}", "").strip()
            values[name] = _int(raw)
            if raw and values[name] is None:
                errors.append(f"{label}: vul een heel getal in.")
        texts = _texts(form, "phase", posted, ("destination", "description", "entree_reason"), errors)
        rows.append(dict(key=key, responsible_party_id=_int(form.get(f"phase-{posted}-responsible_party_id")),
                         errors=errors, **texts, **values))
    return rows


def parse_party_rows(form) -> list[dict]:
    """The party rows; each has `errors` (an unreadable row, a refused
    character), which the view shows without saving (party_row_errors)."""
    rows = []
    for key, posted, errors in _row_keys(form, "party"):
        org_id = _int(form.get(f"party-{posted}-organisation_id"))
        if (org_id is None and not errors) or form.get(f"party-{posted}-remove"):
            continue
        texts = _texts(form, "party", posted, ("role", "governing_body_name", "governing_body_number"), errors)
        rows.append(dict(key=key, organisation_id=org_id, errors=errors, **texts))
    return rows


def party_row_errors(rows: list[dict]) -> dict[str, list[str]]:
    """Errors keyed party-<i> (the service's keys) of rows that cannot be saved."""
    return {f"party-{i}": row["errors"] for i, row in enumerate(rows) if row["errors"]}
