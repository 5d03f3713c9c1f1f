"""The input boundary of the forms (portal/forms/boundary.py), the number and
date bounds (portal/domain/bounds.py) and the e-mail rule
(portal/domain/email.py): the rules themselves, without HTTP."""
from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Optional

import portal
from portal.domain.bounds import MESSAGE_DATE_RANGE, date_range_error, parse_id, parse_whole_number
from portal.domain.email import MESSAGE_HIDDEN, MESSAGE_INVALID, email_error
from portal.domain.identifiers import school_year_error
from portal.domain.routes import parse_pupils
from portal.domain.text import MESSAGE_BIDI, MESSAGE_CONTROL, MESSAGE_SURROGATE
from portal.forms.boundary import BoundaryForm


def all_form_classes(package=portal) -> set[type]:
    """Every FlaskForm subclass defined in the package's modules (forms/*.py
    and any a view defines), found by importing every module."""
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
    found: set[type] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith(package.__name__ + ".") and cls.__module__ != "portal.forms.boundary":
            found.add(cls)
    return found


def test_every_form_of_the_portal_passes_the_boundary():
    forms = all_form_classes()
    assert len(forms) >= 12  # login, password, user, route, import, agreement, ..., practices
    outside = sorted(f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, BoundaryForm))
    assert outside == []


def test_the_walk_would_find_a_form_that_skips_the_boundary(monkeypatch):
    """The control: a plain FlaskForm in a portal module is found and reported."""
    planted = type("PlantedForm", (FlaskForm,), {"__module__": "portal.forms.planted"})
    assert planted in all_form_classes()
    assert not issubclass(planted, BoundaryForm)


class SampleForm(BoundaryForm):
    class Meta:
        csrf = False

    title = StringField("Titel")
    body = TextAreaField("Tekst")
    day = DateField("Dag", validators=[Optional()])


@pytest.mark.parametrize("field, value, message", [
    ("title", "a\x00b", MESSAGE_CONTROL),
    ("title", "regel\neen", MESSAGE_CONTROL),
    ("title", "tab\there", MESSAGE_CONTROL),
    ("title", "c1\x85", MESSAGE_CONTROL),
    ("title", "half \ud800", MESSAGE_SURROGATE),
    ("title", "exe.\u202efdp", MESSAGE_BIDI),
    ("title", "\u2066isolaat\u2069", MESSAGE_BIDI),
    ("body", "a\x00b", MESSAGE_CONTROL),
    ("body", "bel\x07", MESSAGE_CONTROL),
    ("body", "half \udfff", MESSAGE_SURROGATE),
])
def test_a_refused_character_is_a_dutch_error_at_its_field(app, field, value, message):
    with app.test_request_context(method="POST"):
        form = SampleForm(formdata=MultiDict({field: value}))
        assert not form.validate()
        assert form[field].errors == [message]


@pytest.mark.parametrize("value, stored", [
    ("regel een\r\nregel twee\tmet tab", "regel een\nregel twee\tmet tab"),
    ("keert \u202eom", "keert \u202eom"),  # bidi is allowed in running text, refused in names
    ("  e\u0301  ", "\u00e9"),  # NFC and stripped
    ("\u200b\u200b \ufeff", ""),  # visually empty counts as empty
])
def test_text_areas_keep_line_breaks_and_values_are_normalised(app, value, stored):
    with app.test_request_context(method="POST"):
        form = SampleForm(formdata=MultiDict({"body": value, "title": "Titel"}))
        assert form.validate(), form.errors
        assert form.body.data == stored


@pytest.mark.parametrize("route_ids, message", [
    (["1", "2147483648"], "Kies een van de mogelijkheden uit de lijst; deze keuze bestaat niet (meer)."),
    # cannot even be coerced: WTForms drops the data, so the required message shows
    (["9" * 5000], "Kies minstens één leerroute."),
])
def test_wtforms_messages_are_dutch(app, route_ids, message):
    with app.test_request_context(method="POST"):
        from portal.forms.agreements import AgreementForm
        data = MultiDict([*(("route_ids", v) for v in route_ids), ("start_date", "31-31-2026")])
        form = AgreementForm(formdata=data, meta={"csrf": False})
        form.route_ids.choices = [(1, "Route")]
        form.examining_organisation_id.choices = [("", "—")]
        assert not form.validate()
        assert form.route_ids.errors == [message]
        # the date fields give their own Dutch hint (forms/helpers.DutchDateField)
        assert form.start_date.errors == ["Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 01-08-2026."]


