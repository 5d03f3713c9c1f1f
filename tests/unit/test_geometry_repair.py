"""Boundaries are valid geometries: the repair of the CBS files' invalid
polygons (core/geometry.valid_polygonal) and the rounding for the map and the
API (compact_geometry) that must not break them again. Real files: the
regions of 2024 and 2025, the gemeenten and the provincies."""
from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from portal.core.geometry import GeometryError, compact_geometry, is_valid_geojson, valid_polygonal
from tests.conftest import require_data_file

FILES = ("arbeidsmarktregio_2025.geojson", "arbeidsmarktregio_2024.geojson", "gemeente_2025.geojson",
         "provincie_2025.geojson")
# The source geometries that are not valid (README of the data): the control that the check can fail.
KNOWN_INVALID = {"arbeidsmarktregio_2025.geojson": {"AM24"}, "arbeidsmarktregio_2024.geojson": {"AM24"},
                 "gemeente_2025.geojson": {"GM1676", "GM0293"}, "provincie_2025.geojson": {"PV29"}}


def features(name: str) -> list[dict]:
    return json.loads(require_data_file(name).read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize("name", FILES)
def test_the_source_files_hold_the_known_invalid_polygons(name):
    invalid = {f["properties"]["statcode"] for f in features(name) if not is_valid_geojson(f["geometry"])}
    assert invalid == KNOWN_INVALID[name]


@pytest.mark.parametrize("name", FILES)
def test_every_boundary_is_valid_after_repair_and_after_rounding(name):
    for feature in features(name):
        code = feature["properties"]["statcode"]
        repaired = valid_polygonal(feature["geometry"])
        assert repaired["type"] in ("Polygon", "MultiPolygon"), code
        assert is_valid_geojson(repaired), code
        # The repair keeps the area: nothing of the region is lost or added.
        before, after = shape(feature["geometry"]).buffer(0).area, shape(repaired).area
        assert after == pytest.approx(before, rel=1e-3), code
        for digits in (3, 4):  # the map page and the API
            assert is_valid_geojson(compact_geometry(repaired, digits)), (code, digits)


def test_a_valid_shape_comes_back_unchanged():
    square = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.0]]]}
    assert valid_polygonal(square) is square


def test_a_bow_tie_becomes_two_valid_triangles():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    assert not is_valid_geojson(bow_tie)
    repaired = valid_polygonal(bow_tie)
    assert repaired["type"] == "MultiPolygon" and len(repaired["coordinates"]) == 2
    assert is_valid_geojson(repaired)


def test_a_spike_is_dropped_and_only_the_polygon_is_kept():
    """make_valid returns a GeometryCollection (polygon + line) here: only the polygon stays."""
    spiked = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [1, 3], [1, 1], [0, 1], [0, 0]]]}
    assert not is_valid_geojson(spiked)
    repaired = valid_polygonal(spiked)
    assert repaired["type"] == "Polygon"
    assert shape(repaired).area == pytest.approx(1.0)


def test_a_shape_without_area_is_refused():
    line_like = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}
    with pytest.raises(GeometryError):
        valid_polygonal(line_like)


def test_rounding_that_would_make_a_ring_cross_itself_snaps_instead():
    """Two points 0.0004 apart on either side of a thin neck: rounding to 3
    digits alone makes the ring touch itself; the snapped result is valid."""
    neck = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 0.4996], [0.5, 0.4996], [0.5, 0.5004],
                                                [1, 0.5004], [1, 1], [0, 1], [0, 0]]]}
    assert is_valid_geojson(neck)
    plain = {"type": "Polygon", "coordinates": [[[round(x, 3), round(y, 3)] for x, y in
                                                 neck["coordinates"][0]]]}
    assert not is_valid_geojson(plain)  # the control: plain rounding breaks it
    assert is_valid_geojson(compact_geometry(neck, 3))
