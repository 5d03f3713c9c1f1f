"""A coordinator registers a GLR, meets the Dutch error at the field, fixes it,
finds the route in the list filtered on their region and exports it."""
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, fill_zorg_route, login

TITLE = "GLR Helpende Zorg browsertest"


def test_coordinator_registers_a_glr_finds_it_and_exports_it(guarded_page):
    page = guarded_page
    login(page, "coordinator.perron@demo.leerroutes.nl")
    page.goto("/leerroutes/nieuw")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe leerroute registreren")
    # the coordinator's own school is already a party
    expect(page.locator("#vmbo_parties .chip")).to_contain_text("Het Perron voor VMBO")
    assert_accessible(page, "route form")

    fill_zorg_route(page, TITLE, level="3")
    # the party picker (htmx combobox): find ROC A12 and choose it
    page.get_by_role("combobox", name="Zoek een mbo-instelling").fill("A12")
    result = page.get_by_role("option", name=re.compile("ROC A12"))
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("#mbo_parties .chip")).to_contain_text("ROC A12")
    page.get_by_role("button", name="Leerroute registreren").click()

    # niveau 3 is not allowed for a GLR: the Dutch message sits at the field
    error = page.locator("#mbo_level-fout")
    expect(error).to_contain_text("Een geïntegreerde route (GLR) leidt naar mbo-niveau 2")
    expect(page.get_by_label("Mbo-niveau")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Titel")).to_have_value(TITLE)
    expect(page.locator("#mbo_parties .chip")).to_contain_text("ROC A12")
    assert_accessible(page, "route form with errors")

    page.get_by_label("Mbo-niveau").select_option("2")
    page.get_by_role("button", name="Leerroute registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("De leerroute is geregistreerd.")).to_be_visible()
    # the route is in voorbereiding: the region words follow its status (issue 20), not "actief in"
    expect(page.get_by_text("in voorbereiding in arbeidsmarktregio: FoodValley")).to_be_visible()
    assert_accessible(page, "route detail")

    # find it in the list filtered on the coordinator's region; the URL holds the filter
    page.get_by_role("link", name="Leerroutes", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leerroutes")
    page.get_by_label(re.compile(r"^FoodValley")).check()
    expect(page).to_have_url(re.compile(r"region=AM38"))
    expect(page.locator("#route-results").get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.locator("#route-results").get_by_role("link", name="Talentontwikkeling Techniek")).to_have_count(0)
    assert_accessible(page, "route list filtered")
    page.reload()
    expect(page.get_by_label(re.compile(r"^FoodValley"))).to_be_checked()
    expect(page.locator("#route-results").get_by_role("link", name=TITLE)).to_be_visible()

    # export the filtered list as CSV and as XLSX
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV (Excel)").click()
    csv_bytes = open(csv_download.value.path(), "rb").read()
    assert csv_bytes.startswith("\ufeff".encode())
    text = csv_bytes.decode("utf-8-sig")
    assert TITLE in text and "Talentontwikkeling Techniek" not in text
    assert text.splitlines()[0].startswith("id;titel;soort")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read())).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert TITLE in titles and "Talentontwikkeling Techniek" not in titles


def test_mine_history_and_import_pages_are_accessible(guarded_page):
    page = guarded_page
    login(page, "coordinator.perron@demo.leerroutes.nl")
    page.goto("/leerroutes/mijn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leerroutes")
    assert_accessible(page, "mine")
    page.get_by_role("link", name="Het Perron GLR Helpende Zorg en Welzijn", exact=True).click()
    page.get_by_role("link", name="Geschiedenis").click()
    expect(page.get_by_role("heading", name="Geschiedenis")).to_be_visible()
    expect(page.get_by_role("cell", name="Geregistreerd")).to_be_visible()
    assert_accessible(page, "history")
    page.goto("/leerroutes/importeren")
    expect(page.get_by_role("link", name="Download het sjabloon (CSV)")).to_be_visible()
    assert_accessible(page, "import")


def test_register_and_filter_without_javascript(browser, live_server):
    """The party picker and the filters work with JavaScript switched off."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, "coordinator.perron@demo.leerroutes.nl")
        page.goto("/leerroutes/nieuw")
        page.get_by_label("Titel").fill("Zonder JavaScript route")
        page.get_by_label("Soort route").select_option("vakmanschap")
        page.get_by_label("KB – Kaderberoepsgerichte leerweg").check()
        page.get_by_label("Mbo-niveau").select_option("3")
        page.get_by_role("searchbox", name="Zoek een mbo-instelling").fill("A12")
        page.get_by_role("button", name="Zoeken Zoek een mbo-instelling").click()
        # the form came back with the search results and with what was typed
        expect(page.get_by_label("Titel")).to_have_value("Zonder JavaScript route")
        page.locator("#results-mbo").get_by_label(re.compile("ROC A12")).check()
        page.get_by_role("button", name="Leerroute registreren").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Zonder JavaScript route")
        page.goto("/leerroutes/")
        page.get_by_label(re.compile(r"^Vakmanschaproute")).check()
        page.get_by_role("button", name="Filters toepassen").click()
        expect(page).to_have_url(re.compile(r"kind=vakmanschap"))
        expect(page.get_by_role("link", name="Zonder JavaScript route")).to_be_visible()
        expect(page.get_by_role("link", name="Talentontwikkeling Techniek")).to_have_count(0)
    finally:
        context.close()
