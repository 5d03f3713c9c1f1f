"""The provincies and the gemeente boundaries and centres, for the landelijke
dekking of the profielen (issue 16): which gemeente lies in which provincie,
and where its centre is for the thuisnabij distances.

Files (CBS gebiedsindelingen via PDOK, see the data README): provincie_2025.geojson,
gemeente_2025.geojson and the label points of gemeente_arbeidsmarktregio_2025.csv.
A gemeente belongs to the provincie whose polygon holds its label point (a point
guaranteed inside the gemeente)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.geometry import contains_point
from portal.domain.identifiers import is_municipality_code, is_province_code
from portal.models import Municipality, Province
from portal.services.reference.boundaries import parse_region_geojson
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv

PROVINCE_CODES = (is_province_code, "provinciecode (verwacht PV en twee cijfers)", "provinciecode")
MUNICIPALITY_CODES = (is_municipality_code, "gemeentecode (verwacht GM en vier cijfers)", "gemeentecode")
LABEL_COLUMNS = ("gemeente_code", "label_lat", "label_lon")


def import_provinces(session: Session, raw: bytes | str, actor=None) -> ImportReport:
    """Load (or update) the 12 provincies with their boundaries."""
    repaired: list[str] = []
    parsed = parse_region_geojson(raw, PROVINCE_CODES, repaired)
    report = ImportReport()
    if repaired:
        report.notes.append(f"Ongeldige geometrie hersteld: {', '.join(repaired)}.")
    existing = {p.code: p for p in session.scalars(select(Province))}
    for code, name, geometry in parsed:
        province = existing.get(code)
        if province is None:
            session.add(Province(code=code, name=name, geometry=geometry))
            report.created += 1
        elif (province.name, province.geometry) != (name, geometry):
            province.name, province.geometry = name, geometry
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    record(session, actor, "province_set", None, "import",
           after={"provinces": len(parsed), "created": report.created, "updated": report.updated})
    return report


def import_municipality_boundaries(session: Session, raw: bytes | str, actor=None) -> ImportReport:
    """Store each known gemeente's boundary. Gemeenten must be loaded first (the
    gemeente -> region mapping); a feature for an unknown gemeente is an error."""
    repaired: list[str] = []
    parsed = parse_region_geojson(raw, MUNICIPALITY_CODES, repaired)
    municipalities = {m.code: m for m in session.scalars(select(Municipality))}
    unknown = [code for code, _, _ in parsed if code not in municipalities]
    if unknown:
        raise ReferenceDataError(
            f"Onbekende gemeente(n) in het grenzenbestand: {', '.join(unknown[:5])}; laad eerst de gemeenten."
        )
    report = ImportReport()
    if repaired:
        report.notes.append(f"Ongeldige geometrie hersteld: {', '.join(repaired)}.")
    for code, _, geometry in parsed:
        municipality = municipalities[code]
        if municipality.geometry == geometry:
            report.unchanged += 1
        else:
            municipality.geometry = geometry
            report.updated += 1
    session.flush()
    record(session, actor, "municipality_boundaries", None, "import",
           after={"municipalities": len(parsed), "updated": report.updated, "repaired": repaired})
    return report


def import_municipality_centres(session: Session, raw: bytes | str, actor=None) -> ImportReport:
    """Each gemeente's label point, and from it its provincie."""
    rows = read_csv(raw, LABEL_COLUMNS)
    points: dict[str, tuple[float, float]] = {}
    for line, row in rows:
        try:
            lat, lon = float(row["label_lat"]), float(row["label_lon"])
        except ValueError:
            raise ReferenceDataError(f"Regel {line}: label_lat/label_lon zijn geen getallen.") from None
        if not (50.5 <= lat <= 53.8 and 3.2 <= lon <= 7.3):
            raise ReferenceDataError(f"Regel {line}: het punt ({lat}, {lon}) ligt niet in Nederland.")
        points[row["gemeente_code"]] = (lat, lon)
    provinces = [(p, json.loads(p.geometry)) for p in session.scalars(select(Province)) if p.geometry]
    report = ImportReport()
    for municipality in session.scalars(select(Municipality)):
        point = points.get(municipality.code)
        if point is None:
            report.skipped += 1
            continue
        province = next((p for p, shape in provinces if contains_point(shape, point[1], point[0])), None)
        before = (municipality.label_lat, municipality.label_lon, municipality.province_id)
        municipality.label_lat, municipality.label_lon = point
        if province is not None:
            municipality.province = province
        elif provinces:
            report.notes.append(f"{municipality.code} {municipality.name}: in geen provincie gevonden")
        session.flush()
        if before == (municipality.label_lat, municipality.label_lon, municipality.province_id):
            report.unchanged += 1
        else:
            report.updated += 1
    record(session, actor, "municipality_centres", None, "import",
           after={"updated": report.updated, "unchanged": report.unchanged, "skipped": report.skipped})
    return report
