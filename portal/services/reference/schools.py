"""DUO's vo-vestigingen: the vestigingen that offer vmbo, as vmbo Organisations."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.domain.identifiers import brin_error, vestigingsnummer_error
from portal.models import Municipality, Organisation, Pathway
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv
from portal.services.reference.vocabularies import seed_vocabularies

SCHOOL_COLUMNS = (
    "vestigingscode", "brin_nummer", "vestigingsnummer", "vestigingsnaam", "onderwijsstructuur",
    "heeft_vmbo", "gemeente_code_2025", "plaats", "lat", "lon", "leerlingen",
)


def pathways_for_structure(structure: str) -> list[str]:
    """DUO's onderwijsstructuur describes the vestiging, not its leerwegen.
    VBO means the beroepsgerichte leerwegen (BB, KB); MAVO the theoretische (TL);
    with both, the gemengde leerweg (GL) is assumed too."""
    parts = {p.strip().upper() for p in structure.split("/")}
    result = []
    if "VBO" in parts:
        result += ["BB", "KB"]
    if "VBO" in parts and "MAVO" in parts:
        result.append("GL")
    if "MAVO" in parts:
        result.append("TL")
    return result


def _optional_float(value: str, line: int, column: str) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ReferenceDataError(f"Regel {line}: '{value}' in kolom {column} is geen getal.") from None


def import_schools(session: Session, raw: bytes | str, actor=None) -> ImportReport:  # noqa: C901  validate-everything-then-write over one file's columns
    """Load the vo-vestigingen that offer vmbo as vmbo Organisations.
    Idempotent by vestigingscode: a newer file updates, never duplicates."""
    rows = read_csv(raw, SCHOOL_COLUMNS)
    municipalities = {m.code: m.id for m in session.scalars(select(Municipality))}
    parsed = []
    seen: set[str] = set()
    for line, row in rows:
        if row["heeft_vmbo"] not in ("0", "1"):
            raise ReferenceDataError(f"Regel {line}: kolom heeft_vmbo moet 0 of 1 zijn.")
        if row["heeft_vmbo"] != "1":
            continue
        code, brin, nummer = row["vestigingscode"], row["brin_nummer"], row["vestigingsnummer"]
        for message in (brin_error(brin), vestigingsnummer_error(nummer)):
            if message:
                raise ReferenceDataError(f"Regel {line} ({code}): {message}")
        if code != brin + nummer:
            raise ReferenceDataError(f"Regel {line}: vestigingscode {code} is niet BRIN + vestigingsnummer.")
        if code in seen:
            raise ReferenceDataError(f"Regel {line}: vestigingscode {code} komt dubbel voor.")
        seen.add(code)
        if not row["vestigingsnaam"]:
            raise ReferenceDataError(f"Regel {line} ({code}): de vestigingsnaam ontbreekt.")
        gm = row["gemeente_code_2025"]
        if gm and gm not in municipalities:
            raise ReferenceDataError(
                f"Regel {line} ({code}): gemeente {gm} is onbekend; laad eerst de gemeenten "
                "(flask geo import-municipalities)."
            )
        pupils = row["leerlingen"]
        if pupils and not pupils.isdecimal():
            raise ReferenceDataError(f"Regel {line}: '{pupils}' in kolom leerlingen is geen geheel getal.")
        parsed.append({
            "vestigingscode": code, "brin": brin, "vestigingsnummer": nummer,
            "name": row["vestigingsnaam"], "city": row["plaats"] or None,
            "municipality_id": municipalities.get(gm) if gm else None,
            "lat": _optional_float(row["lat"], line, "lat"),
            "lon": _optional_float(row["lon"], line, "lon"),
            "pupils": int(pupils) if pupils else None,
            "website": _website(row.get("internetadres", "")),
            "pathways": pathways_for_structure(row["onderwijsstructuur"]),
        })

    report = ImportReport()
    pathway_rows = {p.code: p for p in session.scalars(select(Pathway))}
    if not pathway_rows:
        seed_vocabularies(session)
        pathway_rows = {p.code: p for p in session.scalars(select(Pathway))}
    existing = {
        o.vestigingscode: o
        for o in session.scalars(select(Organisation).where(Organisation.vestigingscode.is_not(None)))
    }
    fields = ("brin", "vestigingsnummer", "name", "city", "municipality_id", "lat", "lon", "pupils", "website")
    for item in parsed:
        org = existing.get(item["vestigingscode"])
        if org is None:
            org = Organisation(kind="vmbo", vestigingscode=item["vestigingscode"],
                               **{f: item[f] for f in fields})
            org.pathways = [pathway_rows[c] for c in item["pathways"]]
            session.add(org)
            report.created += 1
            continue
        changed = False
        for f in fields:
            if getattr(org, f) != item[f]:
                setattr(org, f, item[f])
                changed = True
        if not org.pathways and item["pathways"]:
            # Only fill leerwegen from DUO when nobody has set them by hand.
            org.pathways = [pathway_rows[c] for c in item["pathways"]]
            changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    record(session, actor, "school_set", None, "import",
           after={"vmbo_vestigingen": len(parsed), "created": report.created, "updated": report.updated})
    return report


def _website(value: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        value = "https://" + value
    return value[:255]
