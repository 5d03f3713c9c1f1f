"""Import runs: which imports the portal records, how a run ended, and what
of its errors is kept. Pure: no Flask, no database.

Every import (the route CSV import, the reference loaders, DUO's RIO list)
leaves one record per run: who, when, how many rows went in, how many
errors and the first MAX_KEPT_ERRORS of them with their line numbers. A run
that ended with errors waits on the staff's to-do list until a later run of
the same import (same kind and scope) succeeds, or until staff mark it
handled."""
from __future__ import annotations

import re
from dataclasses import dataclass

# kind -> the Dutch name staff know the import by
KINDS: dict[str, str] = {
    "routes_csv": "Leerroutes (CSV-import)",
    "regions": "Arbeidsmarktregio's (flask geo import)",
    "municipalities": "Gemeenten per regio (flask geo import-municipalities)",
    "schools": "Vo-vestigingen (flask schools import)",
    "school_offer": "Aanbod van de scholen (flask schools import-offer)",
    "mbo": "Mbo-instellingen en locaties (flask mbo import)",
    "rio_list": "Registraties bij DUO (RIO-lijst vergelijken)",
}

# How a run ended. ok: everything went in; partial: the valid rows went in,
# others were refused; failed: nothing went in (the import rolled back).
OK, PARTIAL, FAILED = "ok", "partial", "failed"
OUTCOMES = (OK, PARTIAL, FAILED)
OUTCOME_NAMES = {OK: "geslaagd", PARTIAL: "deels geladen, met fouten", FAILED: "mislukt, niets geladen"}
WITH_ERRORS = (PARTIAL, FAILED)

CHANNELS = ("web", "cli")
MAX_KEPT_ERRORS = 50
MAX_MESSAGE = 500
LINE = re.compile(r"^\s*Regel\s+(\d{1,9})\b")


@dataclass(frozen=True)
class RunError:
    """One error of a run: the line of the file (None: the file as a whole),
    the column if known, and the Dutch message."""
    line: int | None
    column: str
    message: str

    def as_json(self) -> dict[str, int | str | None]:
        return {"line": self.line, "column": self.column[:60], "message": self.message[:MAX_MESSAGE]}


def error_from_message(message: str, column: str = "") -> RunError:
    """A loader's message ("Regel 12: ...") as an error with its line number."""
    match = LINE.match(message)
    return RunError(int(match.group(1)) if match else None, column, message)


def kept(errors: list[RunError]) -> list[dict[str, int | str | None]]:
    """What a run stores of its errors: the first MAX_KEPT_ERRORS."""
    return [e.as_json() for e in errors[:MAX_KEPT_ERRORS]]


def outcome_of(rows_ok: int, error_count: int, committed: bool) -> str:
    """ok when nothing went wrong (also when there was nothing new to store);
    partial when rows went in beside refused ones; failed when the import had
    errors and stored nothing."""
    if error_count == 0:
        return OK
    return PARTIAL if committed and rows_ok > 0 else FAILED


def scope_for_user(user_id: int | None) -> str:
    """The route CSV import is "the same import" per person: a coordinator's
    successful import does not settle another's failed one."""
    return f"user:{user_id}" if user_id is not None else ""


def scope_for_year(year: int | None) -> str:
    return f"year:{year}" if year is not None else ""
