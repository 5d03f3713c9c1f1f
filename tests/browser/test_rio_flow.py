"""The school's coordinator records the route's registration at DUO in the
row editor on the route page (htmx): the focus follows the editor, a date in
the future is a Dutch error at the field with the summary focused, the fixed
input saves in place; axe finds nothing serious. Staff see the unregistered
list and the comparison page. Demo data (labelled demo)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, htmx_settled, login

# A school whose demo route no other browser test looks at (the live server's data is shared).
UILENHOF = "coordinator.uilenhof@demo.leerroutes.nl"
ADMIN = "beheer@demo.leerroutes.nl"
ROUTE = "Gorinchem DLR Maritiem en techniek"


def test_the_school_records_its_duo_registration_in_the_row(guarded_page):
    page = guarded_page
    login(page, UILENHOF)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/leerroutes/mijn")
    # The active DLR is not registered yet: a notice, and a filter that shows only such routes.
    expect(page.locator(".rio-notice")).to_contain_text("nog niet geregistreerd bij DUO")
    page.get_by_role("link", name="Toon alleen de leerroutes die niet geregistreerd zijn bij DUO").click()
    expect(page.get_by_role("link", name=ROUTE, exact=True)).to_be_visible()
    page.get_by_role("link", name=ROUTE, exact=True).click()
    route_url = page.url
    row = page.locator(".rio-row").first
    expect(row).to_contain_text("niet geregistreerd bij DUO")

    row.get_by_role("link", name=re.compile("Registratie wijzigen")).click()
    htmx_settled(page)
    registered = page.get_by_label("Geregistreerd bij DUO?")
    expect(registered).to_be_focused()
    assert page.url == route_url  # swapped in place, no navigation
    assert_accessible(page, "DUO registration editor")

    registered.select_option("ja")
    page.get_by_label("Datum van registratie").fill((date.today() + timedelta(days=2)).strftime("%d-%m-%Y"))
    page.get_by_role("button", name="Registratie opslaan").click()
    htmx_settled(page)
    summary = page.locator(".rio-row .error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#registered_on-fout")).to_have_text(
        "De datum van de registratie kan niet in de toekomst liggen.")
    assert_accessible(page, "DUO registration editor with an error")

    today = date.today().strftime("%d-%m-%Y")
    page.get_by_label("Datum van registratie").fill(today)
    page.get_by_label(re.compile("RIO-code")).fill("100B490")
    page.get_by_role("button", name="Registratie opslaan").click()
    htmx_settled(page)
    saved = page.locator(".rio-row").first
    expect(saved).to_contain_text(f"geregistreerd bij DUO op {today}, RIO-code 100B490")
    expect(saved).to_be_focused()
    page.reload()
    expect(page.locator(".rio-row").first).to_contain_text(f"geregistreerd bij DUO op {today}")
    page.goto("/leerroutes/mijn?duo=niet-geregistreerd")
    expect(page.get_by_role("link", name=ROUTE, exact=True)).to_have_count(0)


def test_staff_pages_of_the_duo_registration_are_accessible(guarded_page):
    page = guarded_page
    login(page, ADMIN)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/beheer/rio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet geregistreerd bij DUO")
    assert_accessible(page, "/beheer/rio")
    page.get_by_role("link", name="Vergelijken met een lijst van DUO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergelijken met de registraties bij DUO")
    page.get_by_label("CSV-bestand van DUO").set_input_files(files=[{
        "name": "duo.csv", "mimeType": "text/csv",
        "buffer": b"vestigingscode;crebo;soort;schooljaar\r\n02MF00;25498;GLR;2020-2022\r\n"}])
    page.get_by_role("button", name="Vergelijken").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Regel 2: Schrijf het schooljaar")
    assert_accessible(page, "comparison with a bad file")
