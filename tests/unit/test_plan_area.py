"""The area of a plan region: the convex hull of its schools."""
from __future__ import annotations

from portal.domain import plans as dom
from portal.domain.plan_area import STATE_COLOURS, as_geojson_polygon, convex_hull, school_area


def test_the_hull_drops_inner_points_and_keeps_the_corners():
    square = [(0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (2.0, 0.0)]
    hull = convex_hull([*square, (1.0, 1.0), (1.0, 0.0)])  # an inner point and one on an edge
    assert sorted(hull) == sorted(square)


def test_one_school_still_has_an_area():
    hull = school_area([(52.0, 5.0)], margin=0.01)
    assert sorted(hull) == [(51.99, 4.99), (51.99, 5.01), (52.01, 4.99), (52.01, 5.01)]
    polygon = as_geojson_polygon(hull)
    assert polygon is not None and polygon["coordinates"][0][0] == polygon["coordinates"][0][-1]
    assert [5.01, 52.01] in [list(p) for p in polygon["coordinates"][0]]  # [lon, lat]


def test_no_schools_no_area():
    assert school_area([]) == [] and as_geojson_polygon([]) is None


def test_every_state_has_a_colour():
    assert set(STATE_COLOURS) == set(dom.STATES)


def test_the_legend_css_has_the_colours_of_the_map():
    """The overview's legend (static/css/plans.css) shows the same colours as the map."""
    from pathlib import Path
    css = (Path(__file__).parents[2] / "portal/static/css/plans.css").read_text()
    for state, colour in STATE_COLOURS.items():
        assert f".plan-swatch-{state} {{ background: {colour}; }}" in css


# --- which shapes the hull of the schools overlaps (core.geometry.hull_overlaps) ---

def _square(x0: float, y0: float, x1: float, y1: float) -> str:
    import json
    return json.dumps({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})


# Three regions in a row (x = longitude): west, middle, east; a fourth above the west one.
SHAPES = [("west", _square(0, 0, 1, 1)), ("middle", _square(1, 0, 2, 1)), ("east", _square(2, 0, 3, 1)),
          ("north", _square(0, 1, 1, 2))]


def test_the_hull_overlaps_a_region_between_its_schools_where_no_school_lies():
    from portal.core.geometry import hull_overlaps
    assert hull_overlaps([(0.5, 0.5), (2.5, 0.5)], SHAPES) == ["west", "middle", "east"]
    assert hull_overlaps([(0.5, 0.2), (2.5, 0.2), (1.5, 0.8)], SHAPES) == ["west", "middle", "east"]


def test_one_school_overlaps_only_the_region_it_lies_in():
    from portal.core.geometry import hull_overlaps
    assert hull_overlaps([(0.5, 0.5)], SHAPES) == ["west"]
    assert hull_overlaps([(0.2, 0.5), (0.8, 0.5), (0.5, 0.9)], SHAPES) == ["west"]  # control: a hull inside one


def test_a_hull_that_only_touches_a_border_does_not_overlap_the_neighbour():
    from portal.core.geometry import hull_overlaps
    # the hull's top edge lies on the border with "north": touching is not overlapping
    assert hull_overlaps([(0.2, 0.5), (0.8, 0.5), (0.5, 1.0)], SHAPES) == ["west"]
    # control: a little further north it does overlap
    assert hull_overlaps([(0.2, 0.5), (0.8, 0.5), (0.5, 1.1)], SHAPES) == ["west", "north"]


def test_no_schools_overlap_nothing():
    from portal.core.geometry import hull_overlaps
    assert hull_overlaps([], SHAPES) == []
