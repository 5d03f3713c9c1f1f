"""Notifications: the events a user can be told about, how (e-mail or only in
the portal), the outbox states and the retry schedule. Pure: no Flask, no
database."""
from __future__ import annotations

from datetime import datetime, timedelta

# Event code -> the Dutch name users choose by at /account/meldingen.
EVENTS: dict[str, str] = {
    "agreement_sent": "Een overeenkomst is ter ondertekening verstuurd",
    "agreement_signed": "Een partij heeft een overeenkomst getekend",
    "agreement_fully_signed": "Een overeenkomst is door alle partijen getekend",
    "agreement_addendum": "Er is een addendum op een overeenkomst gemaakt",
    "agreement_expiring_90": "Een overeenkomst verloopt binnen 90 dagen",
    "agreement_expiring_30": "Een overeenkomst verloopt binnen 30 dagen",
    "route_basis_ended": "Een leerroute is beëindigd omdat haar overeenkomst niet meer geldt",
    "practice_sent_back": "Je goede voorbeeld is teruggestuurd",
    "practice_published": "Je goede voorbeeld is gepubliceerd",
    "region_route_new": "Een nieuwe actieve leerroute in een regio die je volgt",
    "region_route_ended": "Een leerroute in een regio die je volgt is beëindigd",
    "region_white_spot": "Een nieuwe witte vlek in een regio die je volgt",
}
DIGEST = "digest"  # the weekly digest itself: not a choice, it follows the user's digest setting
ALL_EVENTS = (*EVENTS, DIGEST)
REGION_EVENTS = ("region_route_new", "region_route_ended", "region_white_spot")
EXPIRY_EVENTS = {90: "agreement_expiring_90", 30: "agreement_expiring_30"}

CHANNEL_EMAIL = "email"
CHANNEL_PORTAL = "portal"

# Outbox states. pending: waits for `flask notifications deliver`; sending:
# claimed by one deliverer; sent; failed: given up (permanent error or too
# many attempts); portal: shown in the portal only (the user chose so);
# digest: waits for the weekly digest; digested: taken into a digest.
PENDING, SENDING, SENT, FAILED, PORTAL, WAITING_FOR_DIGEST, DIGESTED = (
    "pending", "sending", "sent", "failed", "portal", "digest", "digested")
STATUSES = (PENDING, SENDING, SENT, FAILED, PORTAL, WAITING_FOR_DIGEST, DIGESTED)
STATUS_NAMES = {
    PENDING: "wacht op verzending", SENDING: "wordt verstuurd", SENT: "per e-mail verstuurd",
    FAILED: "niet verstuurd", PORTAL: "alleen in de portal", WAITING_FOR_DIGEST: "komt in het weekoverzicht",
    DIGESTED: "in het weekoverzicht verstuurd",
}

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    wait: timedelta = FIRST_RETRY * (2 ** max(0, attempts - 1))
    return min(wait, LONGEST_WAIT)


def next_attempt(now: datetime, attempts: int) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + retry_delay(attempts)


def is_temporary_smtp_code(code: int) -> bool:
    """SMTP 4xx replies are temporary (try later); 5xx are permanent."""
    return 400 <= code < 500


def initial_status(event: str, *, by_email: bool, digest: bool) -> str:
    """Where a new notification goes, from the recipient's choices."""
    if not by_email:
        return PORTAL
    if digest and event != DIGEST:
        return WAITING_FOR_DIGEST
    return PENDING


def email_events_default() -> list[str]:
    """A new user gets every event by e-mail."""
    return list(EVENTS)


def clean_header(value: str, limit: int = 200) -> str:
    """A subject or display name without line breaks or control characters
    (they would start a new mail header), shortened to `limit`."""
    text = "".join(" " if (ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85") else ch for ch in value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
