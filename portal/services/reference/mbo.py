"""The mbo providers and their locations (KiesMBO export): one Organisation of
kind mbo per BRIN, one MboLocation per BRIN + vestiging.

Idempotent by BRIN and by location code. A second run of a changed file
updates what changed and says so; a location missing from the new file is
ended (ended_on), never deleted, because routes may name it. The whole pair
of files is validated before anything is written."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.domain.identifiers import brin_error
from portal.models import MboLocation, Municipality, Organisation
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv

INSTITUTION_COLUMNS = ("brin", "naam", "website", "hoofdlocatie_brinvest", "hoofdlocatie_plaats",
                       "hoofdlocatie_lat", "hoofdlocatie_lon")
LOCATION_COLUMNS = ("brinvest", "instelling_brin", "locatie_naam", "straat_huisnummer", "postcode", "plaats",
                    "url", "lat", "lon", "gemeente_code_2025")
ORG_FIELDS = ("name", "website", "city", "lat", "lon", "municipality_id")
LOCATION_FIELDS = ("organisation_id", "name", "street", "postcode", "city", "website", "lat", "lon",
                   "municipality_id")


@dataclass
class MboImportReport(ImportReport):
    """What the import did, with the codes of what changed."""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    institutions: int = 0
    locations: int = 0

    def summary(self) -> str:
        def listed(codes: list[str]) -> str:
            shown = ", ".join(codes[:12])
            return f" ({shown}{', …' if len(codes) > 12 else ''})" if codes else ""
        return (f"{self.institutions} mbo-instellingen en {self.locations} locaties in het bestand; "
                f"{len(self.added)} toegevoegd{listed(self.added)}, {len(self.changed)} gewijzigd"
                f"{listed(self.changed)}, {len(self.ended)} beëindigd{listed(self.ended)}")


def _float(value: str, line: int, column: str) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ReferenceDataError(f"Regel {line}: '{value}' in kolom {column} is geen getal.") from None


def _website(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        value = "https://" + value
    return value[:255]


def parse_institutions(raw: bytes | str) -> dict[str, dict]:
    """BRIN -> the provider's fields, validated; names the line at fault."""
    result: dict[str, dict] = {}
    for line, row in read_csv(raw, INSTITUTION_COLUMNS):
        brin = row["brin"]
        message = brin_error(brin) if brin else "het BRIN-nummer ontbreekt."
        if message:
            raise ReferenceDataError(f"Instellingen, regel {line} ({brin or '–'}): {message}")
        if brin in result:
            raise ReferenceDataError(f"Instellingen, regel {line}: BRIN {brin} komt dubbel voor.")
        if not row["naam"]:
            raise ReferenceDataError(f"Instellingen, regel {line} ({brin}): de naam ontbreekt.")
        result[brin] = {
            "line": line, "name": row["naam"][:255], "website": _website(row["website"]),
            "city": row["hoofdlocatie_plaats"] or None, "main_location": row["hoofdlocatie_brinvest"],
            "lat": _float(row["hoofdlocatie_lat"], line, "hoofdlocatie_lat"),
            "lon": _float(row["hoofdlocatie_lon"], line, "hoofdlocatie_lon"),
        }
    if not result:
        raise ReferenceDataError("Instellingen: het bestand bevat geen instellingen.")
    return result


def parse_locations(raw: bytes | str, institutions: dict[str, dict],
                    municipalities: dict[str, int]) -> dict[str, dict]:
    """Location code -> its fields, validated against the providers and the
    loaded gemeenten; names the line at fault."""
    result: dict[str, dict] = {}
    for line, row in read_csv(raw, LOCATION_COLUMNS):
        code, brin = row["brinvest"], row["instelling_brin"]
        where = f"Locaties, regel {line} ({code or '–'})"
        if brin not in institutions:
            raise ReferenceDataError(f"{where}: instelling {brin or '–'} staat niet in het instellingenbestand.")
        if len(code) != 6 or not code.startswith(brin) or not code[4:].isdecimal():
            raise ReferenceDataError(f"{where}: de locatiecode moet BRIN {brin} + 2 cijfers zijn.")
        if code in result:
            raise ReferenceDataError(f"{where}: locatiecode {code} komt dubbel voor.")
        gm = row["gemeente_code_2025"]
        if gm and gm not in municipalities:
            raise ReferenceDataError(f"{where}: gemeente {gm} is onbekend; laad eerst de gemeenten "
                                     "(flask geo import-municipalities).")
        result[code] = {
            "brin": brin, "name": (row["locatie_naam"] or institutions[brin]["name"])[:255],
            "street": row["straat_huisnummer"][:255] or None, "postcode": row["postcode"][:16] or None,
            "city": row["plaats"][:120] or None, "website": _website(row["url"]),
            "lat": _float(row["lat"], line, "lat"), "lon": _float(row["lon"], line, "lon"),
            "municipality_id": municipalities.get(gm) if gm else None,
        }
    return result


