"""/regio/<code>: key figures, matrix, gaps, trend; /regio/ and the dashboard."""
import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.domain.school_year import current_school_year
from tests.conftest import count_queries, login_as
from tests.factories import make_user
from tests.factories_map import make_region_route, make_school

NOW = current_school_year()


@pytest.fixture
def region_data(db_session, reference_data):
    school = make_school("AM38", name="Vallei Vmbo", profiles=("ZW", "EO", "PIE"))
    make_region_route("AM38", vmbo=school, title="Zorg DLR 2", profiles=("ZW",), mbo_level_code="2",
                      kind_code="dlr", pupils_per_cohort=12, first_school_year="2023-2024")
    make_region_route("AM38", vmbo=school, title="Zorg GLR 2", profiles=("ZW", "EO"), mbo_level_code="2",
                      kind_code="glr")
    make_region_route("AM38", title="Verborgen concept", status="concept", profiles=("PIE",), mbo_level_code="3")
    return school


def test_region_page_key_figures_matrix_and_gaps(client, region_data):
    response = client.get("/regio/AM38")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "FoodValley" in html
    assert re.search(r'data-figure="routes">2<', html)
    assert re.search(r'data-figure="levels">1 van 4<', html)
    assert "DLR 1, GLR 1, leerlab 0" in html
    # matrix: numbers in the cells, each linking to the filtered route list
    cell = re.search(r'<td class="(heat\d)" data-profile="ZW" data-level="2">\s*<a href="([^"]+)"[^>]*>(\d+)</a>', html)
    assert cell and cell.group(1) != "heat0" and cell.group(3) == "2"
    link = urlsplit(cell.group(2).replace("&amp;", "&"))
    assert link.path.startswith("/leerroutes")
    assert parse_qs(link.query) == {"region": ["AM38"], "profile": ["ZW"], "level": ["2"], "status": ["actief"],
                                    "school_year": [NOW]}
    assert re.search(r'data-profile="EO" data-level="2">\s*<a[^>]*>1</a>', html)
    # a zero is plain text: no link to an empty list (issue 20)
    assert re.search(r'data-profile="ZW" data-level="3">0</td>', html)
    # gaps
    gaps = html[html.index('id="witte-vlekken"'):html.index('id="trend-kop"')]
    assert "Produceren, installeren en energie" in gaps and "Dienstverlening" not in gaps
    assert "Entree (niveau 1)" in gaps and "Vakopleiding (niveau 3)" in gaps
    assert "Basisberoepsopleiding (niveau 2)" not in gaps.split("Mbo-niveaus zonder leerroute")[1].split("<h3>")[0]
    schools_gap = gaps.split('id="gaten-scholen"')[1]
    assert "Vallei Vmbo" not in schools_gap and "<li>" in schools_gap
    # never the concept, also not in the matrix count
    assert "Verborgen concept" not in html
    assert "Zorg DLR 2" in html and "Zorg GLR 2" in html
    # agreements: neither active route has a signed agreement yet
    assert re.search(r'data-figure="agreements-signed">0<', html)
    assert re.search(r'data-figure="agreements-missing">2<', html)


def test_region_trend_is_an_svg_with_a_data_table(client, region_data):
    html = client.get("/regio/AM38").get_data(as_text=True)
    assert '<svg class="trend-chart" id="trend-regio" role="img"' in html
    table = html[html.index('id="trend-tabel"'):]
    years = re.findall(r'<th scope="row">(\d{4}-\d{4})</th><td class="num">(\d+)</td>', table)
    assert years[0] == ("2023-2024", "1")
    assert years[-1] == (NOW, "2")


def test_region_page_other_school_year_and_unknown_region(client, region_data):
    html = client.get("/regio/AM38?school_year=2024-2025").get_data(as_text=True)
    assert re.search(r'data-figure="routes">1<', html)
    assert client.get("/regio/AM99").status_code == 404
    # lower case is the same region: a permanent redirect to the canonical code (issue 20)
    response = client.get("/regio/am38?school_year=2024-2025")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/regio/AM38?school_year=2024-2025")
    assert client.get("/regio/am99").status_code in (301, 308)  # then the canonical code's 404


