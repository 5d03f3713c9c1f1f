"""The input boundary of every form, in one place: every form of the portal
is a BoundaryForm (tests/unit/test_forms_boundary.py walks them all), so no
field can be forgotten.

Before the fields' own validators run, each submitted value passes
portal.domain.text: NUL, C0/C1 control characters (tabs and line breaks only
in a TextAreaField) and lone surrogates are a Dutch error at the field; bidi
controls are refused in every single-line field (names, titles, codes, ids);
a text value is normalised (NFC, stripped, and '' when visually empty, so a
title of zero-width spaces gets the "required" message). E-mail fields are
checked by portal.domain.email, dates lie in 2000-2100 (portal.domain.bounds),
and WTForms' own messages (an unknown choice, a value that cannot be coerced,
a bad date) are given in Dutch through the form's translations, so an id
that does not exist is a Dutch field error."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, Field, PasswordField, StringField, TextAreaField

from portal.domain.bounds import date_range_error, parse_whole_number
from portal.domain.email import email_error
from portal.domain.text import check_text, normalise_text

MESSAGE_BAD_VERSION = "Het formulier is niet goed verzonden; ververs de pagina en probeer het opnieuw."
UNKNOWN_CHOICE = "Kies een van de mogelijkheden uit de lijst; deze keuze bestaat niet (meer)."

# WTForms' English messages (msgids) in Dutch. %-placeholders are filled in by WTForms.
DUTCH = {
    "Not a valid choice.": UNKNOWN_CHOICE,
    "Invalid Choice: could not coerce.": UNKNOWN_CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": UNKNOWN_CHOICE,
    "'%(value)s' is not a valid choice for this field.": UNKNOWN_CHOICE,
    "'%(value)s' are not valid choices for this field.": UNKNOWN_CHOICE,
    "Not a valid date value.": "Vul een geldige datum in.",
    "Not a valid datetime value.": "Vul een geldige datum en tijd in.",
    "Not a valid integer value.": "Vul een geheel getal in.",
    "Not a valid decimal value.": "Vul een getal in.",
    "Not a valid float value.": "Vul een getal in.",
    "This field is required.": "Dit veld is verplicht.",
    "Invalid email address.": "Vul een geldig e-mailadres in.",
    "Field must be at least %(min)d character long.": "Vul minstens %(min)d teken in.",
    "Field must be at least %(min)d characters long.": "Vul minstens %(min)d tekens in.",
    "Field cannot be longer than %(max)d character.": "Hoogstens %(max)d teken.",
    "Field cannot be longer than %(max)d characters.": "Hoogstens %(max)d tekens.",
    "Field must be exactly %(max)d character long.": "Precies %(max)d teken.",
    "Field must be exactly %(max)d characters long.": "Precies %(max)d tekens.",
    "Field must be between %(min)d and %(max)d characters long.": "Tussen %(min)d en %(max)d tekens.",
    "Invalid CSRF Token.": "Het formulier is verlopen; probeer het opnieuw.",
    "CSRF token missing.": "Het formulier is verlopen; probeer het opnieuw.",
    "CSRF failed.": "Het formulier is verlopen; probeer het opnieuw.",
    "CSRF token expired.": "Het formulier is verlopen; probeer het opnieuw.",
    "The CSRF token is missing.": "Het formulier is verlopen; probeer het opnieuw.",
    "The CSRF token is invalid.": "Het formulier is verlopen; probeer het opnieuw.",
    "The CSRF token has expired.": "Het formulier is verlopen; probeer het opnieuw.",
    "The CSRF tokens do not match.": "Het formulier is verlopen; probeer het opnieuw.",
}


class DutchMessages:
    """The translations object WTForms asks for its messages."""

    def gettext(self, string: str) -> str:
        return DUTCH.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


DUTCH_MESSAGES = DutchMessages()


def _submitted_texts(field: Field) -> Iterable[str]:
    """The strings the browser sent for a field (file uploads are not text)."""
    return [value for value in (field.raw_data or []) if isinstance(value, str)]


def refused_text(field: Field) -> str | None:
    """The Dutch reason a submitted value of `field` cannot be accepted, or None."""
    multiline = isinstance(field, TextAreaField)
    for value in _submitted_texts(field):
        message = check_text(value, multiline=multiline, name=not multiline)
        if message:
            return message
    return None


def _is_free_text(field: Field) -> bool:
    """Text the user typed (normalised); a password is checked but kept as typed."""
    return isinstance(field, StringField) and not isinstance(field, PasswordField)


class BoundaryForm(FlaskForm):
    """The base of every form (see the module docstring)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return DUTCH_MESSAGES

    def validate(self, extra_validators=None) -> bool:
        refused: dict[str, str] = {}
        for field in self:
            if (message := refused_text(field)) is not None:
                refused[field.name] = message
            elif _is_free_text(field) and isinstance(field.data, str):
                field.data = normalise_text(field.data, multiline=isinstance(field, TextAreaField))
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in refused:
                field.errors = [refused[field.name]]
            elif not field.errors and (message := self._value_error(field)) is not None:
                field.errors = [message]
                refused[field.name] = message
        return valid and not refused

    @staticmethod
    def _value_error(field: Field) -> str | None:
        """The rules on a field's value that hold for every form."""
        if isinstance(field, EmailField) and isinstance(field.data, str):
            return email_error(field.data)
        if field.name == "version_id" and field.data not in (None, "") and \
                parse_whole_number(field.data, low=0) is None:
            # the page always sends the number it was shown; anything else is no version to compare
            return MESSAGE_BAD_VERSION
        if isinstance(field, DateField) and isinstance(field.data, date):
            return date_range_error(field.data)
        return None

