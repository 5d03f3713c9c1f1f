"""Every boundary the portal serves is a valid geometry: the regions on the
map page, on each region page and in the API's regions.geojson, after the
real 2025 file (with its invalid AM24 Zeeland) went through the importer.
(The portal serves no gemeente or provincie shapes; their repair is checked
on the real files in tests/unit/test_geometry_repair.py.)"""
from __future__ import annotations

import json

from sqlalchemy import select

from portal.core.geometry import is_valid_geojson
from portal.models import Region
from tests.http.test_map_pages import map_data


def test_the_importer_stored_valid_geometries_for_every_region(db_session, reference_data):
    stored = {code: json.loads(geometry) for code, geometry in db_session.execute(
        select(Region.code, Region.geometry).where(Region.year == 2025))}
    assert len(stored) == 35
    assert [code for code, geometry in stored.items() if not is_valid_geojson(geometry)] == []


def test_the_map_page_serves_only_valid_region_shapes(client, reference_data):
    regions = map_data(client.get("/kaart/").get_data(as_text=True), "regions")
    codes = {f["properties"]["code"] if "code" in f["properties"] else f["id"]: f["geometry"]
             for f in regions["features"]}
    assert len(codes) == 35
    assert [code for code, geometry in codes.items() if not is_valid_geojson(geometry)] == []


def test_the_api_serves_only_valid_region_shapes(client, reference_data):
    data = client.get("/api/v1/regions.geojson").get_json(force=True)
    assert len(data["features"]) == 35
    assert [f["properties"]["code"] for f in data["features"] if not is_valid_geojson(f["geometry"])] == []


def test_the_region_pages_serve_valid_shapes(client, db_session, reference_data):
    codes = db_session.scalars(select(Region.code).where(Region.year == 2025)).all()
    for code in codes:
        html = client.get(f"/regio/{code}").get_data(as_text=True)
        shapes = map_data(html, "regions")["features"]
        assert len(shapes) == 1 and is_valid_geojson(shapes[0]["geometry"]), code


def test_a_stored_invalid_shape_would_be_caught(db_session, reference_data):
    """The control: the source AM24 as it is in the file is flagged by the same check."""
    from tests.conftest import require_data_file
    raw = json.loads(require_data_file("arbeidsmarktregio_2025.geojson").read_text(encoding="utf-8"))
    am24 = next(f["geometry"] for f in raw["features"] if f["properties"]["statcode"] == "AM24")
    assert not is_valid_geojson(am24)
