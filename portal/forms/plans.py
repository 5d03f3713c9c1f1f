"""Forms of the regioplannen (/regioplannen). The row editors (actions,
budget, scores) are parsed here from the posted rows, through the same text
boundary as every form (portal.domain.text)."""
from __future__ import annotations

from decimal import Decimal

from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.domain import plans as dom
from portal.domain.bounds import parse_whole_number
from portal.domain.funding import parse_decimal
from portal.domain.text import check_text, normalise_text
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import options
from portal.forms.helpers import DutchDateField

REQUIRED = "Dit veld is verplicht."
MAX_ROWS = 200


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ActionForm(BoundaryForm):
    """Only the CSRF token (and the version the button was shown at)."""
    version_id = HiddenField()


class RoundForm(BoundaryForm):
    name = StringField("Naam van de ronde", validators=[DataRequired(REQUIRED), Length(max=120)])
    submission_deadline = DutchDateField("Indienen uiterlijk", validators=[InputRequired(REQUIRED)])
    resubmission_deadline = DutchDateField("Opnieuw indienen uiterlijk", validators=[InputRequired(REQUIRED)])


class CriterionForm(BoundaryForm):
    name = StringField("Criterium", validators=[DataRequired(REQUIRED), Length(max=160)])
    description = TextAreaField("Toelichting", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    weight = IntegerField("Gewicht", validators=[InputRequired(REQUIRED), NumberRange(1, 100, "Van 1 tot en met 100.")])


class RegionForm(BoundaryForm):
    """A plan region: name, penvoerder and parties. The parties are checkboxes
    of the organisations found with the search box plus those already chosen
    (the views fill the choices), so it works without JavaScript."""
    name = StringField("Naam van de planregio", validators=[DataRequired(REQUIRED), Length(max=160)])
    lead_organisation_id = SelectField("Penvoerder", coerce=str, validate_choice=False)
    members = CheckboxesField("Partijen", coerce=str, validate_choice=False)
    q = StringField("Zoek een school, mbo-instelling of werkgever", validators=[Optional(), Length(max=100)])
    version_id = HiddenField()

    def member_ids(self) -> list[int]:
        return [i for i in (parse_whole_number(v) for v in self.members.data or []) if i is not None]

    def lead_id(self) -> int | None:
        return parse_whole_number(self.lead_organisation_id.data)


class PlanTextForm(BoundaryForm):
    vision = TextAreaField("Visie en doelen", validators=[Optional(), Length(max=20000)], render_kw={"rows": 8})
    labour_market_analysis = TextAreaField("Arbeidsmarktanalyse", validators=[Optional(), Length(max=20000)],
                                           render_kw={"rows": 8})
    pupil_prognosis = TextAreaField("Leerlingprognose", validators=[Optional(), Length(max=5000)],
                                    render_kw={"rows": 4})
    prognosis_source = StringField("Bron van de prognose", validators=[Optional(), Length(max=255)])
    version_id = HiddenField()


class AssignForm(BoundaryForm):
    assessors = CheckboxesField("Beoordelaars", coerce=str, validate_choice=False)
    version_id = HiddenField()

    def assessor_ids(self) -> list[int]:
        return [i for i in (parse_whole_number(v) for v in self.assessors.data or []) if i is not None]


class AdviceForm(BoundaryForm):
    outcome = SelectField("Advies", choices=options([("", "— kies —"), (dom.POSITIVE, "Positief advies"),
                                                     (dom.NOT_READY, "Nog niet voldragen")]))
    advice_text = TextAreaField("Advies (toelichting)", validators=[Optional(), Length(max=20000)],
                                render_kw={"rows": 6})
    improvement_points = TextAreaField("Verbeterpunten", validators=[Optional(), Length(max=20000)],
                                       render_kw={"rows": 5})
    flag = SelectField("Markering", choices=options(dom.ADVICE_FLAGS.items()))
    version_id = HiddenField()


class MidtermForm(BoundaryForm):
    findings = TextAreaField("Bevindingen halverwege", validators=[DataRequired(REQUIRED), Length(max=20000)],
                             render_kw={"rows": 8})
    version_id = HiddenField()


# --- posted rows ---------------------------------------------------------------

def _row_indexes(form, prefix: str) -> list[str]:
    keys = [k for k in form.getlist(f"{prefix}-rows") if k.isascii() and k.isdecimal() and len(k) <= 4]
    return list(dict.fromkeys(keys))[:MAX_ROWS]


def _text(form, name: str, label: str, errors: list[str], *, multiline: bool = False) -> str:
    value = form.get(name, "")
    message = check_text(value, multiline=multiline, name=not multiline)
    if message:
        errors.append(f"{label}: {message}")
        return ""
    return normalise_text(value, multiline=multiline) or ""


def parse_budget_rows(form) -> list[dict]:
    rows = []
    for key in _row_indexes(form, "line"):
        errors: list[str] = []
        raw = form.get(f"line-{key}-amount", "")
        try:
            amount: Decimal | None = parse_decimal(raw)
        except ValueError as exc:
            amount = None
            errors.append(f"Bedrag: {exc}")
        rows.append(dict(key=key, year=parse_whole_number(form.get(f"line-{key}-year")),
                         raw_year=form.get(f"line-{key}-year", ""),
                         stream=_text(form, f"line-{key}-stream", "Geldstroom", errors),
                         amount=amount, raw_amount=raw, errors=errors))
    return rows


def parse_action_rows(form) -> list[dict]:
    rows = []
    for key in _row_indexes(form, "action"):
        errors: list[str] = []
        rows.append(dict(
            key=key, year=parse_whole_number(form.get(f"action-{key}-year")),
            raw_year=form.get(f"action-{key}-year", ""),
            owner_organisation_id=parse_whole_number(form.get(f"action-{key}-owner")),
            description=_text(form, f"action-{key}-description", "Actie", errors, multiline=True),
            measurable_result=_text(form, f"action-{key}-result", "Meetbaar resultaat", errors, multiline=True),
            errors=errors))
    return rows


def parse_score_rows(form, criterion_ids: list[int]) -> tuple[dict[int, dict], dict[str, list[str]]]:
    rows: dict[int, dict] = {}
    errors: dict[str, list[str]] = {}
    for cid in criterion_ids:
        messages: list[str] = []
        motivation = _text(form, f"score-{cid}-motivation", "Motivering", messages, multiline=True)
        rows[cid] = {"score": parse_whole_number(form.get(f"score-{cid}-score")), "motivation": motivation}
        if messages:
            errors[f"score-{cid}"] = messages
    return rows, errors


def parse_progress_texts(form, action_ids: list[int]) -> tuple[dict[int, str], dict[str, list[str]]]:
    """The explanations of a progress report, through the text boundary."""
    texts: dict[int, str] = {}
    errors: dict[str, list[str]] = {}
    for aid in action_ids:
        messages: list[str] = []
        texts[aid] = _text(form, f"action-{aid}-explanation", "Toelichting", messages, multiline=True)
        if messages:
            errors[f"action-{aid}"] = messages
    return texts, errors
