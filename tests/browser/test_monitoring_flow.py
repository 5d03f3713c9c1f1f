"""Programme monitoring in the browser (issue 17): the seeded letter targets
on the dashboard, a staff user adding a fifth (with an error first, shown at
the field), the year report; axe on every new page, no console or CSP errors
(guarded_page)."""
from __future__ import annotations

from playwright.sync_api import expect

from portal.domain.school_year import current_school_year
from tests.browser.conftest import assert_accessible, login

ADMIN = "beheer@demo.leerroutes.nl"


def test_the_dashboard_shows_the_letter_targets_with_status(guarded_page):
    page = guarded_page
    page.goto("/kaart/dashboard")
    targets = page.locator("#programmadoelen > li")
    expect(targets).to_have_count(4)
    for item in targets.all():
        assert item.locator(".target-status").inner_text() in ("Behaald", "Op koers", "Achter")
        expect(item.locator("svg .target-line")).to_have_count(1)
    assert_accessible(page, "dashboard with targets")
    page.get_by_role("link", name=f"Jaarrapportage {current_school_year()}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jaarrapportage {current_school_year()}")
    expect(page.locator("#rapport-indicatoren tbody tr")).to_have_count(7)
    assert_accessible(page, "year report")
    page.get_by_role("link", name="Afdrukversie (A4)").click()
    expect(page.locator(".print-report")).to_be_visible()
    assert_accessible(page, "print report")
    page.goto("/kaart/rapportage/")
    assert_accessible(page, "report index")


def test_staff_add_a_fifth_target(guarded_page):
    page = guarded_page
    login(page, ADMIN)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/beheer/doelen/")
    expect(page.locator("#doelen tbody tr")).to_have_count(4)
    assert_accessible(page, "targets list")
    page.get_by_role("link", name="Nieuw doel").click()
    page.get_by_label("Naam van het doel").fill("Synthetisch testdoel: aandeel vestigingen")
    page.get_by_label("Indicator").select_option("vmbo_share")
    page.get_by_label("Doelwaarde").fill("150")
    page.get_by_label("Schooljaar waarin het doel bereikt moet zijn").fill("2027-2028")
    page.get_by_label("Bron").fill("Synthetische testbron")
    page.get_by_role("button", name="Doel toevoegen").click()
    expect(page.get_by_text("Een percentage is hoogstens 100.").first).to_be_visible()
    assert_accessible(page, "target form with an error")
    page.get_by_label("Doelwaarde").fill("60")
    page.get_by_role("button", name="Doel toevoegen").click()
    expect(page.locator("#doelen tbody tr")).to_have_count(5)
    page.goto("/kaart/dashboard")
    expect(page.locator("#programmadoelen > li")).to_have_count(5)
    expect(page.locator("#programmadoelen")).to_contain_text("Synthetisch testdoel: aandeel vestigingen")