def test_region_index_lists_all_regions(client, region_data):
    html = client.get("/regio/").get_data(as_text=True)
    assert html.count('href="/regio/AM') == 35


def test_dashboard_goals_and_staff_drilldown(client, region_data):
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    assert re.search(r'data-goal="regions-dlr">1 / 35<', html)
    assert re.search(r'data-goal="regions-leerlab">0 / 35<', html)
    assert re.search(r'data-goal="routes">2<', html)
    assert re.search(r'data-goal="pupils">12<', html)
    assert html.count('href="/regio/AM') >= 35
    assert "Bekijk ze in de lijst" not in html  # drill-down is for staff
    login_as(client, make_user("staff"))
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    assert "Bekijk ze in de lijst" in html
    assert 'aria-label="2 leerroutes in FoodValley in de lijst"' in html


def test_dashboard_exports(client, region_data):
    response = client.get("/kaart/dashboard-export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Schooljaar"
    by_year = {r[0]: r for r in rows[1:]}
    assert by_year[NOW][1] == "1" and by_year[NOW][7] == "2"
    assert by_year["2023-2024"][7] == "1"
    response = client.get("/kaart/dashboard-export.xlsx")
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Doelen per schooljaar", f"Regio's {NOW}"]
    assert book.worksheets[1].max_row == 36


def test_dashboard_for_a_year_before_the_data_shows_zeros(client, region_data):
    html = client.get("/kaart/dashboard?school_year=2012-2013").get_data(as_text=True)
    assert re.search(r'data-goal="routes">0<', html)
    assert re.search(r'data-goal="regions-dlr">0 / 35<', html)


def _link(html: str, element_id: str) -> str:
    paragraph = html.split(f'id="{element_id}"')[1].split("</p>")[0]
    return re.search(r'href="([^"]+)"', paragraph).group(1).replace("&amp;", "&")


def test_region_page_lists_are_bounded_with_totals_and_links_to_everything(client, region_data, monkeypatch):
    from portal.services.coverage import region as coverage_region
    make_school("AM38", name="Zonder Route Een")
    make_school("AM38", name="Zonder Route Twee")
    monkeypatch.setattr(coverage_region, "LIST_LIMIT", 1)
    html = client.get("/regio/AM38").get_data(as_text=True)
    routes = html[html.index('id="routes-kop"'):html.index('id="orgs-kop"')]
    assert "Leerroutes in de regio (2)" in routes and routes.count('<th scope="row">') == 1
    assert "Zorg DLR 2" in routes and "Zorg GLR 2" not in routes  # the first in title order
    link = urlsplit(_link(html, "meer-routes"))
    assert link.path.startswith("/leerroutes")
    assert parse_qs(link.query) == {"region": ["AM38"], "status": ["actief"], "school_year": [NOW]}
    listed = client.get(_link(html, "meer-routes")).get_data(as_text=True)
    assert "2 leerroutes gevonden" in listed and "Zorg GLR 2" in listed  # the same selection, complete
    orgs = html[html.index('id="orgs-kop"'):html.index('id="voorbeelden-kop"')]
    assert "Organisaties in de routes (3)" in orgs and orgs.count('<th scope="row">') == 1
    assert urlsplit(_link(html, "meer-organisaties")).path == "/regio/AM38/organisaties"
    gaps = html[html.index('id="gaten-scholen"') - 80:html.index('id="trend-kop"')]
    total = int(re.search(r"Vmbo-scholen zonder leerroute \((\d+)\)", gaps).group(1))
    assert total >= 3 and gaps.count("<li>") == 1 and f"Alle {total} vmbo-scholen zonder leerroute" in gaps
    assert _link(html, "meer-scholen") == f"/regio/AM38/scholen-zonder-route?school_year={NOW}"


def test_region_page_without_more_rows_has_no_more_links(client, region_data):
    html = client.get("/regio/AM38").get_data(as_text=True)
    assert 'id="meer-routes"' not in html and 'id="meer-organisaties"' not in html
    assert 'id="meer-scholen"' not in html
    assert "Zorg DLR 2" in html and "Zorg GLR 2" in html


def test_region_organisations_page_pages_through_all_of_them(client, region_data, monkeypatch):
    from portal.routes.coverage import regions
    monkeypatch.setattr(regions, "PER_PAGE", 2)
    html = client.get(f"/regio/AM38/organisaties?school_year={NOW}").get_data(as_text=True)
    assert "<h1>Organisaties in de leerroutes van FoodValley" in html
    assert "3 organisaties, pagina 1 van 2" in html
    first = re.findall(r'<th scope="row"><a href="/organisaties/\d+">([^<]+)</a></th>', html)
    assert len(first) == 2 and all(n.startswith("Kaarttest mbo") for n in first)  # by role: mbo first
    assert f'href="/regio/AM38/organisaties?school_year={NOW}&amp;pagina=2"' in html
    assert f'href="/regio/AM38?school_year={NOW}"' in html  # back to the region page, same year
    response = client.get(f"/regio/AM38/organisaties?school_year={NOW}&pagina=2", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="organisaties-lijst"')
    assert re.findall(r'<th scope="row"><a href="/organisaties/\d+">([^<]+)</a></th>', fragment) == ["Vallei Vmbo (Barneveld)"]
    assert "HX-Request" in response.headers["Vary"]
    assert client.get("/regio/AM38/organisaties?pagina=3").status_code == 404
    assert client.get("/regio/AM99/organisaties").status_code == 404
    assert "Nog geen organisaties" in client.get("/regio/AM38/organisaties?school_year=2012-2013").get_data(
        as_text=True)


def _all_pages(client, url: str) -> list[str]:
    names, page = [], 1
    while (response := client.get(f"{url}&pagina={page}")).status_code == 200:
        html = response.get_data(as_text=True)
        names += re.findall(r'<li><a href="/organisaties/\d+">([^<]+)</a></li>', html.split('id="gaten-scholen"')[1].split("</ul>")[0])
        page += 1
    assert response.status_code == 404 and page > 2
    return names


@pytest.mark.parametrize("school_year", [NOW, "2012-2013"])
def test_region_schools_without_route_page_pages_through_all_of_them(client, region_data, monkeypatch,
                                                                    db_session, school_year):
    from portal.routes.coverage import regions
    from portal.services.coverage import figures as coverage
    make_school("AM38", name="Zonder Route Een")
    make_school("AM09", name="Elders Zonder Route")
    monkeypatch.setattr(regions, "PER_PAGE", 4)
    expected = coverage.schools_without_route(
        db_session, coverage.selection_filters(school_year=school_year, region="AM38"), None, 2025)
    html = client.get(f"/regio/AM38/scholen-zonder-route?school_year={school_year}").get_data(as_text=True)
    assert f"{len(expected)} vmbo-scholen zonder leerroute, pagina 1 van {-(-len(expected) // 4)}" in html
    names = _all_pages(client, f"/regio/AM38/scholen-zonder-route?school_year={school_year}")
    assert len(names) == len(expected) and names[0].startswith(expected[0].name)
    assert any(n.startswith("Zonder Route Een") for n in names)
    assert not any(n.startswith("Elders Zonder Route") for n in names)
    # Vallei Vmbo has active routes now, none in a year before them
    assert any(n.startswith("Vallei Vmbo") for n in names) == (school_year != NOW)


# --- issue 20 §3: zero cells, lower-case codes, the region's own map -------------------

def test_matrix_zero_cells_are_plain_text_and_every_other_cell_a_link(client, region_data):
    html = client.get("/regio/AM38").get_data(as_text=True)
    matrix = html[html.index('id="dekkingsmatrix"'):html.index("</table>", html.index('id="dekkingsmatrix"'))]
    cells = re.findall(r'<td class="heat\d" data-profile="(\w+)" data-level="(\d)">(.*?)</td>', matrix, re.S)
    assert cells
    for profile, level, body in cells:
        number = re.sub(r"<[^>]+>", "", body).strip()
        if number == "0":
            assert "<a" not in body, (profile, level)
        else:
            assert "<a href=" in body, (profile, level)
    assert any(re.sub(r"<[^>]+>", "", b).strip() == "0" for _p, _l, b in cells)  # the case exists


@pytest.mark.parametrize("path", ["/regio/am38", "/regio/Am38", "/regio/am38/organisaties",
                                  "/regio/am38/scholen-zonder-route"])
def test_lower_case_region_codes_redirect_to_the_canonical_url(client, region_data, path):
    response = client.get(path)
    assert response.status_code in (301, 308)
    target = response.headers["Location"]
    assert "/regio/AM38" in target
    assert client.get(target).status_code == 200


def _map_block(html: str, suffix: str):
    match = re.search(rf'<script type="application/json" id="(map_[0-9a-f]+)-{suffix}"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(match.group(2)) if match else None


def test_region_page_has_its_own_map_with_its_schools_by_route(client, region_data):
    other = make_school("AM38", name="School zonder route Ede")
    response = client.get("/regio/AM38")
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert 'id="regiokaart"' in html
    # the same renderer as /kaart: vendored Leaflet, nonced scripts, no tiles, no external host
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html and "L.tileLayer" not in html
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "unsafe-inline" not in csp
    regions = _map_block(html, "regions")
    assert [f["id"] for f in regions["features"]] == ["AM38"]  # only this region, zoomed to
    assert "window.portalMaps.regionLayer(" in html and '["AM38"]' in html
    schools = {row[2]: row for row in _map_block(html, "schools")["schools"]}
    assert schools["Vallei Vmbo"][4] == 2  # both active routes; the concept is not counted
    assert schools["School zonder route Ede"][4] == 0
    assert schools["School zonder route Ede"][5] == other.id
    assert "{}" in _map_block(html, "schools")["route_list"]
    # every school on the map lies in the region: no school of another region
    assert all(row[2] in html for row in schools.values())


def test_region_map_does_not_grow_with_routes_elsewhere(client, region_data):
    """The region map reads nothing beyond the page's own queries: adding
    routes in another region changes neither the query count nor its data."""
    client.get("/regio/AM38")  # warm caches
    # Both requests follow a write, so both compute the figures (not the kept ones, core/aggregates).
    make_region_route("AM09", title="Elders")
    with count_queries() as before:
        first = client.get("/regio/AM38").get_data(as_text=True)
    for n in range(5):
        make_region_route("AM09", title=f"Elders {n}")
    with count_queries() as after:
        second = client.get("/regio/AM38").get_data(as_text=True)
    assert len(after) == len(before)
    assert _map_block(first, "schools") == _map_block(second, "schools")


def test_region_page_lists_are_rendered_once_per_data_version_and_follow_a_write(client, region_data):
    """The rows of the three lists are kept per data version (the same for every
    visitor): a second request renders none of them again, and a new route, its
    school and its organisations are in the lists on the next request."""
    from flask import current_app
    store = current_app.extensions["kept_aggregates"]
    first = client.get("/regio/AM38").get_data(as_text=True)
    computed = store.computed
    assert client.get("/regio/AM38").get_data(as_text=True).count('<th scope="row">') == \
        first.count('<th scope="row">')
    assert store.computed == computed
    school = make_school("AM38", name="Nieuwe Lijstschool")
    make_region_route("AM38", vmbo=school, title="Nieuwe lijstroute", profiles=("ZW",), mbo_level_code="3")
    html = client.get("/regio/AM38").get_data(as_text=True)
    assert store.computed > computed
    routes = html[html.index('id="routes-kop"'):html.index('id="orgs-kop"')]
    orgs = html[html.index('id="orgs-kop"'):html.index('id="voorbeelden-kop"')]
    assert "Nieuwe lijstroute" in routes and "Nieuwe lijstroute" not in first
    assert "Nieuwe Lijstschool" in orgs and "Nieuwe Lijstschool" not in first
