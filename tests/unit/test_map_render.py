"""The folium map parts: vendored assets only, nonces, escaping, compact shapes."""
import json
import re
from types import SimpleNamespace

import pytest

from portal.core import geometry
from portal.domain import coverage as rules
from portal.routes.coverage import map_render

SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[5.00001, 52.00001], [5.00002, 52.00002], [5.1, 52.0],
                                                          [5.1, 52.1], [5.00001, 52.00001]]]})


def pin(name="School <b>", kinds=("dlr",), title="Route & co"):
    routes = [SimpleNamespace(id=i, title=title, kind=k, level="2", profiles=["ZW"], regions=[("AM38", "FoodValley")])
              for i, k in enumerate(kinds, start=1)]
    return SimpleNamespace(name=name, city="Ede", lat=52.03, lon=5.66, routes=routes, kinds=list(kinds))


@pytest.fixture
def parts():
    figures = {"AM38": SimpleNamespace(routes=3, niveaus_covered=2, measure_value=lambda m: 3)}
    parts = map_render.build_map(
        geometries=[("AM38", "FoodValley", SQUARE), ("AM01", "Groningen", None)], figures=figures,
        measure=rules.measure_for("routes"), pins_url="/kaart/pinnen.json?status=actief",
        gaps_url="/kaart/scholen-zonder-leerroute.json?status=actief",
        region_url=lambda code: f"/regio/{code}")
    return map_render.with_nonce(parts, "NONCE123")


def test_header_has_only_vendored_assets_with_nonces(parts):
    assert "/static/vendor/leaflet/leaflet.js" in parts.header
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in parts.header
    scripts = re.findall(r"<script\b[^>]*>", str(parts.header))
    assert len(scripts) == 2 and all('nonce="NONCE123"' in s for s in scripts)
    assert "http" not in parts.header


def test_script_holds_no_data_and_no_cdn_code(parts):
    assert "FoodValley" not in parts.script and "School" not in parts.script
    assert "$(" not in parts.script and "AwesomeMarkers" not in parts.script
    assert "L.tileLayer" not in parts.script
    ids = re.findall(r'getElementById\("([^"]+)"\)', parts.script)
    assert sorted(ids) == sorted(parts.data)


def test_data_blocks_carry_regions_pins_and_gaps(parts):
    regions = next(v for k, v in parts.data.items() if k.endswith("-regions"))
    assert [f["id"] for f in regions["features"]] == ["AM38"]  # no geometry, no feature
    feature = regions["features"][0]
    assert feature["properties"]["fill"] == rules.class_colour(rules.MEASURES["routes"], 1)
    assert feature["properties"]["cls"] == "c1" and feature["properties"]["hatched"] is False
    assert 'href="/regio/AM38"' in feature["properties"]["popup"]
    pins_block = next(v for k, v in parts.data.items() if k.endswith("-pins"))
    assert pins_block == {"url": "/kaart/pinnen.json?status=actief"}  # fetched by maps.js, not in the page
    gaps = next(v for k, v in parts.data.items() if k.endswith("-gaps"))
    assert gaps == {"url": "/kaart/scholen-zonder-leerroute.json?status=actief"}  # loaded on demand


def test_pin_data_is_compact():
    pins = map_render.pin_data([pin(), pin(name="Tweede", kinds=("dlr", "glr"))], "/leerroutes/{}")
    # Compact: each route once, pins point at them; maps.js makes markers and popups.
    assert pins["routes"] == [[1, "Route & co", "dlr", "2", ["ZW"], ["AM38"]],
                              [2, "Route & co", "glr", "2", ["ZW"], ["AM38"]]]
    assert pins["pins"][0] == [52.03, 5.66, "School <b>", "Ede", [0]]
    assert pins["pins"][1][4] == [0, 1]  # route 1 is shared by both schools
    labels = pins["labels"]
    assert labels["route_url"] == "/leerroutes/{}" and labels["regions"] == {"AM38": "FoodValley"}
    assert labels["kind_letters"]["dlr"] == "D" and labels["kinds"]["glr"].startswith("Ge")


def test_no_popup_html_is_rendered_on_the_server(parts):
    text = json.dumps(parts.data)
    assert "<li>" not in text and "pin-k" not in text and "nog geen leerroute" not in text


def test_gap_rows_label_schools_and_skip_those_without_coordinates():
    rows = map_render.gap_rows([(1, "Zonder", "Ede", 52.00004, 5.6, "AM38"), (2, "Ede College", "Ede", 52.1, 5.7, None),
                                (3, "Nergens", "Ede", None, None, None)])
    assert rows == [[52.0, 5.6, "Zonder (Ede)"], [52.1, 5.7, "Ede College"]]


