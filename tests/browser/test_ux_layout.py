"""Issue 20 §6: every main page fits a phone (390 x 844) and a laptop
(1366 x 900) without the page itself scrolling sideways, as anonymous, as a
coordinator and as an administrator. A wide table scrolls inside its own box
with its first column in view. Each page is photographed at both sizes into
test-results/layout/ (git-ignored) for a reviewer to look at.

One browser context per role; each page is loaded once at phone width, then
the same page is resized to laptop width (media queries and scripts follow
the resize)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.domain.school_year import current_school_year
from tests.browser.conftest import login
from tests.conftest import ROOT

SIZES = (("390x844", 390, 844), ("1366x900", 1366, 900))
SHOTS = ROOT / "test-results" / "layout"
PERRON = "coordinator.perron@demo.leerroutes.nl"
ADMIN = "beheer@demo.leerroutes.nl"

# What is wider than the window: the page's own overflow, for the message.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let inside = el.parentElement;
      let scrolled = false;
      while (inside && inside !== document.body) {
        const style = getComputedStyle(inside);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { scrolled = true; break; }
        inside = inside.parentElement;
      }
      if (!scrolled) {
        culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                      ' right=' + Math.round(box.right));
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, culprits: culprits.slice(0, 6)};
}"""


def first_href(page, path: str, pattern: str, name: str | None = None) -> str:
    page.goto(path)
    links = page.locator("main a[href]")
    hrefs = [(a.get_attribute("href"), a.inner_text()) for a in links.all()]
    for href, text in hrefs:
        if href and re.fullmatch(pattern, href.split("?")[0]) and (name is None or name in text):
            return href.split("?")[0]
    raise AssertionError(f"no link {pattern} on {path}")


def public_pages(page) -> list[str]:
    route = first_href(page, "/leerroutes/", r"/leerroutes/\d+")
    agreement = first_href(page, "/overeenkomsten/", r"/overeenkomsten/\d+", "Het Perron")
    practice = first_href(page, "/bibliotheek/", r"/bibliotheek/\d+")
    return ["/", "/login", "/leerroutes/", route, "/kaart/", "/kaart/scholen", "/kaart/dashboard", "/overeenkomsten/", agreement,
            "/bibliotheek/", practice, "/regio/", "/regio/AM38", "/regio/AM38/organisaties",
            "/regio/AM22/scholen-zonder-route", "/dekking/", "/dekking/vestigingen?profiel=HBR&provincie=PV30",
            "/organisaties/", first_href(page, "/organisaties/?q=Perron", r"/organisaties/\d+"),
            "/kaart/rapportage/", f"/kaart/rapportage/{current_school_year()}",
            f"/kaart/rapportage/{current_school_year()}/afdrukken", "/regioplannen/", "/regioplannen/overzicht"]


def coordinator_pages(page) -> list[str]:
    agreement = first_href(page, "/overeenkomsten/", r"/overeenkomsten/\d+", "Het Perron")
    offer = first_href(page, "/leerroutes/mijn", r"/organisaties/\d+/aanbod")
    return public_pages(page)[2:] + [
        offer, "/leerroutes/mijn", "/leerroutes/nieuw", "/leerroutes/importeren", "/bibliotheek/nieuw", "/bibliotheek/mijn",
        "/account/wachtwoord", "/overeenkomsten/nieuw", agreement + "/financiering",
        agreement + "/overstapgarantie", agreement + "/bewerken", agreement + "/partijen", agreement + "/versies",
        agreement + "/afdrukken", "/organisaties/nieuw", "/leerroutes/mijn?duo=niet-geregistreerd", rio_edit_page(page),
        outcome_page(page),
        "/account/te-doen", "/account/meldingen", "/overeenkomsten/?wacht=handtekening", "/leerroutes/mijn?wacht=verloopt"] + plan_pages(page)


def outcome_page(page) -> str:
    """The form of the route outcomes (issue 17) of the coordinator's first route."""
    return first_href(page, "/leerroutes/mijn", r"/leerroutes/\d+") + "/uitkomsten"


def rio_edit_page(page) -> str:
    """The no-JavaScript page of the DUO-registration editor of the coordinator's GLR."""
    route = first_href(page, "/leerroutes/mijn", r"/leerroutes/\d+", "GLR")
    page.goto(route)
    href = page.locator("main a.rio-edit").first.get_attribute("href")
    assert href, f"no DUO-registration editor on {route}"
    return href



def plan_pages(page) -> list[str]:
    """The demo concept plan of Het Perron's coordinator (its penvoerder) and its editors."""
    plan = first_href(page, "/regioplannen/", r"/regioplannen/\d+", "Foodvalley heel vmbo")
    return [plan, plan + "/bewerken", plan + "/acties", plan + "/begroting", plan + "/partijen",
            plan + "/versies", first_href(page, "/regioplannen/", r"/regioplannen/rondes/\d+/planregio/nieuw")]


