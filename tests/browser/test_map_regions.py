"""Issue 20 §3 in a real browser: a region's popup stays clear of the layer
control, a region filter zooms the map to the region, class 0 is hatched, and
the region page has its own map (no CSP errors: guarded_page)."""
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled

# The Leaflet map inside a root element (after an htmx swap the old map is
# still a global, its container detached).
MAP_JS = """() => Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map
            && v.getContainer().isConnected && v.getContainer().closest(%s) !== null)"""


def _map_call(page, root: str, body: str):
    """Evaluate `body` with `map` bound to the Leaflet map inside `root`."""
    return page.evaluate(f"() => {{ const map = ({MAP_JS % repr(root)})(); {body} }}")


def _map_idle(page, root: str) -> None:
    """Wait until the map has finished its opening zoom (a click during a
    zoom animation lands where the animation ends)."""
    page.wait_for_function(f"() => {{ const map = ({MAP_JS % repr(root)})(); "
                           "return map && map._loaded && !map._animatingZoom; }")


def _rect(locator) -> dict:
    box = locator.bounding_box()
    assert box, locator
    return {"left": box["x"], "top": box["y"], "right": box["x"] + box["width"], "bottom": box["y"] + box["height"]}


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


FIND_REGION_POINT = """() => {
    // A point on a region just below and left of the layer control, where a
    // popup opening upwards runs into the control.
    const control = document.querySelector('#kaart .leaflet-control-layers').getBoundingClientRect();
    for (let dy = 12; dy < 200; dy += 6) {
        for (let dx = 0; dx < 120; dx += 6) {
            const x = control.left + control.width / 2 - dx, y = control.bottom + dy;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.matches('#kaart path.leaflet-interactive')) { return [x, y]; }
        }
    }
    return null;
}"""


def test_region_popup_is_not_hidden_behind_the_layer_control(guarded_page):
    page = guarded_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/kaart/")
    expect(page.locator("#kaart path.leaflet-interactive").first).to_be_attached()
    control = page.locator("#kaart .leaflet-control-layers")
    expect(control).to_be_visible()
    _map_idle(page, "#kaart")
    point = page.evaluate(FIND_REGION_POINT)
    assert point, "no region under the layer control to click"
    page.mouse.click(*point)
    popup = page.locator("#kaart .leaflet-popup")
    expect(popup).to_be_visible()
    expect(popup.get_by_role("link", name="Naar de regiopagina")).to_be_visible()
    assert not _overlap(_rect(popup), _rect(control)), (_rect(popup), _rect(control))
    # and the popup lies inside the map
    frame = _rect(page.locator("#kaart .leaflet-container"))
    box = _rect(popup)
    assert frame["left"] <= box["left"] and box["right"] <= frame["right"]
    assert frame["top"] <= box["top"] and box["bottom"] <= frame["bottom"]


def test_filtering_on_a_region_zooms_the_map_to_it(guarded_page):
    page = guarded_page
    page.goto("/kaart/")
    expect(page.locator("#kaart path.leaflet-interactive").first).to_be_attached()
    national = _map_call(page, "#kaart", "return map.getZoom();")
    # the filter form (htmx swaps the results, map included)
    page.locator("#f-region").select_option("AM01")
    page.wait_for_url("**region=AM01**")
    htmx_settled(page)
    expect(page.locator("#kaart path.leaflet-interactive").first).to_be_attached()
    zoomed = _map_call(page, "#kaart", """
        let region = null;
        map.eachLayer(l => { if (l.feature && l.feature.properties.code === 'AM01') { region = l; } });
        return {zoom: map.getZoom(), contains: map.getBounds().contains(region.getBounds()),
                centre: region.getBounds().pad(0.5).contains(map.getCenter())};""")
    assert zoomed["zoom"] > national, (national, zoomed)
    assert zoomed["contains"] and zoomed["centre"], zoomed
    # the same from a bookmarked URL
    page.goto("/kaart/?region=AM01")
    expect(page.locator("#kaart path.leaflet-interactive").first).to_be_attached()
    assert _map_call(page, "#kaart", "return map.getZoom();") > national


def test_zero_is_hatched_and_the_legend_says_what_each_class_means(guarded_page):
    page = guarded_page
    page.goto("/kaart/?kind=leerlab&level=1")  # few regions have such a route: most are 0
    expect(page.locator("#kaart path.leaflet-interactive").first).to_be_attached()
    fills = page.evaluate("() => [...document.querySelectorAll('#kaart path.leaflet-interactive')]"
                          ".map(p => p.getAttribute('fill'))")
    assert "url(#map-hatch-c0)" in fills, set(fills)
    assert page.locator("svg.map-patterns pattern#map-hatch-c0").count() == 1
    legend = page.locator('.legend li[data-class="c0"]')
    expect(legend).to_contain_text("witte vlek")
    page.goto("/kaart/?maat=pupils")
    expect(page.locator('.legend li[data-class="nodata"]')).to_contain_text("geen gegevens")


def test_region_page_has_its_own_map_of_the_region_and_its_schools(guarded_page):
    page = guarded_page
    page.goto("/regio/AM38")
    container = page.locator("#regiokaart .leaflet-container")
    expect(container).to_be_visible()
    expect(page.locator("#regiokaart path.leaflet-interactive")).to_have_count(1)  # the region itself
    expected = int(page.locator("#regiokaart").get_attribute("data-schools"))
    markers = page.locator("#regiokaart .leaflet-marker-icon")
    expect(markers).not_to_have_count(0)
    assert markers.count() <= expected
    with_route = page.locator("#regiokaart .leaflet-marker-icon .pin-school-route").count()
    without = page.locator("#regiokaart .leaflet-marker-icon .pin-gap").count()
    assert with_route + without == markers.count()
    assert with_route > 0
    view = _map_call(page, "#regiokaart", """
        let region = null;
        map.eachLayer(l => { if (l.feature) { region = l; } });
        return {zoom: map.getZoom(), centre: region.getBounds().contains(map.getCenter())};""")
    assert view["zoom"] >= 9 and view["centre"], view
    # a school's popup names it and links to its routes
    page.locator("#regiokaart .leaflet-marker-icon:has(.pin-school-route)").first.click()
    popup = page.locator("#regiokaart .leaflet-popup")
    expect(popup).to_contain_text("leerroute")
    expect(popup.get_by_role("link", name="Bekijk de leerroutes")).to_be_visible()
