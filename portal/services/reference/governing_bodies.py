"""The bevoegd gezag of each vo vestiging, from DUO's "02. Alle vestigingen vo"."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.models import Organisation
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv

COLUMNS = ("BEVOEGD GEZAG NUMMER", "BRIN NUMMER", "VESTIGINGSNUMMER")
NAME_COLUMNS = ("BEVOEGD GEZAG NAAM", "NAAM BEVOEGD GEZAG")


def parse_governing_bodies(raw: bytes | str) -> dict[str, tuple[str, str | None]]:
    """vestigingscode -> (bevoegd-gezagnummer, naam or None: the 2020 file has no name)."""
    result: dict[str, tuple[str, str | None]] = {}
    for line, row in read_csv(raw, COLUMNS, legacy=True):
        brin, number, body = row["BRIN NUMMER"], row["VESTIGINGSNUMMER"], row["BEVOEGD GEZAG NUMMER"]
        code = number if len(number) == 6 else brin + number
        if len(code) != 6 or not code.startswith(brin):
            raise ReferenceDataError(f"Regel {line}: '{number}' is geen vestigingsnummer van BRIN {brin}.")
        if not body.isdecimal() or len(body) > 16:
            raise ReferenceDataError(f"Regel {line} ({code}): bevoegd-gezagnummer '{body}' is geen nummer.")
        name = next((row[c] for c in NAME_COLUMNS if row.get(c)), None)
        result[code] = (body, name[:255] if name else None)
    return result


def import_governing_bodies(session: Session, raw: bytes | str, actor=None) -> ImportReport:
    """Fill each vmbo school's bevoegd gezag (number, and name when the file
    has it) where it is empty; a value set by hand is never overwritten, and
    the differences are counted in the report."""
    bodies = parse_governing_bodies(raw)
    report = ImportReport()
    differing = 0
    for org in session.scalars(select(Organisation).where(Organisation.vestigingscode.in_(list(bodies)))):
        number, name = bodies[org.vestigingscode]  # type: ignore[index]
        changed = False
        if not org.governing_body_number:
            org.governing_body_number, changed = number, True
        elif org.governing_body_number != number:
            differing += 1
        if name and not org.governing_body_name:
            org.governing_body_name, changed = name, True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.skipped = len(bodies) - report.updated - report.unchanged
    if differing:
        report.notes.append(f"{differing} scholen hebben al een ander bevoegd-gezagnummer (niet overschreven)")
    session.flush()
    record(session, actor, "school_set", None, "governing_bodies",
           after={"vestigingen": len(bodies), "updated": report.updated})
    return report
