"""GeoJSON shapes made small: coordinates rounded, points that became
duplicates dropped. Used by the map page and by the open API."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

COORD_DIGITS = 3  # about 100 m: plenty for a national map, keeps the page small


def _round(coords: Any, digits: int = COORD_DIGITS) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_round(c, digits) for c in coords]


def compact_geometry(geometry: dict[str, Any], digits: int = COORD_DIGITS) -> dict[str, Any]:
    """Round coordinates and drop points that became duplicates."""
    def ring(points: list[list[float]]) -> list[list[float]]:
        out: list[list[float]] = []
        for point in points:
            p = [round(point[0], digits), round(point[1], digits)]
            if not out or out[-1] != p:
                out.append(p)
        return out
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}
    return {"type": geometry["type"], "coordinates": _round(geometry.get("coordinates", []), digits)}


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
