"""A coordinator records a school year's outcomes of their route without
JavaScript-only help: a negative count is a Dutch error at the field with the
summary focused, the fixed input saves, the route page shows the figures, the
agreement page shows the wait beyond the promised maximum, and the public
sees "<5". axe finds no violation at all on the form and the agreement page.
Demo data (labelled demo); a route no other browser test looks at."""
from __future__ import annotations

from playwright.sync_api import expect

from portal.domain.school_year import current_school_year, shift_school_year
from tests.browser.conftest import assert_accessible, login, logout

KNIPPENBERG = "coordinator.knippenberg@demo.leerroutes.nl"
ROUTE = "Helmond DLR Techniek niveau 4"
AGREEMENT = "Samenwerkingsovereenkomst Helmond – Techniek niveau 4 (demo)"
LAST = shift_school_year(current_school_year(), -1)


def test_a_coordinator_records_outcomes_and_sees_the_wait_on_the_agreement_page(guarded_page):
    page = guarded_page
    login(page, KNIPPENBERG)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/leerroutes/mijn")
    page.get_by_role("link", name=ROUTE, exact=True).click()
    route_url = page.url
    expect(page.get_by_role("heading", name="Uitkomsten", exact=True)).to_be_visible()
    page.get_by_role("link", name="Uitkomsten vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitkomsten van de leerroute")
    assert_accessible(page, "the outcomes form", any_impact=True)

    page.get_by_label("Schooljaar", exact=True).select_option(LAST)
    page.get_by_label("Gestarte leerlingen").fill("-18")
    page.locator("#wait_1_vmbo_bb").fill("2, 9")  # phase month 1-18, promised at most 5 school days
    page.locator("#wait_19_mbo2").fill("4")  # phase month 19-36, promised at most 10
    page.get_by_label("Vmbo-diploma's behaald", exact=True).fill("12")
    page.get_by_label("Mbo-diploma's behaald", exact=True).fill("3")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main .error-summary")).to_be_focused()
    expect(page.locator("#started-fout")).to_have_text("Een aantal kan niet negatief zijn.")
    assert_accessible(page, "the outcomes form with an error", any_impact=True)

    page.get_by_label("Gestarte leerlingen").fill("18")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(lambda url: url.startswith(route_url) and "uitkomsten" not in url.split("#")[0])
    expect(page.locator(".flash")).to_contain_text(f"De uitkomsten van schooljaar {LAST} zijn opgeslagen.")
    row = page.locator("#uitkomsten-tabel tbody tr", has=page.get_by_role("rowheader", name=LAST))
    expect(row.locator("td")).to_have_text(["18", "3", "2", "1", "0", "0", "0", "12", "3"])

    page.goto("/overeenkomsten/")
    page.get_by_role("link", name=AGREEMENT).click()
    expect(page.locator("#garantie-niet-nagekomen")).to_have_text(
        "1 leerling wachtte langer dan de overstapgarantie belooft.")
    waits = page.locator("#wachttijden-tabel tbody tr")
    expect(waits.first.locator("td")).to_have_text([ROUTE, LAST, "Maand 1 tot en met 18", "5", "2", "9", "1"])
    assert_accessible(page, "the agreement page", any_impact=True)

    logout(page)
    page.goto(route_url)
    row = page.locator("#uitkomsten-tabel tbody tr", has=page.get_by_role("rowheader", name=LAST))
    expect(row.locator("td")).to_have_text(["18", "<5", "<5", "<5", "<5", "<5", "<5", "12", "<5"])
    expect(page.get_by_role("link", name="Uitkomsten vastleggen")).to_have_count(0)