def deactivate_page(page) -> str:
    """The confirmation page of deactivating an account (a GET form in the user list)."""
    page.goto("/beheer/gebruikers")
    actions = [a for a in (f.get_attribute("action") for f in page.locator("main form[method=get]").all()) if a]
    assert actions, "no deactivate form on /beheer/gebruikers"
    return actions[-1]


def admin_pages(page) -> list[str]:
    return [deactivate_page(page), "/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/mbo-instellingen",
            "/kaart/dashboard", "/bibliotheek/moderatie", "/overeenkomsten/?archief=1", "/leerroutes/?archief=1",
            "/beheer/organisaties/samenvoegen", "/beheer/rio/", "/beheer/rio/vergelijken",
            "/account/te-doen", "/account/meldingen", "/beheer/doelen/", "/beheer/doelen/nieuw", "/beheer/imports/",
            "/regioplannen/overzicht", "/regioplannen/rondes/nieuw", "/regioplannen/beoordelingskader",
            first_href(page, "/regioplannen/overzicht", r"/regioplannen/\d+", "Achterhoek") + "/toewijzen"]


ROLES = {"anonymous": (None, public_pages), "coordinator": (PERRON, coordinator_pages), "admin": (ADMIN, admin_pages)}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_a_phone_and_a_laptop(browser, live_server, role):
    email, pages_of = ROLES[role]
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="nl-NL")
    page = context.new_page()
    try:
        if email:
            login(page, email)
            page.wait_for_url(lambda url: "/login" not in url)
        paths = pages_of(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        too_wide = []
        for path in paths:
            page.set_viewport_size({"width": 390, "height": 844})
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            for label, width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_function(f"window.innerWidth === {width}")
                measured = page.evaluate(OVERFLOW)
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                page.screenshot(path=str(SHOTS / f"{role}-{name}-{label}.png"), full_page=True)
                if measured["scrollWidth"] > measured["width"]:
                    too_wide.append((path, label, measured["scrollWidth"], measured["culprits"]))
        assert too_wide == [], "pages wider than the window: " + "; ".join(map(str, too_wide))
        assert len(paths) >= 6
    finally:
        context.close()


def test_the_overflow_check_notices_a_page_that_is_too_wide(browser, live_server):
    """The control: a page made wider than the phone is measured as such."""
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/leerroutes/")
        assert page.evaluate(OVERFLOW)["scrollWidth"] <= 390
        page.evaluate("document.querySelector('main table').style.setProperty('min-width', '60rem')"
                      " || document.querySelector('.table-scroll').classList.remove('table-scroll')")
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] > 390 and measured["culprits"], measured
    finally:
        context.close()


def test_a_wide_table_scrolls_in_its_box_with_the_first_column_in_view(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, ADMIN)
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto("/beheer/gebruikers")
        box = page.locator("main .table-scroll").first
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the users table fits: nothing to scroll"
        assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"
        assert "(scrollbaar)" in (box.get_attribute("aria-label") or "")
        first = box.locator("tbody tr").first.locator("th, td").first
        left = first.evaluate("c => c.getBoundingClientRect().left")
        box.evaluate("b => { b.scrollLeft = 200; }")
        page.wait_for_function("() => document.querySelector('main .table-scroll').scrollLeft > 0")
        assert abs(first.evaluate("c => c.getBoundingClientRect().left") - left) < 1  # sticky
        second = box.locator("tbody tr").first.locator("th, td").nth(1)
        assert second.evaluate("c => c.getBoundingClientRect().left") < left + first.evaluate(
            "c => c.getBoundingClientRect().width")  # the rest moved under it
    finally:
        context.close()


def test_map_scale_bar_is_metric_only(page, live_server):
    page.goto(live_server + "/kaart/")
    scale = page.locator(".leaflet-control-scale-line")
    scale.first.wait_for()
    assert scale.count() == 1
    assert re.fullmatch(r"\d+ k?m", scale.inner_text().strip()), scale.inner_text()


def test_after_a_failed_submit_the_error_summary_has_the_focus(page, live_server):
    login(page, PERRON)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(live_server + "/overeenkomsten/nieuw")
    page.get_by_role("button", name="Overeenkomst aanmaken").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert summary.locator("h2").inner_text() == "Controleer het formulier"
    # The page's script moves the focus once the document is loaded (after the pickers are built): wait for
    # it, within the usual timeout; it fails when the focus never arrives.
    # (A locator, not wait_for_function: its string is eval'ed in the page, which the CSP refuses.)
    expect(page.locator(".error-summary:focus")).to_have_count(1)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "title"
