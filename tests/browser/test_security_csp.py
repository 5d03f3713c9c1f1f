"""Every main page loads in Chromium without a single CSP violation (nor any
other console error: guarded_page fails on those), anonymous and as admin."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.domain.school_year import current_school_year
from tests.browser.conftest import htmx_settled, login

# The main pages, listed on purpose; each must answer 200.
MAIN_PAGES = [
    "/", "/login", "/leerroutes", "/kaart", "/kaart/scholen", "/overeenkomsten", "/bibliotheek",
    "/kaart/dashboard", "/regio/AM38", "/regio/AM22/scholen-zonder-route", "/regio/AM38/organisaties",
    "/dekking/", "/dekking/vestigingen?profiel=HBR&provincie=PV30",
    "/organisaties", "/organisaties/?soort=mbo",
    "/kaart/rapportage/", f"/kaart/rapportage/{current_school_year()}",
    f"/kaart/rapportage/{current_school_year()}/afdrukken",
    "/regioplannen/", "/regioplannen/overzicht",
]
ADMIN_PAGES = MAIN_PAGES[:1] + MAIN_PAGES[2:] + [
    "/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/mbo-instellingen", "/account/wachtwoord",
    "/leerroutes/nieuw", "/bibliotheek/nieuw", "/overeenkomsten?archief=1", "/bibliotheek/moderatie",
    "/leerroutes?archief=1", "/organisaties/nieuw", "/beheer/organisaties/samenvoegen", "/beheer/rio/",
    "/beheer/rio/vergelijken", "/account/te-doen", "/account/meldingen", "/beheer/imports/",
    "/leerroutes?archief=1", "/beheer/doelen/", "/beheer/doelen/nieuw",
    "/leerroutes?archief=1", "/regioplannen/rondes/nieuw", "/regioplannen/beoordelingskader",
]
ADMIN = "beheer@demo.leerroutes.nl"

# Records every violation the browser reports, also those that do not reach
# the console (e.g. in report-only mode).
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at `
                              + `${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""


def visit(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"
    assert "content-security-policy" in response.headers
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_page_has_no_csp_violation(guarded_page, path):
    guarded_page.add_init_script(LISTEN)
    assert visit(guarded_page, path) == []


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_main_page_as_admin_has_no_csp_violation(guarded_page, path):
    guarded_page.add_init_script(LISTEN)
    login(guarded_page, ADMIN)
    guarded_page.wait_for_url(lambda url: "/login" not in url)
    assert visit(guarded_page, path) == []


def test_a_violation_is_noticed(page, live_server):
    """The control: an inline style attribute on a page without
    'unsafe-inline' is reported, to the listener and to the console."""
    console = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(LISTEN)
    page.goto(live_server + "/login")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in v for v in page.evaluate("window.__cspViolations"))
    page.wait_for_load_state("networkidle")
    assert any("Content Security Policy" in line for line in console)


@pytest.mark.parametrize("path", ["/overeenkomsten?archief=1", "/bibliotheek/moderatie", "/leerroutes?archief=1"])
def test_staff_archive_pages_are_accessible(guarded_page, path):
    """Where staff find archived agreements, practices and routes to restore
    them: no serious or critical axe violation."""
    from tests.browser.conftest import assert_accessible
    login(guarded_page, ADMIN)
    guarded_page.wait_for_url(lambda url: "/login" not in url)
    response = guarded_page.goto(path)
    assert response is not None and response.status == 200
    assert_accessible(guarded_page, path)


def test_route_outcome_pages_have_no_csp_violation(guarded_page):
    """The form of a route's outcomes (issue 17) and the route page showing
    them, as admin (who may record on every route)."""
    page = guarded_page
    page.add_init_script(LISTEN)
    login(page, ADMIN)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/leerroutes/")
    route = page.locator("main a[href^='/leerroutes/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/leerroutes\\/\\d+$/.test(h))")
    assert route, "no route link on /leerroutes/"
    for path in (route + "/uitkomsten", route):
        assert visit(page, path) == [], path


INSULA = "coordinator.insula@demo.leerroutes.nl"
TALENT = re.compile(r"Talentontwikkeling Techniek \(demo, in voorbereiding\)")


def editor_post(page, path: str):
    return page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "POST")


def test_funding_and_guarantee_editors_in_use_have_no_csp_violation(guarded_page):
    """Issue 20 §5: the editors logged 5-12 "Applying inline style violates
    style-src 'self'" errors per session, from htmx's own indicator styles
    (now off: includeIndicatorStyles false, the indicator styled in CSS).
    Loading a page is not enough to see them: open each editor, add a row,
    type (the live check), save, and fail a save (the error summary takes the
    focus). guarded_page fails on any console error as well."""
    page = guarded_page
    page.add_init_script(LISTEN)
    login(page, INSULA)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/overeenkomsten/")
    page.get_by_role("link", name=TALENT).click()
    detail = page.url.split("?")[0].rstrip("/")
    agreement = detail.rsplit("/", 1)[-1]

    page.get_by_role("link", name="Financiering", exact=True).click()
    htmx_settled(page)
    shares = page.locator("#aandelen tbody tr")
    before = shares.count()
    with editor_post(page, f"/overeenkomsten/{agreement}/financiering"):
        page.get_by_role("button", name="Aandeel toevoegen").click()
    expect(shares).to_have_count(before + 1)
    htmx_settled(page)
    with editor_post(page, f"/overeenkomsten/{agreement}/financiering"):
        shares.last.locator("input[name$='-percentage']").fill("12,5")  # the live check
    htmx_settled(page)
    with editor_post(page, f"/overeenkomsten/{agreement}/financiering"):
        page.get_by_role("button", name="Verdeling opslaan").click()
    htmx_settled(page)
    summary = page.locator("#funding-status .error-summary")
    expect(summary.locator("h2")).to_have_text("Controleer het formulier")  # the sums are not 100 %
    # The summary is focused by the page script after load: wait for it, do not race it.
    # (A locator, not wait_for_function: its string is eval'ed in the page, which the CSP refuses.)
    expect(page.locator(".error-summary:focus-within")).to_have_count(1)
    with editor_post(page, f"/overeenkomsten/{agreement}/financiering"):
        page.locator("#aandelen").get_by_role("button", name=re.compile("Verwijder")).last.click()
    htmx_settled(page)

    page.goto(detail)
    page.get_by_role("link", name="Overstapgarantie", exact=True).click()
    htmx_settled(page)
    phases = page.locator("fieldset.phase")
    before = phases.count()
    with editor_post(page, f"/overeenkomsten/{agreement}/overstapgarantie"):
        page.get_by_role("button", name="Fase toevoegen").click()
    expect(phases).to_have_count(before + 1)
    htmx_settled(page)
    with editor_post(page, f"/overeenkomsten/{agreement}/overstapgarantie"):
        page.get_by_label("Duur van de route in maanden").fill("48")
    htmx_settled(page)
    with editor_post(page, f"/overeenkomsten/{agreement}/overstapgarantie"):
        page.get_by_role("button", name="Overstapgarantie opslaan").click()
    htmx_settled(page)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
