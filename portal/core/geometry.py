"""GeoJSON shapes: repaired on import (valid_polygonal) and made small for
the pages and the API (compact_geometry: coordinates rounded, still valid).

The CBS generalized boundary files hold a few invalid polygons (AM24 Zeeland:
two holes sharing an edge; gemeenten GM1676 and GM0293 touch themselves).
GIS clients flag them and geometric operations on them go wrong, so the
importer stores the repaired shape, and rounding for the map snaps to a grid
that keeps it valid (plain rounding can make a valid ring cross itself)."""
from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

COORD_DIGITS = 3  # about 100 m: plenty for a national map, keeps the page small
K = TypeVar("K", bound=Hashable)


class GeometryError(ValueError):
    """A shape that cannot be made into a valid (Multi)Polygon."""


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The polygonal part of a geometry (make_valid and set_precision may
    return a GeometryCollection with lines or points beside the polygons)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return None if geom.is_empty else geom
    polygons: list[Polygon] = []
    for part in getattr(geom, "geoms", []):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(p for p in part.geoms if not p.is_empty)
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _as_geojson(geom: Polygon | MultiPolygon) -> dict[str, Any]:
    out = mapping(geom)

    def lists(value: Any) -> Any:
        return [lists(v) for v in value] if isinstance(value, (list, tuple)) else value

    return {"type": out["type"], "coordinates": lists(out["coordinates"])}


def valid_polygonal(geometry: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon/MultiPolygon made valid (shapely's make_valid, keeping
    only the polygonal parts). A valid shape comes back unchanged. Raises
    GeometryError when nothing polygonal is left."""
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"ongeldige geometrie ({exc})") from None
    if geom.is_valid and isinstance(geom, (Polygon, MultiPolygon)) and not geom.is_empty:
        return geometry
    repaired = _polygonal(shapely.make_valid(geom))
    if repaired is None or not repaired.is_valid:
        raise GeometryError("de geometrie is niet te herstellen tot een geldig vlak")
    return _as_geojson(repaired)


def is_valid_geojson(geometry: dict[str, Any]) -> bool:
    """Whether a GeoJSON shape is a valid, non-empty Polygon or MultiPolygon (OGC rules)."""
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        return False
    return isinstance(geom, (Polygon, MultiPolygon)) and not geom.is_empty and geom.is_valid


def compact_geometry(geometry: dict[str, Any], digits: int = COORD_DIGITS) -> dict[str, Any]:
    """Round coordinates and drop points that became duplicates, keeping a
    polygon valid: when rounding alone breaks it (a ring that now touches or
    crosses itself), the shape snaps to the 10^-digits grid the way GEOS does
    it (set_precision), which mends what rounding broke."""
    if geometry["type"] not in ("Polygon", "MultiPolygon"):
        return {"type": geometry["type"], "coordinates": _round(geometry.get("coordinates", []), digits)}
    rounded = _rounded_rings(geometry, digits)
    if is_valid_geojson(rounded):
        return rounded
    try:
        snapped = _polygonal(shapely.set_precision(shapely.make_valid(shape(geometry)), 10 ** -digits))
    except (ValueError, TypeError, shapely.errors.GEOSException):
        snapped = None
    if snapped is None or not snapped.is_valid:  # nothing valid left at this precision
        return rounded
    out = _as_geojson(snapped)
    return {"type": out["type"], "coordinates": _round(out["coordinates"], digits)}


def _round(coords: Any, digits: int = COORD_DIGITS) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_round(c, digits) for c in coords]


def _rounded_rings(geometry: dict[str, Any], digits: int) -> dict[str, Any]:
    def ring(points: list[list[float]]) -> list[list[float]]:
        out: list[list[float]] = []
        for point in points:
            p = [round(point[0], digits), round(point[1], digits)]
            if not out or out[-1] != p:
                out.append(p)
        return out
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


@lru_cache(maxsize=256)
def compact_geometry_text(geometry: str, digits: int = COORD_DIGITS) -> dict[str, Any]:
    """compact_geometry of a stored GeoJSON text, remembered: region shapes are
    reference data, the same text every request. Callers must not change it."""
    return compact_geometry(json.loads(geometry), digits)


def _in_ring(ring: list[list[float]], x: float, y: float) -> bool:
    """Even-odd ray casting over one closed ring of [x, y] positions."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains_point(geometry: dict[str, Any], x: float, y: float) -> bool:
    """Whether a GeoJSON Polygon/MultiPolygon holds the point (x = longitude, y = latitude).
    Holes are honoured; a point exactly on an edge may fall either way."""
    polygons = geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else [geometry.get("coordinates", [])]
    return any(
        rings and _in_ring(rings[0], x, y) and not any(_in_ring(hole, x, y) for hole in rings[1:])
        for rings in polygons
    )


@lru_cache(maxsize=256)
def prepared_shape(geometry: str) -> BaseGeometry:
    """The shapely shape of a stored GeoJSON text, prepared for repeated
    predicates and remembered (region shapes are reference data). Callers must not change it."""
    geom = shape(json.loads(geometry))
    shapely.prepare(geom)
    return geom


def hull_overlaps(points: Iterable[tuple[float, float]], geometries: Iterable[tuple[K, str]]) -> list[K]:
    """The keys of the stored shapes that the convex hull of the points (x =
    longitude, y = latitude) overlaps: shares more with than a boundary. The
    hull of one point is that point, of two a line, so one or two schools
    overlap the shapes they lie in (or the line between them crosses)."""
    pts = list(points)
    if not pts:
        return []
    hull = MultiPoint(pts).convex_hull
    found: list[K] = []
    for key, text in geometries:
        geom = prepared_shape(text)
        if geom.intersects(hull) and not geom.touches(hull):
            found.append(key)
    return found
