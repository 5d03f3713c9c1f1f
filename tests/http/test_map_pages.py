"""/kaart: the folium map from vendored assets only, nonces, filters, exports."""
import csv
import gzip
import io
import json
import re

import pytest

from portal.domain import coverage as rules
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_map import make_region_route, make_school


@pytest.fixture
def routes(db_session, reference_data):
    zw = make_school("AM38", name="Zorgschool Ede", profiles=("ZW",))
    tech = make_school("AM09", name="Techniekschool Doetinchem")
    make_region_route("AM38", vmbo=zw, title="Zorgroute niveau 2", profiles=("ZW",), mbo_level_code="2",
                      kind_code="dlr")
    make_region_route("AM09", vmbo=tech, title="Techniekroute niveau 3", profiles=("PIE",), mbo_level_code="3",
                      kind_code="glr")
    make_region_route("AM09", title="Conceptroute", status="concept")
    return zw, tech


def counter(html: str, name: str) -> str:
    return re.search(rf'data-counter="{name}">([^<]*)<', html).group(1)


def test_a_kept_map_carries_the_nonce_of_its_own_response(client, routes):
    """The second request serves the map built for the first (kept per aggregates
    version), with its own nonce on every script, and the same pins."""
    pages = []
    for _ in range(2):
        response = client.get("/kaart/")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        html = response.get_data(as_text=True)
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert len(scripts) > 3 and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        pages.append((nonce, re.search(r'id="[^"]*-regions"[^>]*>([^<]*)<', html).group(1)))
    (first_nonce, first_regions), (second_nonce, second_regions) = pages
    assert first_nonce != second_nonce
    assert first_regions == second_regions
    assert "FoodValley" in first_regions


