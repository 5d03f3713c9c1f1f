"""The CBS indeling per year: arbeidsmarktregio boundaries (GeoJSON) and the
gemeente -> region mapping (CSV)."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.geometry import GeometryError, valid_polygonal
from portal.domain.identifiers import is_municipality_code, is_region_code
from portal.models import Municipality, MunicipalityRegion, Region
from portal.services.reference.files import ImportReport, ReferenceDataError, read_csv
from portal.services.reference.region_years import CURRENT_YEAR, activate_if_complete


def current_region_year(session: Session) -> int | None:
    """The indeling in use: the stored year, switched only when a newer year is
    complete or on request (region_years); one small query, run on every page."""
    return session.scalar(CURRENT_YEAR)


REGION_CODES = (is_region_code, "arbeidsmarktregiocode (verwacht AM en twee cijfers)", "regiocode")


def parse_region_geojson(raw: bytes | str, codes=REGION_CODES, repaired: list[str] | None = None
                         ) -> list[tuple[str, str, str]]:
    """Return (code, name, geometry-json) per feature, or raise naming the feature.
    `codes` is the check of the statcode and its description (regions by default;
    the provincies and gemeenten use the same reader). An invalid polygon (the CBS
    files have a few) is repaired (core/geometry.py); the codes of the repaired
    features are added to `repaired`."""
    is_code, code_words, noun = codes
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
        if not is_code(code):
            raise ReferenceDataError(f"{where}: '{code}' is geen {code_words}.")
        if code in seen:
            raise ReferenceDataError(f"{where}: {noun} {code} komt dubbel voor.")
        seen.add(code)
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ReferenceDataError(f"{where} ({code}): geometrie moet een Polygon of MultiPolygon zijn.")
        _check_wgs84(geometry, f"{where} ({code})")
        try:
            valid = valid_polygonal(geometry)
        except GeometryError as exc:
            raise ReferenceDataError(f"{where} ({code}): {exc}.") from None
        if valid is not geometry:
            geometry = valid
            if repaired is not None:
                repaired.append(code)
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
    repaired: list[str] = []
    parsed = parse_region_geojson(raw, repaired=repaired)
    report = ImportReport()
    if repaired:
        report.notes.append(f"Ongeldige geometrie hersteld: {', '.join(repaired)}.")
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
    activate_if_complete(session, year, actor)
    return report


MUNICIPALITY_COLUMNS = ("gemeente_code", "gemeente_naam", "arbeidsmarktregio_code")


def import_municipalities(session: Session, raw: bytes | str, year: int, actor=None) -> ImportReport:
    """Load the gemeente -> arbeidsmarktregio mapping for one year."""
    rows = read_csv(raw, MUNICIPALITY_COLUMNS)
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
    activate_if_complete(session, year, actor)
    return report
