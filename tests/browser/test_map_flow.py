"""The map flow of a programme staff member, in a real browser, on the demo data."""
import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login

PIN_COUNT_JS = """() => {
    const map = document.querySelector('#kaart');
    let n = map.querySelectorAll('.leaflet-marker-icon.pin-icon:has(.pin-k)').length;
    map.querySelectorAll('.leaflet-marker-icon.marker-cluster span').forEach(s => { n += parseInt(s.textContent, 10); });
    return n;
}"""


def counter(page, name: str):
    return page.locator(f'#kaart-tellers [data-counter="{name}"]')


def pins_on_map(page) -> int:
    """The pins drawn, once maps.js has fetched them (they are not in the page)."""
    page.wait_for_selector("#kaart[data-pins-loaded]", state="attached")
    return page.evaluate(PIN_COUNT_JS)


def test_staff_filters_the_map_opens_a_region_and_everything_is_accessible(guarded_page):
    page = guarded_page
    login(page, "programma@demo.leerroutes.nl")
    page.goto("/kaart/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leerroutes in kaart")
    expect(page.locator("#kaart .leaflet-interactive").first).to_be_attached()  # region polygons drawn
    before_routes = counter(page, "routes").inner_text()
    before_schools = int(counter(page, "schools").inner_text())
    assert before_schools > 0
    assert pins_on_map(page) == before_schools
    assert_accessible(page, "/kaart")

    # Keyboard: the map and its controls can be reached with Tab.
    page.locator("#kaart .leaflet-container").focus()
    expect(page.locator("#kaart .leaflet-container")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#kaart') !== null")
    assert focused, "Tab from the map moves to a control or pin inside the map"

    # The layer of vmbo schools without a route is off by default; the keyboard turns it on.
    gaps = page.locator("#kaart .leaflet-marker-icon .pin-gap, #kaart .leaflet-marker-icon.marker-cluster")
    clusters_before = page.locator("#kaart .leaflet-marker-icon.marker-cluster").count()
    assert page.locator("#kaart .leaflet-marker-icon .pin-gap").count() == 0
    layer = page.get_by_role("checkbox", name="Vmbo-scholen zonder leerroute")
    expect(layer).not_to_be_checked()
    # Those schools are not in the page: switching the layer on fetches them.
    assert "nog geen leerroute" not in page.content()
    layer.focus()
    with page.expect_response(re.compile(r"/kaart/scholen-zonder-leerroute\.json\?")) as fetched:
        page.keyboard.press("Space")
    assert fetched.value.ok and len(fetched.value.json()) > 0
    expect(layer).to_be_checked()
    expect(gaps).not_to_have_count(clusters_before)
    page.keyboard.press("Space")
    expect(layer).not_to_be_checked()

    # Filter: profiel Zorg en welzijn, niveau 2 (htmx, no full reload).
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Profiel").select_option(label="Zorg en welzijn")
    expect(page).to_have_url(re.compile(r"profile=ZW"))
    page.get_by_label("Mbo-niveau").select_option(value="2")
    expect(page).to_have_url(re.compile(r"level=2"))
    expect(counter(page, "routes")).not_to_have_text(before_routes)
    assert page.evaluate("window.__sameDocument === true"), "the page was not reloaded"
    filtered_routes = counter(page, "routes").inner_text()
    filtered_schools = int(counter(page, "schools").inner_text())
    assert 0 < filtered_schools < before_schools
    expect(page.locator("#kaart")).to_have_attribute("data-pins", str(filtered_schools))
    assert pins_on_map(page) == filtered_schools

    # The same filters through the open API give the same number of routes.
    query = parse_qs(urlsplit(page.url).query)
    school_year = page.get_by_label("Schooljaar").input_value()
    api = page.request.get(f"/api/v1/routes?profile=ZW&level=2&status=actief&school_year={school_year}").json()
    assert str(api["total"]) == filtered_routes
    assert query["profile"] == ["ZW"] and query["level"] == ["2"]
    assert "region" not in query and "domain" not in query  # unset filters stay out of the URL

    # Reload keeps the filter.
    page.reload()
    expect(page.get_by_label("Profiel")).to_have_value("ZW")
    expect(page.get_by_label("Mbo-niveau")).to_have_value("2")
    expect(counter(page, "routes")).to_have_text(filtered_routes)
    assert pins_on_map(page) == filtered_schools

    # The schools' table (the pins' text alternative) is fetched, with the filters, when it is opened.
    assert page.locator("#kaart-scholen").count() == 0
    with page.expect_response(re.compile(r"/kaart/scholen\?.*profile=ZW")) as fetched:
        page.get_by_text("Toon de scholen van de pinnen als tabel").click()
    assert fetched.value.ok
    expect(page.locator("#kaart-scholen tbody tr")).to_have_count(filtered_schools)
    assert_accessible(page, "/kaart with the schools' table open")

    # Open a region with a route from the table: matrix and gaps.
    table = page.locator("table.regions-table")
    row = table.locator('tbody tr:has(td:nth-child(2):not([data-value="0"]))').first
    region_name = row.locator("th a").inner_text()
    row.locator("th a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(region_name)
    matrix = page.locator("#dekkingsmatrix")
    expect(matrix).to_be_visible()
    assert int(matrix.locator('td[data-profile="ZW"][data-level="2"] a').inner_text()) >= 1
    expect(page.get_by_role("heading", name="Witte vlekken")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Vmbo-scholen zonder leerroute"))).to_be_visible()
    expect(page.locator("#trend-regio")).to_be_visible()
    assert_accessible(page, "region page")

    page.goto("/kaart/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Landelijk dashboard")
    expect(page.locator("#doelen-tabel tbody tr").first).to_be_visible()
    assert_accessible(page, "dashboard")


def test_sorting_the_regions_table(guarded_page):
    page = guarded_page
    page.goto("/kaart/")
    table = page.locator("table.regions-table")
    table.get_by_role("button", name="Leerroutes").click()
    table.get_by_role("button", name="Leerroutes").click()  # descending: most routes first
    expect(table.locator("thead th").nth(1)).to_have_attribute("aria-sort", "descending")
    values = [int(v) for v in table.locator("tbody tr td:nth-child(2)").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-value'))")]
    assert values == sorted(values, reverse=True) and values[0] > 0


OPEN_FIRST_PIN_JS = """() => {
    const name = Object.keys(window).find(k => k.startsWith('fast_marker_cluster_') && window[k]._map
                                              && window[k].getLayers().length);
    const marker = window[name].getLayers()[0];
    window[name].zoomToShowLayer(marker, () => marker.openPopup());
    return marker.options.title;
}"""


def test_a_pin_opens_its_popup_with_the_routes_of_the_school(guarded_page):
    """Pins and popups are made in the browser from the compact data."""
    page = guarded_page
    page.goto("/kaart/")
    page.wait_for_selector("#kaart[data-pins-loaded]", state="attached")  # fetched by maps.js
    title = page.evaluate(OPEN_FIRST_PIN_JS)
    assert re.search(r": \d+ leerroutes? \(", title), title
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("strong")).to_be_visible()
    links = popup.locator("ul.popup-routes li a")
    expect(links.first).to_have_attribute("href", re.compile(r"^/leerroutes/\d+$"))
    expect(popup).to_contain_text("niveau:")
    expect(popup).to_contain_text("Profiel:")
    expect(popup).to_contain_text("Regio:")
    assert popup.locator("ul.popup-routes li").count() == int(re.search(r": (\d+) leerroute", title).group(1))
    expect(page.locator("#kaart .leaflet-marker-icon.pin-icon .pin-k").first).to_be_attached()
