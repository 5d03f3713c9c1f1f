"""Issue 15: a coordinator adds a new employer from the route form without
leaving it, and the saved route has it as a party; the organisation pages
(list, search, one organisation with its map) are accessible and keep to the
CSP. The employer is synthetic test data."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, fill_zorg_route, htmx_settled, login

TITLE = "GLR met nieuw leerbedrijf browsertest"
EMPLOYER = "Browsertest Leerbedrijf (synthetisch)"

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""


def test_coordinator_adds_an_employer_from_the_route_form_and_saves_the_route(guarded_page):
    page = guarded_page
    login(page, "coordinator.perron@demo.leerroutes.nl")
    page.goto("/leerroutes/nieuw")
    fill_zorg_route(page, TITLE)
    page.get_by_role("combobox", name="Zoek een mbo-instelling").fill("A12")
    result = page.get_by_role("option", name=re.compile("ROC A12"))
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("#mbo_parties .chip")).to_contain_text("ROC A12")

    # open the add panel from the employer field: the form opens in the page, focus in its first field
    page.get_by_role("link", name=re.compile("Voeg een nieuwe toe")).click()
    name = page.locator("#partner-paneel").get_by_label("Naam")
    expect(name).to_be_focused()
    htmx_settled(page)
    assert_accessible(page, "route form with the add panel")
    name.fill(EMPLOYER)
    page.locator("#partner-paneel").get_by_label("KvK-nummer (8 cijfers)").fill("1234")
    page.locator("#partner-paneel").get_by_label("Gemeente").select_option(label="Ede")
    page.locator("#partner-paneel").get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#kvk_number-fout")).to_contain_text("precies 8 cijfers")
    page.locator("#partner-paneel").get_by_label("KvK-nummer (8 cijfers)").fill("90817263")
    page.locator("#partner-paneel").get_by_role("button", name="Toevoegen").click()

    # still on the route form, with what was typed, and the new employer chosen in the employer field
    expect(page.locator("#partner-toegevoegd")).to_contain_text(f"{EMPLOYER} is toegevoegd en gekozen")
    expect(page).to_have_url(re.compile(r"/leerroutes/nieuw$"))
    expect(page.get_by_label("Titel")).to_have_value(TITLE)
    expect(page.locator("#employer_parties .chip")).to_contain_text(EMPLOYER)
    expect(page.locator("#mbo_parties .chip")).to_contain_text("ROC A12")

    page.get_by_role("button", name="Leerroute registreren").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    employer_link = page.get_by_role("link", name=EMPLOYER, exact=True)
    expect(employer_link).to_be_visible()
    employer_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EMPLOYER)
    expect(page.locator("#organisatie-gegevens")).to_contain_text("90817263")
    expect(page.locator("#organisatie-routes").get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.locator("#organisatiekaart .leaflet-interactive").first).to_be_attached()
    assert_accessible(page, "organisation page")


def test_the_organisation_list_searches_and_a_school_page_draws_its_map(guarded_page):
    page = guarded_page
    page.add_init_script(LISTEN)
    page.goto("/organisaties/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisaties")
    assert_accessible(page, "organisation list")
    page.get_by_label("Zoek een organisatie").fill("Perron")
    expect(page).to_have_url(re.compile(r"q=Perron"))
    link = page.locator("#organisatie-resultaten").get_by_role("link", name=re.compile("Het Perron"))
    expect(link.first).to_be_visible()
    link.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Het Perron")
    # the region shape and the school's point are drawn (no tiles, no inline script or style)
    expect(page.locator("#organisatiekaart path.leaflet-interactive")).to_have_count(2)
    assert page.evaluate("window.__cspViolations") == []
    assert_accessible(page, "school page")
