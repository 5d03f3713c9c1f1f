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
