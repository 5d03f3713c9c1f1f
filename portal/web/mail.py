"""A notification as an e-mail: plain text plus simple HTML, in Dutch, with
absolute links from PORTAL_BASE_URL (never from a request's Host header),
the recipient's own name and address only, and a signed unsubscribe link
for the event type (core/unsubscribe.py). The address is checked with
domain.email (no CR/LF or other hidden characters: no header injection)."""
from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

from portal.core.mail import PermanentMailError, sender
from portal.core.unsubscribe import make_token
from portal.domain import notifications as rules
from portal.domain.email import email_error
from portal.models import Notification, User
from portal.models.base import utcnow

SUBJECT_PREFIX = "[Leerroutes] "


class MailSetupError(RuntimeError):
    pass


def base_url() -> str:
    base = (current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    if not base:
        raise MailSetupError("Zet PORTAL_BASE_URL (het adres van de portal, bijvoorbeeld "
                             "https://leerroutes.example.nl): de links in de e-mail komen daarvandaan.")
    return base


def absolute(path: str) -> str:
    return base_url() + (path if path.startswith("/") else "/" + path)


def recipient(user: User) -> Address:
    problem = email_error(user.email)
    if problem or "@" not in user.email:
        raise PermanentMailError(f"ongeldig adres van gebruiker {user.id}")
    local, _, domain = user.email.rpartition("@")
    return Address(display_name=rules.clean_header(user.name or "", 120), username=local, domain=domain)


def _render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(**context)


def compose(notification: Notification, user: User, items: list[Notification] | None = None) -> EmailMessage:
    """The message for one notification (a digest lists its `items`)."""
    unsubscribe_url = absolute(f"/account/meldingen/afmelden/{make_token(user.id, notification.event)}")
    context = dict(
        name=user.name, notification=notification, link=absolute(notification.link),
        items=[(item, absolute(item.link)) for item in (items or [])],
        settings_url=absolute("/account/meldingen"), unsubscribe_url=unsubscribe_url,
        unsubscribe_what=("alle e-mail van de portal" if notification.event == rules.DIGEST
                          else rules.EVENTS.get(notification.event, "").lower()),
    )
    message = EmailMessage()
    message["Subject"] = rules.clean_header(SUBJECT_PREFIX + notification.subject, 250)
    message["From"] = sender()
    message["To"] = recipient(user)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender().rpartition("@")[2] or "localhost")
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_render("notifications/mail.txt", **context))
    message.add_alternative(_render("notifications/mail.html", **context), subtype="html")
    return message


def test_message(address: str) -> EmailMessage:
    """`flask mail test ADDRESS`: one short message to check the settings."""
    problem = email_error(address)
    if problem:
        raise PermanentMailError(problem)
    message = EmailMessage()
    message["Subject"] = SUBJECT_PREFIX + "Testbericht"
    message["From"] = sender()
    message["To"] = address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender().rpartition("@")[2] or "localhost")
    message.set_content("Dit is een testbericht van de portal doorlopende leerroutes vmbo–mbo. De e-mailinstellingen "
                        f"werken.\n\n{base_url()}/\n")
    return message
