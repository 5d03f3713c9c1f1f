"""Times as the users read them: the database keeps UTC; every time shown is
in Europe/Amsterdam (CET/CEST), and exports write ISO 8601 with the offset, so
that a spreadsheet or a script knows which moment is meant."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(value: datetime) -> datetime:
    """The moment in Europe/Amsterdam; a naive value (SQLite) is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(AMSTERDAM)


def display(value: datetime | None) -> str:
    """dd-mm-jjjj hh:mm in Amsterdam time; empty for no value."""
    return local(value).strftime("%d-%m-%Y %H:%M") if value is not None else ""


def iso(value: datetime | None) -> str:
    """ISO 8601 with the Amsterdam offset, to the second: 2026-12-04T17:48:05+01:00."""
    return local(value).replace(microsecond=0).isoformat() if value is not None else ""