def test_the_gap_layer_starts_hidden(parts):
    names = re.findall(r"var (fast_marker_cluster_\w+) = ", parts.script)
    assert len(names) == 2
    added = [n for n in names if f"{n}.addTo(" in parts.script]
    assert len(added) == 1  # the pins; the schools without a route only via the layer control


def test_compact_geometry_rounds_and_drops_duplicate_points():
    shape = geometry.compact_geometry(json.loads(SQUARE))
    assert shape["coordinates"][0] == [[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.0]]
    multi = geometry.compact_geometry({"type": "MultiPolygon", "coordinates": [json.loads(SQUARE)["coordinates"]]})
    assert multi["coordinates"][0][0][0] == [5.0, 52.0]


def test_school_table_rows_escape_and_count():
    rows = map_render.school_table_rows([pin(name="School <b>", kinds=("dlr", "glr"))])
    assert rows.startswith('<tr><th scope="row">School &lt;b&gt;</th><td>Ede</td>')
    assert 'data-value="2">2</td></tr>' in rows
    assert "<td>Doorlopende leerroute (DLR), Geïntegreerde route (GLR)</td>" in rows


def test_region_map_has_the_region_zoomed_to_and_its_schools_as_data():
    m = map_render.build_region_map(
        code="AM38", name="FoodValley", geometry=SQUARE, route_list_pattern="/leerroutes/?organisation={}",
        schools=[(7, "School <b>", "Ede", 52.03, 5.66, 2), (8, "Zonder plek", "Ede", None, None, 0),
                 (9, "Zonder route", None, 52.04, 5.67, 0)])
    parts = map_render.render_parts(m, "NONCE123")
    regions = next(v for k, v in parts.data.items() if k.endswith("-regions"))
    assert [f["id"] for f in regions["features"]] == ["AM38"]
    assert regions["features"][0]["properties"]["popup"] == "<strong>FoodValley (AM38)</strong>"
    schools = next(v for k, v in parts.data.items() if k.endswith("-schools"))
    # a school without coordinates is not on the map; the route count tells the marker
    assert schools["schools"] == [[52.03, 5.66, "School <b>", "Ede", 2, 7], [52.04, 5.67, "Zonder route", "", 0, 9]]
    assert schools["route_list"] == "/leerroutes/?organisation={}"
    assert 'portalMaps.regionLayer(' in parts.script and '["AM38"]' in parts.script
    assert "portalMaps.schoolLayer(" in parts.script
    assert "School" not in parts.script  # data only in the JSON blocks
    assert "L.tileLayer" not in parts.script


def test_the_opening_fit_is_not_animated_so_a_region_zoom_sticks(parts):
    assert re.search(r'fitBounds\(\s*\[\[50\.75, 3\.36\], \[53\.56, 7\.23\]\],\s*\{\s*"animate": false\s*\}', parts.script)


def test_the_regions_block_is_the_same_text_as_encoding_it_whole(app):
    """serialised() encodes each region's shape once per process and splices it
    in: the text must be what htmlsafe_json_dumps gives for the whole block, with
    the app's JSON settings, for shapes seen before and new ones, and popups
    that need escaping."""
    from flask import current_app
    from jinja2.utils import htmlsafe_json_dumps
    other = json.dumps({"type": "MultiPolygon", "coordinates": [[[[4.1, 51.2], [4.2, 51.3], [4.3, 51.2],
                                                                  [4.1, 51.2]]]]})
    figures = {"AM38": SimpleNamespace(routes=3, niveaus_covered=2, measure_value=lambda m: 3)}
    with app.test_request_context("/kaart/"):
        for _ in range(2):  # the second time from the shapes' JSON made the first
            parts = map_render.build_map(
                geometries=[("AM38", "Food <Valley> & 'co'", SQUARE), ("AM01", "Groningen", other),
                            ("AM02", "Leeg", None)], figures=figures, measure=rules.measure_for("routes"),
                pins_url="/p", gaps_url="/g", region_url=lambda code: f"/regio/{code}?a=1&b=<2>")
            kept = map_render.serialised(parts)
            for data_id, value in parts.data.items():
                assert str(kept.data[data_id]) == str(htmlsafe_json_dumps(value, dumps=current_app.json.dumps))
        regions = next(v for k, v in kept.data.items() if k.endswith("-regions"))
        assert json.loads(str(regions))["features"][1]["geometry"]["type"] == "MultiPolygon"