def test_map_page_uses_only_vendored_assets_and_nonced_scripts(client, routes):
    response = client.get("/kaart/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "style-src 'self' 'unsafe-inline'" in csp
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    for forbidden in ("jquery", "bootstrap", "awesome-markers", "font-awesome", "fontawesome", "cdn"):
        assert forbidden not in html.lower()
    assert "<iframe" not in html
    assert "L.tileLayer" not in html  # no tiles by default


def test_other_pages_keep_the_strict_style_policy(client, routes):
    for url in ("/kaart/dashboard", "/regio/AM38", "/"):
        assert "unsafe-inline" not in client.get(url).headers["Content-Security-Policy"], url


def test_configured_tiles_are_used(app, client, routes):
    app.config["MAP_TILE_URL"] = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
    app.config["MAP_TILE_ATTRIBUTION"] = "Kaartgegevens &copy; Kadaster"
    try:
        response = client.get("/kaart/")
    finally:
        app.config["MAP_TILE_URL"] = None
    html = response.get_data(as_text=True)
    assert "L.tileLayer" in html and "service.pdok.nl" in html
    assert "https://service.pdok.nl" in response.headers["Content-Security-Policy"]


def test_counters_pins_and_table_follow_the_filters(client, routes):
    html = client.get("/kaart/").get_data(as_text=True)
    assert counter(html, "routes") == "2" and counter(html, "schools") == "2"
    schools = client.get("/kaart/scholen").get_data(as_text=True)
    assert "Zorgschool Ede" in schools and "Techniekschool Doetinchem" in schools
    assert "Conceptroute" not in html

    html = client.get("/kaart/?profile=ZW&level=2").get_data(as_text=True)
    assert counter(html, "routes") == "1" and counter(html, "schools") == "1"
    assert counter(html, "dlr") == "1" and counter(html, "glr") == "0"
    assert "Zorgroute niveau 2" in html and "Techniekroute niveau 3" not in html
    assert 'data-pins="1"' in html
    assert '<option value="ZW" selected>' in html
    # The schools' table: a page of its own with the same filters, which the map loads when it is opened.
    link = re.search(r'<details hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f'href="{link.replace("&", "&amp;")}"' in html  # without JavaScript: followed as a link
    schools = client.get(link).get_data(as_text=True)
    table = schools[schools.index('id="kaart-scholen"'):]
    assert "Zorgschool Ede" in table and "Techniekschool Doetinchem" not in table
    assert "<h1>Vmbo-scholen met leerroutes</h1>" in schools
    fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and fragment.count("<tr>") == 2  # the header and one school


def test_htmx_request_gets_only_the_results_fragment(client, routes):
    response = client.get("/kaart/?profile=ZW", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and 'id="kaart-tellers"' in html
    assert counter(html, "routes") == "1"
    assert re.search(r"<script nonce=\"[^\"]+\">\{\s*var map_", html), "the fragment carries the new map"


def map_data(html: str, suffix: str):
    """A JSON data block of the map (id ends with -pins, -gaps, -regions)."""
    block = re.search(rf'<script type="application/json" id="map_\w+-{suffix}"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_pins_carry_kind_letters_and_route_links(client, routes):
    """The pins are fetched from their own endpoint (same filters), not carried by the page."""
    html = client.get("/kaart/").get_data(as_text=True)
    url = map_data(html, "pins")["url"]
    assert url.startswith("/kaart/pinnen.json?")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    pins = response.get_json()
    by_id = {route[0]: route for route in pins["routes"]}
    assert {route[1]: route[2] for route in by_id.values()} == {"Zorgroute niveau 2": "dlr",
                                                               "Techniekroute niveau 3": "glr"}
    assert sorted(pin[2] for pin in pins["pins"]) == ["Techniekschool Doetinchem", "Zorgschool Ede"]
    assert pins["labels"]["kind_letters"]["dlr"] == "D" and pins["labels"]["kind_letters"]["glr"] == "G"
    assert pins["labels"]["route_url"] == "/leerroutes/{}"
    assert "Vmbo-scholen zonder leerroute" in html


def test_schools_without_route_are_not_in_the_page_but_come_from_their_endpoint(client, routes):
    idle = make_school("AM38", name="Stille school Ede")
    html = client.get("/kaart/?profile=ZW").get_data(as_text=True)
    assert "Stille school Ede" not in html and "Techniekschool Doetinchem" not in html
    url = map_data(html, "gaps")["url"]
    assert url.startswith("/kaart/scholen-zonder-leerroute.json?") and "profile=ZW" in url
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    labels = [row[2] for row in response.get_json()]

    def listed(name):
        return any(label.startswith(name) for label in labels)
    assert listed("Stille school Ede") and listed("Techniekschool Doetinchem")  # neither has a ZW route
    assert not listed("Zorgschool Ede")
    count = int(re.search(r'data-schools-without-route="(\d+)"', html).group(1))
    assert count >= len(labels) >= 2  # the count includes schools without coordinates
    assert idle.name == "Stille school Ede"


def test_staff_can_select_concepts_on_the_map(client, routes):
    login_as(client, make_user("staff"))
    html = client.get("/kaart/?status=concept").get_data(as_text=True)
    assert counter(html, "routes") == "1" and "Conceptroute" in html


def test_measure_switch_changes_the_legend(client, routes):
    html = client.get("/kaart/?maat=levels").get_data(as_text=True)
    assert "Mbo-niveaus gedekt (Entree/2/3/4)" in html and "alle 4" in html
    html = client.get("/kaart/?maat=pupils").get_data(as_text=True)
    assert "geen gegevens" in html


def test_region_table_is_sortable_and_links_to_region_pages(client, routes):
    html = client.get("/kaart/").get_data(as_text=True)
    start = html.index('class="table regions-table"')
    table = html[start:html.index("</table>", start)]
    assert "data-sortable" in html[html.index('class="table regions-table"') - 80:][:200]
    assert table.count('<tr>') == 36  # header + 35 regions
    assert 'href="/regio/AM38?school_year=' in table
    assert 'data-sort="number"' in table


def test_csv_and_xlsx_export_use_the_same_filters(client, routes):
    response = client.get("/kaart/regio-export.csv?profile=PIE")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == 35
    assert by_code["AM09"][2] == "1" and by_code["AM38"][2] == "0"
    response = client.get("/kaart/regio-export.xlsx?profile=ZW")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["AM38"][2] == 1 and values["AM09"][2] == 0
    assert client.get("/kaart/regio-export.pdf").status_code == 404


def test_map_page_stays_small(client, routes):
    body = client.get("/kaart/").data
    assert len(gzip.compress(body)) <= 150 * 1024


def test_the_page_does_not_carry_the_routes_of_its_pins(client, db_session, routes):
    """The page's size does not grow with the routes: their titles reach the map
    only through the pins' endpoint (the route list shows the first 50)."""
    zw, _tech = routes
    for n in range(60):
        make_region_route("AM38", vmbo=zw, title=f"Extra route {n:02d}", profiles=("ZW",), kind_code="dlr")
    html = client.get("/kaart/").get_data(as_text=True)
    assert "Extra route 00" in html and "Extra route 59" not in html  # only the route list's first 50
    assert 'id="kaart-scholen"' not in html  # nor its schools' table (fetched when opened)
    assert "Zorgschool Ede" in client.get("/kaart/scholen").get_data(as_text=True)
    assert not re.search(r'id="[^"]*-pins"[^>]*>[^<]*Extra route', html)
    pins = client.get(map_data(html, "pins")["url"]).get_json()
    titles = {route[1] for route in pins["routes"]}
    assert {f"Extra route {n:02d}" for n in range(60)} <= titles


def test_pins_follow_the_filters_and_the_audience(app, client, routes):
    app.config["CONDITIONAL_REQUESTS"] = True  # (off under testing) the pins' JSON is tagged like a public page
    try:
        _check_pins_follow_the_filters_and_the_audience(client)
    finally:
        app.config["CONDITIONAL_REQUESTS"] = False


def _check_pins_follow_the_filters_and_the_audience(client):
    html = client.get("/kaart/?profile=ZW&level=2").get_data(as_text=True)
    url = map_data(html, "pins")["url"]
    assert "profile=ZW" in url and "level=2" in url
    response = client.get(url)
    if "ETag" not in response.headers:  # the first response started the session
        response = client.get(url)
    pins = response.get_json()
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert [route[1] for route in pins["routes"]] == ["Zorgroute niveau 2"]
    assert [pin[2] for pin in pins["pins"]] == ["Zorgschool Ede"]
    assert client.get("/kaart/pinnen.json?status=concept").get_json()["routes"] == []
    login_as(client, make_user("staff"))
    concept = client.get("/kaart/pinnen.json?status=concept").get_json()
    assert [route[1] for route in concept["routes"]] == ["Conceptroute"] and len(concept["pins"]) == 1


def test_user_text_is_never_evaluated_as_a_template_nor_breaks_out_of_a_script(client, db_session, reference_data):
    """branca re-compiles folium's output as Jinja: user text must not pass through it."""
    school = make_school("AM38", name="School {{ 6*7 }}")
    make_region_route("AM38", vmbo=school, title="Route {{ 7*7 }} </script><script>alert(1)</script>")
    html = client.get("/kaart/").get_data(as_text=True)
    assert "Route 49" not in html and "School 42" not in html
    assert "Route {{ 7*7 }}" in html  # (the route list; the schools are in their table's page)
    assert "<script>alert(1)" not in html
    schools = client.get("/kaart/scholen").get_data(as_text=True)
    assert "School {{ 6*7 }}" in schools and "School 42" not in schools


# --- issue 20 §3: a classed scale with a hatched 0, a legend, zoom to a filtered region ---

def test_zero_and_no_data_regions_are_hatched_and_the_legend_names_every_class(client, routes):
    html = client.get("/kaart/").get_data(as_text=True)
    features = {f["id"]: f["properties"] for f in map_data(html, "regions")["features"]}
    # AM38 and AM09 have one active route each; a region without any is class 0, hatched
    assert features["AM38"]["cls"] == "c1" and not features["AM38"]["hatched"]
    zero = [p for code, p in features.items() if code not in ("AM38", "AM09")]
    assert zero and all(p["cls"] == "c0" and p["hatched"] for p in zero)
    assert all(p["fill"] == rules.ZERO_COLOUR for p in zero)
    # the SVG patterns the hatched fills refer to are in the page
    assert 'id="map-hatch-c0"' in html and 'id="map-hatch-nodata"' in html
    legend = re.findall(r'<li data-class="(c\d|nodata)"><span class="swatch ([\w ]+)"[^>]*></span> ([^<]+)</li>', html)
    assert [(cls, text.strip()) for cls, _swatch, text in legend] == [
        (f"c{i}", label) for i, label in enumerate(rules.MEASURES["routes"].labels)]
    assert "witte vlek" in legend[0][2]
    html = client.get("/kaart/?maat=profiles").get_data(as_text=True)
    assert '<li data-class="nodata"><span class="swatch nodata"' in html and "geen gegevens" in html
    features = {f["id"]: f["properties"] for f in map_data(html, "regions")["features"]}
    # regions whose schools offer no known profiel have no share: "geen gegevens", hatched
    assert any(p["cls"] == "nodata" and p["hatched"] and p["fill"] == rules.NO_DATA_COLOUR
               for p in features.values())


def test_region_filter_is_handed_to_the_map_to_zoom_to(client, routes):
    html = client.get("/kaart/?region=AM09").get_data(as_text=True)
    call = re.search(r"window\.portalMaps\.regionLayer\(map_[0-9a-f]+,.*?textContent\),\s*(\[[^\]]*\])\);", html, re.S)
    assert call and json.loads(call.group(1)) == ["AM09"]
    html = client.get("/kaart/").get_data(as_text=True)
    call = re.search(r"window\.portalMaps\.regionLayer\(map_[0-9a-f]+,.*?textContent\),\s*(\[[^\]]*\])\);", html, re.S)
    assert call and json.loads(call.group(1)) == []


def test_the_pins_reuse_the_figures_the_page_just_counted(app, client, routes):
    """After a write the page recounts once; its pins' request (same selection)
    is served from what the page kept, without reading the routes again."""
    from sqlalchemy import event

    from portal.extensions import db
    html = client.get("/kaart/?profile=ZW").get_data(as_text=True)
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        pins = client.get(map_data(html, "pins")["url"]).get_json()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [pin[2] for pin in pins["pins"]] == ["Zorgschool Ede"]
    assert not [s for s in statements if "route_parties" in s], statements
