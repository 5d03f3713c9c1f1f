"""The rule for an e-mail address, wherever one is entered (accounts, the
login, contact addresses of routes and practices, the create-user command):
the syntax checked strictly by the email-validator library (the one WTForms'
Email validator uses), without a DNS lookup, and no control, bidi or
invisible character (CR/LF would inject a mail header; U+202E makes a
confusable account). Pure: no Flask, no database."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from portal.domain.text import BIDI_CONTROLS, INVISIBLE, is_control, is_lone_surrogate

MAX_LENGTH = 254  # RFC 5321: a forward path holds at most 254 characters of address

MESSAGE_INVALID = "Vul een geldig e-mailadres in, zoals naam@school.nl."
MESSAGE_HIDDEN = "Een e-mailadres mag geen spaties, regeleinden of onzichtbare tekens bevatten."


def email_error(value: str | None) -> str | None:
    """A Dutch message when `value` is not an acceptable e-mail address
    (None when it is; an empty value is for the required check)."""
    if not value:
        return None
    if any(char.isspace() or is_control(char) or is_lone_surrogate(char) or char in BIDI_CONTROLS
           or char in INVISIBLE for char in value):
        return MESSAGE_HIDDEN
    if len(value) > MAX_LENGTH:
        return MESSAGE_INVALID
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return MESSAGE_INVALID
    return None


def normalise_email(value: str | None) -> str:
    """The stored form: surrounding white space removed, lower case (addresses
    are compared without case)."""
    return (value or "").strip().lower()