def import_mbo(session: Session, institutions_raw: bytes | str, locations_raw: bytes | str,
               actor=None, today: date | None = None) -> MboImportReport:
    """Load both files in the caller's transaction; raises ReferenceDataError
    before writing anything when either file is unusable."""
    municipalities = {m.code: m.id for m in session.scalars(select(Municipality))}
    institutions = parse_institutions(institutions_raw)
    locations = parse_locations(locations_raw, institutions, municipalities)
    report = MboImportReport(institutions=len(institutions), locations=len(locations))
    orgs = _upsert_institutions(session, institutions, locations, report)
    _upsert_locations(session, locations, orgs, report, today or date.today())
    session.flush()
    record(session, actor, "mbo_set", None, "import",
           after={"instellingen": len(institutions), "locaties": len(locations), "toegevoegd": report.added,
                  "gewijzigd": report.changed, "beeindigd": report.ended})
    return report


def _upsert_institutions(session: Session, institutions: dict[str, dict], locations: dict[str, dict],
                         report: MboImportReport) -> dict[str, Organisation]:
    existing = {o.brin: o for o in session.scalars(
        select(Organisation).where(Organisation.kind == "mbo", Organisation.brin.is_not(None)))}
    # An mbo institution created before the reference data (by name, without
    # BRIN: the demo seed of earlier versions) is adopted, not duplicated.
    unnamed = {o.name: o for o in session.scalars(
        select(Organisation).where(Organisation.kind == "mbo", Organisation.brin.is_(None)))}
    orgs: dict[str, Organisation] = {}
    for brin, item in institutions.items():
        main = locations.get(item["main_location"])
        values = {"name": item["name"], "website": item["website"], "city": item["city"],
                  "lat": item["lat"], "lon": item["lon"],
                  "municipality_id": main["municipality_id"] if main else None}
        org = existing.get(brin) or unnamed.pop(item["name"], None)
        if org is None:
            org = Organisation(kind="mbo", brin=brin, **values)
            session.add(org)
            report.created += 1
            report.added.append(brin)
        else:
            if org.municipality_id is not None and values["municipality_id"] is None:
                values["municipality_id"] = org.municipality_id
            changed = [f for f in ORG_FIELDS if getattr(org, f) != values[f]] + \
                (["brin"] if org.brin != brin else [])
            org.brin = brin
            org.is_demo = False  # a demo stand-in becomes the real institution
            for f in ORG_FIELDS:
                setattr(org, f, values[f])
            if changed:
                report.updated += 1
                report.changed.append(brin)
            else:
                report.unchanged += 1
        orgs[brin] = org
    session.flush()
    return orgs


def _upsert_locations(session: Session, locations: dict[str, dict], orgs: dict[str, Organisation],
                      report: MboImportReport, today: date) -> None:
    existing = {loc.code: loc for loc in session.scalars(select(MboLocation))}
    for code, item in locations.items():
        values = {f: item[f] for f in LOCATION_FIELDS if f != "organisation_id"}
        values["organisation_id"] = orgs[item["brin"]].id
        location = existing.get(code)
        if location is None:
            session.add(MboLocation(code=code, **values))
            report.created += 1
            report.added.append(code)
            continue
        changed = any(getattr(location, f) != values[f] for f in LOCATION_FIELDS) or location.ended_on
        for f in LOCATION_FIELDS:
            setattr(location, f, values[f])
        location.ended_on = None
        if changed:
            report.updated += 1
            report.changed.append(code)
        else:
            report.unchanged += 1
    for code, location in sorted(existing.items()):
        if code not in locations and location.ended_on is None:
            location.ended_on = today
            report.ended.append(code)
