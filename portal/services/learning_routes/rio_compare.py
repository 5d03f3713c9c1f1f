"""Comparing DUO's list of registered routes (a CSV with vestigingscode,
crebo, soort, schooljaar) with the portal: the differences both ways.

- registered at DUO, but the portal has no active DLR/GLR for it (the school
  is unknown, no route has that crebo and kind, or the route is not actief
  in that school year);
- active in the portal (for a school year the file covers), but not at DUO;
- and the matches, with those the portal does not yet mark as registered.

Reading is robust: UTF-8 (with or without BOM) or Windows-1252 (as DUO
publishes), ';', ',' or tab, headers in any case and order; every bad line
is reported with its number and nothing is compared until the file is right.
Read-only: marking matches registered is a separate, confirmed step
(rio.mark_registered)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from portal.domain import rio
from portal.domain.rio import RegisteredRoute
from portal.models import LearningRoute, Organisation, RouteParty
from portal.services.learning_routes.rio import active_rio_parties

COLUMNS = ("vestigingscode", "crebo", "soort", "schooljaar")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20000
MAX_REPORTED = 20  # bad lines listed; the rest counted


class RioFileError(ValueError):
    """The file cannot be compared; `problems` are Dutch messages naming lines."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if problems else "")
        self.problems = problems


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_registered_csv(raw: bytes) -> list[RegisteredRoute]:
    if len(raw) > MAX_BYTES:
        raise RioFileError([f"Het bestand is te groot: hoogstens {MAX_BYTES // (1024 * 1024)} MB."])
    text = _decode(raw)
    if not text.strip():
        raise RioFileError(["Het bestand is leeg."])
    if "\x00" in text:
        raise RioFileError(["Het bestand is geen CSV-tekst."])
    first = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower().replace(" ", "") for h in next(reader)]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise RioFileError([f"Regel 1: kolom(men) ontbreken: {', '.join(missing)}. Verwacht: "
                                f"{', '.join(COLUMNS)}."])
        rows: list[RegisteredRoute] = []
        problems: list[str] = []
        seen: dict[tuple, int] = {}
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            if len(rows) + len(problems) >= MAX_ROWS:
                raise RioFileError([f"Het bestand heeft meer dan {MAX_ROWS} regels; splits het op."])
            row, errors = rio.parse_registered_row(line, dict(zip(header, cells, strict=False)))
            if row is None:
                problems.extend(errors)
            elif row.key in seen:
                continue  # the same registration twice: counted once
            else:
                seen[row.key] = line
                rows.append(row)
    except csv.Error as exc:
        raise RioFileError([f"Regel {reader.line_num}: ongeldige CSV ({exc})."]) from None
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(f"… en nog {len(problems) - MAX_REPORTED} fouten.")
        raise RioFileError(shown)
    if not rows:
        raise RioFileError(["Het bestand bevat geen regels (alleen een kopregel)."])
    return rows


@dataclass(frozen=True)
class PortalEntry:
    """An active DLR/GLR of a vmbo school in a school year, as the portal has it."""
    school: Organisation
    route: LearningRoute
    school_year: str
    registered: bool

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.school.vestigingscode or "", self.route.crebo or "", self.route.kind_code, self.school_year)


@dataclass
class Comparison:
    school_years: list[str]
    only_duo: list[tuple[RegisteredRoute, str]] = field(default_factory=list)  # with the reason
    only_portal: list[PortalEntry] = field(default_factory=list)
    matches: list[PortalEntry] = field(default_factory=list)

    @property
    def to_mark(self) -> list[PortalEntry]:
        """Matches the portal does not yet mark as registered."""
        return [m for m in self.matches if not m.registered]


def compare(session: Session, rows: list[RegisteredRoute]) -> Comparison:
    years = sorted({r.school_year for r in rows})
    result = Comparison(school_years=years)
    portal: dict[tuple, list[PortalEntry]] = {}
    for year in years:
        stmt = (active_rio_parties(year).join(RouteParty.organisation)
                .options(contains_eager(RouteParty.route), contains_eager(RouteParty.organisation))
                .order_by(Organisation.name, LearningRoute.title, LearningRoute.id))
        for party in session.scalars(stmt):
            entry = PortalEntry(party.organisation, party.route, year, party.rio_registered)
            portal.setdefault(entry.key, []).append(entry)
    matched: set[tuple] = set()
    for row in rows:
        entries = portal.get(row.key)
        if entries:
            matched.add(row.key)
            result.matches.extend(entries)
        else:
            result.only_duo.append((row, _reason(session, row)))
    result.only_portal = [e for key, entries in portal.items() if key not in matched for e in entries]
    result.only_portal.sort(key=lambda e: (e.school.name, e.route.title, e.school_year))
    return result


def _reason(session: Session, row: RegisteredRoute) -> str:
    """Why a registration at DUO has no active route in the portal."""
    school = session.scalar(select(Organisation).where(Organisation.vestigingscode == row.vestigingscode))
    if school is None:
        return "Deze vestiging is onbekend in het portaal."
    routes = session.scalars(
        select(LearningRoute).join(RouteParty).where(
            RouteParty.organisation_id == school.id, RouteParty.role == "vmbo", LearningRoute.crebo == row.crebo,
            LearningRoute.kind_code == row.kind)).all()
    if not routes:
        return f"{school.name} heeft in het portaal geen {row.kind.upper()} met crebo {row.crebo}."
    if all(r.archived_at is not None for r in routes):
        return "De route is in het portaal gearchiveerd."
    return f"De route is in het portaal niet actief in schooljaar {row.school_year}."
