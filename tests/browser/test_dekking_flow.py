"""/dekking in a real browser on the real reference data (issue 16): a programme
officer reads the distribution, switches the profiel and the map layer, opens the
table and follows a matrix cell; nothing is requested from another host, no
console error, 0 axe violations."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, htmx_settled


def test_a_programme_officer_walks_the_dekking_page(guarded_page):
    page = guarded_page
    page.goto("/dekking/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Landelijke dekking van de profielen")
    headline = page.locator("#dekking-kop")
    expect(headline).to_contain_text(re.compile(r"\d+ % van de vestigingen biedt één profiel aan"))
    expect(page.locator("#dekking-bronnen")).to_contain_text("DUO, leerlingen vo per vestiging")
    expect(page.locator("#dekking-kaart .leaflet-interactive").first).to_be_attached()
    gemeenten = page.locator("#dekking-kaart path.leaflet-interactive").count()
    assert gemeenten > 300, "every gemeente is drawn"
    # The trend: exam candidates per leerweg x sector, a chart per leerweg and the table, source and years named.
    expect(page.locator("#examens-grafiek svg.sector-chart")).to_have_count(4)
    expect(page.locator("#examens-bb .sector-label")).to_have_text(
        ["Economie", "Landbouw", "Techniek", "Zorg en welzijn"])
    expect(page.locator("#examens-bron")).to_contain_text("schooljaren 2019-2020 tot en met 2023-2024")
    expect(page.locator('#examens-tabel tr[data-pathway="BB"][data-sector="techniek"] td.num')).to_have_count(5)
    expect(page.locator("#leerlingen-tabel")).to_be_visible()
    assert_accessible(page, "/dekking")

    # The profiel filter redraws the map and the tables in place (htmx), and the URL says what is shown.
    page.get_by_label("Profiel op de kaart en bij de afstanden").select_option("HBR")
    page.wait_for_url(re.compile(r"profiel=HBR"))
    htmx_settled(page)
    expect(page.locator("#kaart-kop")).to_contain_text("Horeca, bakkerij en recreatie")
    expect(page.locator("#afstand-tabel tbody tr").first).to_contain_text(
        re.compile(r"Terschelling|Vlieland|Schiermonnikoog|Ameland"))

    # A region narrows the trend: its exam chart and table, and the export link carries the region.
    national_bb = page.locator('#examens-tabel tr.subtotal[data-pathway="BB"] td.num').first.inner_text()
    page.get_by_label("Arbeidsmarktregio").select_option("AM22")
    page.wait_for_url(re.compile(r"regio=AM22"))
    htmx_settled(page)
    expect(page.locator("#examens-bb title")).to_contain_text("Rijnmond")
    regional_bb = page.locator('#examens-tabel tr.subtotal[data-pathway="BB"] td.num').first.inner_text()
    assert int(regional_bb.replace(".", "")) < int(national_bb.replace(".", ""))
    link = page.locator("#trend-kop ~ p.exports a", has_text="CSV").last
    expect(link).to_have_attribute("href", re.compile(r"/dekking/export/examens\.csv\?.*regio=AM22"))
    page.get_by_label("Arbeidsmarktregio").select_option("")
    page.wait_for_url(lambda url: "regio=AM22" not in url)
    htmx_settled(page)

    # The layer switch: the provincies carry their percentage as a label.
    provinces = page.get_by_role("checkbox", name="Provincies")
    expect(provinces).not_to_be_checked()
    expect(page.locator("#dekking-kaart .area-label")).to_have_count(0)
    provinces.check()
    expect(page.locator("#dekking-kaart .area-label")).to_have_count(12)
    expect(page.locator("#dekking-kaart .area-label").first).to_have_text(re.compile(r"^\d+ %$"))

    # The accessible table beside the map.
    page.get_by_text(re.compile(r"Tabel: de \d+ gemeenten")).click()
    expect(page.locator("#gemeenten-tabel tbody tr")).to_have_count(342)
    expect(page.locator('#gemeenten-tabel tr[data-state="niet aangeboden"]').first).to_be_visible()
    assert_accessible(page, "/dekking?profiel=HBR")

    # A matrix cell opens the list of its vestigingen.
    cell = page.locator("#matrix-tabel td a").first
    count = int(cell.inner_text())
    cell.click()
    expect(page.locator("#vestigingen-tabel tbody tr")).to_have_count(count)
    assert_accessible(page, "/dekking/vestigingen")
