"""Loading the real reference data: vocabularies, arbeidsmarktregio boundaries,
the gemeente -> region mapping and the DUO vo-vestigingen.

Every loader validates the whole file first and raises ReferenceDataError
naming the line or feature at fault; only then does it write, so a bad file
leaves nothing half-loaded (the caller commits once).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain import vocab
from portal.domain.identifiers import (
    brin_error, is_municipality_code, is_region_code, vestigingsnummer_error,
)
from portal.models import (
    MboDomain, MboLevel, Municipality, MunicipalityRegion, Organisation, Pathway, Profile, Region,
    RouteKind,
)
from portal.core.audit import record


class ReferenceDataError(ValueError):
    """A reference file is unusable; the message names the line or feature."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.created} nieuw, {self.updated} bijgewerkt, "
                f"{self.unchanged} ongewijzigd, {self.skipped} overgeslagen")
        return text


# --- vocabularies ----------------------------------------------------------

def seed_vocabularies(session: Session) -> int:
    """Insert or update the official vocabularies; safe to rerun. Audited
    (one entry) when a term was added or changed; returns the number added."""
    count = 0
    changed: list[str] = []
    tables: Iterable[tuple[type, tuple[vocab.Term, ...]]] = (
        (Pathway, vocab.PATHWAYS), (MboLevel, vocab.MBO_LEVELS),
        (MboDomain, vocab.MBO_DOMAINS), (RouteKind, vocab.ROUTE_KINDS),
    )
    for model, terms in tables:
        for order, term in enumerate(terms):
            count += _upsert_term(session, model, term, order, changed)
    for order, term in enumerate(vocab.PROFILES):
        count += _upsert_term(
            session, Profile, term, order, changed,
            abbreviation=vocab.PROFILE_ABBREVIATIONS[term.code], is_tl=term.code.startswith("TL-"),
        )
    session.flush()
    if changed:
        record(session, None, "vocabulary", None, "seed", after={"added": count, "changed": changed})
    return count


def _upsert_term(session: Session, model: type, term: vocab.Term, order: int, changed: list[str], **extra) -> int:
    row = session.get(model, term.code)
    key = f"{model.__tablename__}:{term.code}"
    if row is None:
        session.add(model(code=term.code, name=term.name, sort_order=order, **extra))
        changed.append(key)
        return 1
    wanted = {"name": term.name, "sort_order": order, **extra}
    if any(getattr(row, k) != v for k, v in wanted.items()):
        changed.append(key)
        for k, v in wanted.items():
            setattr(row, k, v)
    return 0


# --- regions ---------------------------------------------------------------

def current_region_year(session: Session) -> int | None:
    """The newest indeling that is loaded (regions of older years stay)."""
    return session.scalar(select(func.max(Region.year)))


def parse_region_geojson(raw: bytes | str) -> list[tuple[str, str, str]]:
    """Return (code, name, geometry-json) per feature, or raise naming the feature."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(f"Het bestand is geen geldige GeoJSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ReferenceDataError("Het bestand is geen GeoJSON FeatureCollection.")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ReferenceDataError("De FeatureCollection bevat geen features.")
    seen: set[str] = set()
    result = []
    for index, feature in enumerate(features, start=1):
        where = f"feature {index}"
        if not isinstance(feature, dict):
            raise ReferenceDataError(f"{where}: is geen GeoJSON-feature.")
        props = feature.get("properties") or {}
        code = str(props.get("statcode") or "").strip()
        name = str(props.get("statnaam") or "").strip()
        if not code:
            raise ReferenceDataError(f"{where}: eigenschap 'statcode' ontbreekt.")
        if not name:
            raise ReferenceDataError(f"{where} ({code}): eigenschap 'statnaam' ontbreekt.")
        if not is_region_code(code):
            raise ReferenceDataError(
                f"{where}: '{code}' is geen arbeidsmarktregiocode (verwacht AM en twee cijfers)."
            )
        if code in seen:
            raise ReferenceDataError(f"{where}: regiocode {code} komt dubbel voor.")
        seen.add(code)
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ReferenceDataError(f"{where} ({code}): geometrie moet een Polygon of MultiPolygon zijn.")
        _check_wgs84(geometry, f"{where} ({code})")
        result.append((code, name, json.dumps(geometry, separators=(",", ":"))))
    return result


def _check_wgs84(geometry: dict, where: str) -> None:
    coords = geometry.get("coordinates")
    stack = [coords]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and isinstance(item[0], (int, float)):
            lon, lat = item[0], item[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ReferenceDataError(f"{where}: coördinaten zijn geen WGS84 (lengte/breedte).")
            return  # one point suffices: projected files fail on the first
        if isinstance(item, list):
            stack.extend(item)
        else:
            raise ReferenceDataError(f"{where}: ongeldige coördinaten.")


def import_regions(session: Session, raw: bytes | str, year: int, actor=None) -> ImportReport:
    """Load one year's indeling. Other years are left untouched."""
    parsed = parse_region_geojson(raw)
    report = ImportReport()
    existing = {r.code: r for r in session.scalars(select(Region).where(Region.year == year))}
    for code, name, geometry in parsed:
        region = existing.get(code)
        if region is None:
            session.add(Region(code=code, name=name, year=year, geometry=geometry))
            report.created += 1
        elif region.name != name or region.geometry != geometry:
            region.name, region.geometry = name, geometry
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    record(session, actor, "region_set", year, "import",
           after={"year": year, "regions": len(parsed), "created": report.created,
                  "updated": report.updated})
    return report