@pytest.mark.parametrize("value, message", [
    ("31-31-2026", "Vul een geldige datum in."),
    ("0001-01-01", MESSAGE_DATE_RANGE),
    ("9999-12-31", MESSAGE_DATE_RANGE),
    ("2026-08-01", None),
])
def test_every_date_field_lies_between_2000_and_2100(app, value, message):
    with app.test_request_context(method="POST"):
        form = SampleForm(formdata=MultiDict({"title": "Titel", "day": value}))
        assert form.validate() == (message is None)
        assert form.day.errors == ([message] if message else [])


@pytest.mark.parametrize("value, expected", [
    ("12", 12), (" 7 ", 7), ("+5", 5), ("-3", -3), ("0", 0), ("2147483647", 2147483647),
    ("--5", None), ("-+5", None), ("9" * 5000, None), ("9" * 4301, None), ("2147483648", None),
    ("²", None), ("١٢٣", None), ("1e3", None), ("0x10", None), ("1.5", None), ("", None), (None, None),
    (True, None), (42, 42),
])
def test_whole_numbers_are_bounded_before_int_sees_them(value, expected):
    assert parse_whole_number(value) == expected


def test_ids_are_positive_and_fit_a_database_integer():
    assert parse_id("1") == 1
    assert [parse_id(v) for v in ("0", "-1", "2147483648", "9" * 5000)] == [None] * 4


@pytest.mark.parametrize("value, error", [
    ("--5", "Vul een geheel getal van 0 of meer in."),
    ("9" * 5000, "Dat zijn wel erg veel leerlingen; vul het aantal per cohort in."),
    ("-1", "Vul een geheel getal van 0 of meer in."),
    ("25", None),
])
def test_pupils_per_cohort_never_raises(value, error):
    number, message = parse_pupils(value)
    assert message == error
    assert (number is None) == (error is not None)


@pytest.mark.parametrize("day, ok", [
    (date(2000, 1, 1), True), (date(2100, 12, 31), True), (date(2026, 8, 1), True),
    (date(1999, 12, 31), False), (date(1, 1, 1), False), (date(9999, 12, 31), False), (date(2101, 1, 1), False),
])
def test_dates_lie_between_2000_and_2100(day, ok):
    assert date_range_error(day) == (None if ok else MESSAGE_DATE_RANGE)


@pytest.mark.parametrize("value, ok", [
    ("2025-2026", True), ("2000-2001", True), ("2099-2100", True),
    ("0000-0001", False), ("1999-2000", False), ("2100-2101", False), ("9998-9999", False),
])
def test_school_years_lie_between_2000_and_2100(value, ok):
    assert (school_year_error(value) is None) == ok


@pytest.mark.parametrize("value, message", [
    ("naam@school.nl", None), ("beheer@demo.leerroutes.nl", None), ("jöran@bücher.example.org", None),
    ("a@b.nl\r\nBcc: x@y.nl", MESSAGE_HIDDEN), ("a@b.nl\nx", MESSAGE_HIDDEN), ("a b@c.nl", MESSAGE_HIDDEN),
    ("a\u202e@b.nl", MESSAGE_HIDDEN), ("a@b.nl\u200b", MESSAGE_HIDDEN), ("a\x00@b.nl", MESSAGE_HIDDEN),
    ("a@b", MESSAGE_INVALID), ("a..b@c.nl", MESSAGE_INVALID), ("@b.nl", MESSAGE_INVALID),
    ("a@@b.nl", MESSAGE_INVALID), ("a@localhost", MESSAGE_INVALID), ("x" * 250 + "@b.nl", MESSAGE_INVALID),
])
def test_email_addresses_are_validated_strictly(value, message):
    assert email_error(value) == message
