"""In a browser, on the real reference data (flask seed): the region page
counts the mbo institutions with a location in Rijnmond and shows a profiel
witte vlek from DUO's figures; a school coordinator corrects the school's
offer with the keyboard; staff mark an institution funded. Axe, no console
or CSP errors (guarded_page)."""
from __future__ import annotations

import csv
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.conftest import require_data_file

PERRON = "coordinator.perron@demo.leerroutes.nl"
ADMIN = "beheer@demo.leerroutes.nl"


def test_rijnmond_shows_the_real_mbo_institutions_and_a_profiel_witte_vlek(guarded_page):
    path = require_data_file("mbo_locaties_kiesmbo_2025.csv")
    with path.open(encoding="utf-8") as handle:
        expected = len({row["brin"] for row in csv.DictReader(handle) if row["arbeidsmarktregio_code"] == "AM22"})
    page = guarded_page
    page.goto("/regio/AM22")
    expect(page.locator('[data-figure="mbo"]')).to_have_text(str(expected))
    expect(page.locator("#profielbron")).to_contain_text("profielen volgens DUO, 2019-2020")
    assert page.locator("#gaten-profielen li").count() > 0
    assert_accessible(page, "/regio/AM22")


def test_a_school_corrects_its_offer_with_the_keyboard(guarded_page):
    page = guarded_page
    login(page, PERRON)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/leerroutes/mijn")
    page.locator("#aanbod-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/organisaties/\d+/aanbod$"))
    expect(page.locator("#aanbod-bron")).to_contain_text("profielen volgens DUO, 2019-2020")
    expect(page.locator("#aanbod-duo")).to_be_visible()
    assert_accessible(page, "offer page")
    # Nothing chosen: the error summary takes the focus and names the field.
    for box in page.locator("#pathways input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name="Aanbod opslaan").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Kies minstens één leerweg")
    assert page.evaluate("document.activeElement.closest('.error-summary') !== null")
    assert_accessible(page, "offer page with errors")
    # Keyboard only: tick the four leerwegen again (the profielen kept their ticks), then save. The
    # other browser tests share this server: the school keeps offering what its demo routes need.
    profiles_before = sorted(box.get_attribute("value") for box in page.locator("#profiles input:checked").all())
    assert "ZW" in profiles_before
    for label in ("BB – Basisberoepsgerichte leerweg", "KB – Kaderberoepsgerichte leerweg", "GL – Gemengde leerweg",
                  "TL – Theoretische leerweg"):
        page.get_by_label(label).focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Aanbod opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#aanbod-school")).to_contain_text("opgegeven door de school")
    expect(page.locator("#aanbod-bron")).to_contain_text("profielen opgegeven door de school")
    assert sorted(box.get_attribute("value") for box in page.locator("#profiles input:checked").all()) == \
        profiles_before
    expect(page.locator("#aanbod-nu")).to_contain_text("BB, KB, GL, TL")


def test_staff_mark_an_institution_funded(guarded_page):
    page = guarded_page
    login(page, ADMIN)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/beheer/mbo-instellingen")
    page.get_by_label("Zoek op naam, BRIN of plaats").fill("Albeda")
    page.get_by_role("button", name="Zoek").click()
    expect(page.locator("#mbo-aantal")).to_contain_text("1 instelling")
    row = page.locator("#mbo-instellingen tbody tr").first
    expect(row).to_contain_text("00GT")
    assert_accessible(page, "/beheer/mbo-instellingen")
    before = row.locator("td").last.inner_text()
    row.get_by_role("button").click()
    expect(page.locator(".flashes")).to_contain_text("Albeda")
    after = page.locator("#mbo-instellingen tbody tr").first.locator("td").last.inner_text()
    assert before.split()[0] != after.split()[0]
