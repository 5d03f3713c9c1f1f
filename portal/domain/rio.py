"""Registration of routes in DUO's register (RIO): the rules, pure.

Each vmbo school registers every DLR and GLR it runs with DUO; the official
count is taken at 15 October of the school year. Per route and per vmbo party
the portal keeps: registered yes/no, the date of the registration and the
RIO code when known.

The RIO code: DUO's codes for an onderwijsaanbieder or onderwijslocatie look
like 100B490 (three digits, a letter, three digits), and the code of an
aangeboden opleiding is chosen by the school or given by RIO. The portal does
not know which of them a school will note, so it accepts a conservative
pattern: 3 to 40 letters, digits and hyphens, starting with a letter or digit
(no spaces, no punctuation that could be a formula in a spreadsheet)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from portal.domain.identifiers import crebo_error, school_year_error

# The route kinds DUO registers (the other kinds are the experiment-era routes).
RIO_KINDS = ("dlr", "glr")
KIND_BY_NAME = {"dlr": "dlr", "glr": "glr"}
RIO_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,39}")
# No registration in RIO is older than this (the register and the routes it holds are younger).
EARLIEST_REGISTRATION = date(2015, 1, 1)
COUNT_DAY = (10, 15)  # the official count: 15 October

MESSAGE_DATE_REQUIRED = "Vul de datum van de registratie bij DUO in."
MESSAGE_DATE_FUTURE = "De datum van de registratie kan niet in de toekomst liggen."
MESSAGE_DATE_EARLY = f"Die datum is te vroeg: registraties in RIO zijn van {EARLIEST_REGISTRATION:%d-%m-%Y} of later."
MESSAGE_NOT_REGISTERED = "Vul geen datum of RIO-code in als de route niet bij DUO geregistreerd is."
MESSAGE_CODE = ("Een RIO-code bestaat uit 3 tot 40 letters, cijfers en streepjes (bijvoorbeeld 100B490), "
                "zonder spaties.")


@dataclass(frozen=True)
class Registration:
    registered: bool
    registered_on: date | None
    code: str | None


def normalise_code(code: str | None) -> str | None:
    code = (code or "").strip()
    return code.upper() or None


def check_registration(value: Registration, today: date) -> dict[str, list[str]]:
    """Dutch messages per field (registered, registered_on, code); empty when valid."""
    errors: dict[str, list[str]] = {}
    if value.code is not None and not RIO_CODE.fullmatch(value.code):
        errors.setdefault("code", []).append(MESSAGE_CODE)
    if not value.registered:
        if value.registered_on is not None or value.code is not None:
            errors.setdefault("registered", []).append(MESSAGE_NOT_REGISTERED)
        return errors
    if value.registered_on is None:
        errors.setdefault("registered_on", []).append(MESSAGE_DATE_REQUIRED)
    elif value.registered_on > today:
        errors.setdefault("registered_on", []).append(MESSAGE_DATE_FUTURE)
    elif value.registered_on < EARLIEST_REGISTRATION:
        errors.setdefault("registered_on", []).append(MESSAGE_DATE_EARLY)
    return errors


def count_date(school_year: str) -> date:
    """The day of the official count in a school year ("2025-2026" -> 15 October 2025)."""
    return date(int(school_year[:4]), *COUNT_DAY)


# --- a row of DUO's list of registered routes ------------------------------------

@dataclass(frozen=True)
class RegisteredRoute:
    """One line of an uploaded list of routes registered at DUO."""
    line: int
    vestigingscode: str
    crebo: str
    kind: str
    school_year: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.vestigingscode, self.crebo, self.kind, self.school_year)


VESTIGINGSCODE = re.compile(r"[0-9]{2}[A-Z]{2}[0-9]{2}")


def parse_registered_row(line: int, cells: dict[str, str]) -> tuple[RegisteredRoute | None, list[str]]:
    """The row, or the Dutch messages (each naming the line) of what is wrong with it."""
    problems: list[str] = []
    code = cells.get("vestigingscode", "").strip().upper().replace(" ", "")
    if not VESTIGINGSCODE.fullmatch(code):
        problems.append(f"Regel {line}: '{code[:20]}' is geen vestigingscode (BRIN en twee cijfers, "
                        "bijvoorbeeld 02MF00).")
    crebo = cells.get("crebo", "").strip()
    if not crebo:
        problems.append(f"Regel {line}: het crebonummer ontbreekt.")
    elif message := crebo_error(crebo):
        problems.append(f"Regel {line}: {message}")
    kind = KIND_BY_NAME.get(cells.get("soort", "").strip().lower())
    if kind is None:
        problems.append(f"Regel {line}: soort '{cells.get('soort', '').strip()[:20]}' is geen DLR of GLR.")
    year = cells.get("schooljaar", "").strip().replace("/", "-")
    if not year:
        problems.append(f"Regel {line}: het schooljaar ontbreekt.")
    elif message := school_year_error(year):
        problems.append(f"Regel {line}: {message}")
    if problems:
        return None, problems
    assert kind is not None
    return RegisteredRoute(line, code, crebo, kind, year), []
