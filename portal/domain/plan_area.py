"""The area of a plan region on a map: the convex hull of its schools (each
school a small square, so that one or two schools still have an area), and
the colour of a plan's state. Pure Python; points are (lat, lon)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.domain import plans as dom

# Half the side of the square around a school, in degrees (about 500 m).
SCHOOL_MARGIN = 0.005

# One colour per state (the overview's map and legend); contrast against the
# light grey of the arbeidsmarktregio's underneath.
STATE_COLOURS: dict[str, str] = {
    dom.CONCEPT: "#bdbdbd",
    dom.SUBMITTED: "#6baed6",
    dom.IN_REVIEW: "#3182bd",
    dom.POSITIVE: "#74c476",
    dom.NOT_READY: "#fd8d3c",
    dom.WITHDRAWN: "#969696",
    dom.APPROVED: "#31a354",
    dom.RUNNING: "#006d2c",
}
REGION_FILL = "#f0f0f0"


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull's corners counter-clockwise, without
    the first point repeated; fewer than three distinct points come back as they are."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts
    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def school_area(schools: Iterable[tuple[float, float]], margin: float = SCHOOL_MARGIN) -> list[tuple[float, float]]:
    """The hull of the squares around the schools (empty without schools)."""
    corners = [(lat + dlat, lon + dlon) for lat, lon in schools
               for dlat in (-margin, margin) for dlon in (-margin, margin)]
    return convex_hull(corners)


def as_geojson_polygon(hull: list[tuple[float, float]]) -> dict[str, Any] | None:
    """The hull as a GeoJSON Polygon ([lon, lat], closed ring), or None."""
    if len(hull) < 3:
        return None
    ring = [[round(lon, 5), round(lat, 5)] for lat, lon in hull]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}
