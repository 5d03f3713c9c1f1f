"""The leerroute form. Rules live in portal.domain.routes (via the service);
the form only parses what the browser sends and keeps it for redisplay."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from portal.domain import vocab
from portal.domain.bounds import parse_id
from portal.domain.routes import STATUS_NAMES, TEACHING_LOCATION_NAMES, RouteInput, parse_pupils
from portal.forms.boundary import UNKNOWN_CHOICE, BoundaryForm
from portal.forms.choices import options, term_options
from portal.forms.helpers import DutchDateField
from portal.forms.submission import SubmissionKeyField


class IdListField(Field):
    """A list of organisation ids from repeated form values. A value that is
    no id at all ('x', '--5', 5,000 digits) is a field error; whether an id
    exists is checked by the rules (via the service)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.data = []

    def process_formdata(self, valuelist):
        out: list[int] = []
        refused = False
        for value in valuelist:
            number = parse_id(value)
            if number is None:
                refused = refused or bool(str(value).strip())
            elif number not in out:
                out.append(number)
        self.data = out
        if refused:
            raise ValueError(UNKNOWN_CHOICE)

    def process_data(self, value):
        self.data = list(value or [])


class CodeListField(SelectMultipleField):
    """Checkbox group of vocabulary codes; unknown codes are reported by the rules."""

    def pre_validate(self, form):
        pass


class RouteForm(BoundaryForm):
    version_id = HiddenField()
    submission_key = SubmissionKeyField()
    title = StringField("Titel", validators=[Length(max=255, message="Een titel is hoogstens 255 tekens.")])
    kind = SelectField("Soort route", choices=term_options(vocab.ROUTE_KINDS, "— kies —"),
                       validate_choice=False)
    status = SelectField("Status", choices=options(STATUS_NAMES.items()), validate_choice=False)
    vmbo_parties = IdListField("Vmbo-partijen (vestigingen)")
    mbo_parties = IdListField("Mbo-partijen")
    employer_parties = IdListField("Bedrijven (leerbedrijven, branche)")
    # Choices: the locations of the chosen mbo institutions (set by the view).
    mbo_location = SelectField("Mbo-locatie waar les wordt gegeven", choices=[], validate_choice=False)
    pathways = CodeListField("Leerwegen", choices=options((t.code, f"{t.code} – {t.name}") for t in vocab.PATHWAYS))
    profiles = CodeListField("Profielen", choices=term_options(vocab.PROFILES))
    mbo_level = SelectField("Mbo-niveau", choices=term_options(
                            vocab.MBO_LEVELS, "geen (alleen voor een leerlab)"), validate_choice=False)
    mbo_domain = SelectField("Opleidingsdomein", choices=term_options(vocab.MBO_DOMAINS, "— kies —"), validate_choice=False)
    crebo = StringField("Crebo-code van de kwalificatie", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    qualification_name = StringField("Naam van de kwalificatie", validators=[Length(max=255)])
    teaching_location = SelectField("Waar wordt lesgegeven", choices=options(TEACHING_LOCATION_NAMES.items()),
                                    validate_choice=False, default="beide")
    first_school_year = StringField("Eerste schooljaar", render_kw={"placeholder": "2025-2026", "autocomplete": "off"})
    last_school_year = StringField("Laatste schooljaar (leeg: loopt door)", render_kw={"autocomplete": "off"})
    pupils_per_cohort = StringField("Leerlingen per cohort", render_kw={"inputmode": "numeric"})
    contact_name = StringField("Contactpersoon", validators=[Length(max=255)])
    contact_email = EmailField("E-mail contactpersoon", validators=[Length(max=255)],
                               render_kw={"autocomplete": "off"})
    contact_phone = StringField("Telefoon contactpersoon", validators=[Length(max=64)],
                                render_kw={"type": "tel", "autocomplete": "off"})
    description = TextAreaField("Omschrijving", validators=[Length(max=10000)])

    def to_input(self) -> tuple[RouteInput, dict[str, list[str]]]:
        """The route input and the parse errors (per field) of this form."""
        pupils, pupils_error = parse_pupils(self.pupils_per_cohort.data)
        location_text = (self.mbo_location.data or "").strip()
        location = int(location_text) if location_text.isdecimal() and len(location_text) < 10 else None
        parse_errors = {"pupils_per_cohort": [pupils_error]} if pupils_error else {}
        if location_text and location is None:
            parse_errors["mbo_location"] = [UNKNOWN_CHOICE]
        data = RouteInput(
            title=self.title.data or "", kind=self.kind.data or "",
            vmbo_parties=self.vmbo_parties.data, mbo_parties=self.mbo_parties.data,
            employer_parties=self.employer_parties.data, mbo_location=location,
            pathways=list(self.pathways.data or []), profiles=list(self.profiles.data or []),
            crebo=self.crebo.data, qualification_name=self.qualification_name.data,
            mbo_domain=self.mbo_domain.data or None, mbo_level=self.mbo_level.data or None,
            teaching_location=self.teaching_location.data or "beide",
            first_school_year=self.first_school_year.data or "", last_school_year=self.last_school_year.data,
            status=self.status.data or "concept", pupils_per_cohort=pupils,
            contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            contact_phone=self.contact_phone.data, description=self.description.data,
        )
        return data, parse_errors

    def fill_from(self, data: RouteInput) -> None:
        """Pre-fill from a route's current values (GET of the edit page)."""
        for name in ("title", "kind", "vmbo_parties", "mbo_parties", "employer_parties", "pathways", "profiles",
                     "crebo", "qualification_name", "teaching_location", "first_school_year",
                     "last_school_year", "status", "contact_name", "contact_email", "contact_phone",
                     "description"):
            getattr(self, name).data = getattr(data, name)
        self.mbo_domain.data = data.mbo_domain or ""
        self.mbo_location.data = str(data.mbo_location) if data.mbo_location is not None else ""
        self.mbo_level.data = data.mbo_level or ""
        self.pupils_per_cohort.data = "" if data.pupils_per_cohort is None else str(data.pupils_per_cohort)


class ImportForm(BoundaryForm):
    mode = SelectField("Wat als een regel fouten bevat?", validate_choice=False, default="all", choices=options([
        ("all", "Alles of niets: niets importeren zolang er een fout in staat"),
        ("valid", "Importeer de regels zonder fouten en sla de foute regels over"),
    ]))
    include_duplicates = BooleanField("ook dubbele rijen importeren")


class RioRegistrationForm(BoundaryForm):
    """A vmbo school's registration of a route at DUO (RIO); the rules are in
    portal.domain.rio (via the service)."""
    registered = SelectField("Geregistreerd bij DUO?", choices=options([("nee", "Nee"), ("ja", "Ja")]),
                             default="nee")
    registered_on = DutchDateField("Datum van registratie", validators=[Optional()])
    code = StringField("RIO-code (als je die weet)", validators=[Length(max=40)])


class RioCompareForm(BoundaryForm):
    """The upload of DUO's list of registered routes (the file is read from request.files)."""


class RioConfirmForm(BoundaryForm):
    """Confirms marking the matches of a comparison as registered (hidden `match` values)."""