# --- municipalities ----------------------------------------------------------

MUNICIPALITY_COLUMNS = ("gemeente_code", "gemeente_naam", "arbeidsmarktregio_code")


def _read_csv(raw: bytes | str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReferenceDataError("Het bestand is geen UTF-8-tekst.") from None
    sample = raw[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ReferenceDataError(f"Regel 1: kolom(men) ontbreken: {', '.join(missing)}.")
    reader.fieldnames = header
    try:
        return [(i, {k: (v or "").strip() for k, v in row.items() if k})
                for i, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise ReferenceDataError(f"Regel {reader.line_num}: ongeldige CSV ({exc}).") from None


def import_municipalities(session: Session, raw: bytes | str, year: int, actor=None) -> ImportReport:
    """Load the gemeente -> arbeidsmarktregio mapping for one year."""
    rows = _read_csv(raw, MUNICIPALITY_COLUMNS)
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.year == year))}
    if not regions:
        raise ReferenceDataError(
            f"Er zijn nog geen arbeidsmarktregio's voor {year} geladen; laad eerst de regiogrenzen "
            f"(flask geo import BESTAND --year {year})."
        )
    seen: set[str] = set()
    for line, row in rows:
        code, name, region_code = row["gemeente_code"], row["gemeente_naam"], row["arbeidsmarktregio_code"]
        if not is_municipality_code(code):
            raise ReferenceDataError(f"Regel {line}: '{code}' is geen gemeentecode (verwacht GM en vier cijfers).")
        if not name:
            raise ReferenceDataError(f"Regel {line}: de gemeentenaam ontbreekt.")
        if region_code not in regions:
            raise ReferenceDataError(
                f"Regel {line}: onbekende arbeidsmarktregio '{region_code}' voor {code} in {year}."
            )
        if code in seen:
            raise ReferenceDataError(f"Regel {line}: gemeente {code} komt dubbel voor.")
        seen.add(code)
    if not rows:
        raise ReferenceDataError("Het bestand bevat geen gemeenten.")

    report = ImportReport()
    municipalities = {m.code: m for m in session.scalars(select(Municipality))}
    memberships = {
        m.municipality_id: m
        for m in session.scalars(select(MunicipalityRegion).where(MunicipalityRegion.year == year))
    }
    for _, row in rows:
        municipality = municipalities.get(row["gemeente_code"])
        if municipality is None:
            municipality = Municipality(code=row["gemeente_code"], name=row["gemeente_naam"])
            session.add(municipality)
            session.flush()
            municipalities[municipality.code] = municipality
            report.created += 1
        elif municipality.name != row["gemeente_naam"]:
            municipality.name = row["gemeente_naam"]
            report.updated += 1
        else:
            report.unchanged += 1
        region = regions[row["arbeidsmarktregio_code"]]
        membership = memberships.get(municipality.id)
        if membership is None:
            session.add(MunicipalityRegion(municipality_id=municipality.id, region_id=region.id, year=year))
        elif membership.region_id != region.id:
            membership.region_id = region.id
    session.flush()
    record(session, actor, "municipality_set", year, "import",
           after={"year": year, "municipalities": len(rows)})
    return report


# --- schools -----------------------------------------------------------------

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


def import_schools(session: Session, raw: bytes | str, actor=None) -> ImportReport:
    """Load the vo-vestigingen that offer vmbo as vmbo Organisations.
    Idempotent by vestigingscode: a newer file updates, never duplicates."""
    rows = _read_csv(raw, SCHOOL_COLUMNS)
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
