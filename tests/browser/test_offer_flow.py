"""In a browser, on the real reference data (flask seed): the region page
counts the mbo institutions with a location in Rijnmond and shows a profiel
witte vlek from DUO's figures; a school coordinator corrects the school's
offer with the keyboard; staff mark an institution funded. Axe, no console
or CSP errors (guarded_page)."""
from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from portal.domain import offer as offer_rules
from portal.domain import vocab
from tests.browser.conftest import assert_accessible, login
from tests.conftest import require_data_file

PUPILS = "duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv"

PERRON = "coordinator.perron@demo.leerroutes.nl"
ADMIN = "beheer@demo.leerroutes.nl"


def profiles_offered_in(region_code: str) -> set[str]:
    """A straightforward count from the files: the profielen with pupils in
    leerjaar 3-4 in DUO's 2019 file at the vestigingen DUO's vo list places in
    the region (DUO's names mapped by the import's rules)."""
    with require_data_file("vo_vestigingen_2024.csv").open(encoding="utf-8") as handle:
        in_region = {r["vestigingscode"] for r in csv.DictReader(handle) if r["arbeidsmarktregio_code"] == region_code}
    raw = require_data_file(PUPILS).read_bytes().decode("cp1252")
    offered = set()
    for row in csv.DictReader(io.StringIO(raw), delimiter=";"):
        pathway = offer_rules.pathway_of_pupil_type(row["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"])
        if pathway is None or row["BRIN NUMMER"] + row["VESTIGINGSNUMMER"] not in in_region:
            continue
        pupils = sum(int(row[f"LEER- OF VERBLIJFSJAAR {y} - {s}"]) for y in (3, 4) for s in ("MAN", "VROUW"))
        _, code = offer_rules.profile_of(pathway, row["VMBO SECTOR"], row["AFDELING"])
        if code and pupils > 0:
            offered.add(code)
    return offered


def test_rijnmond_shows_the_real_mbo_institutions_and_a_profiel_witte_vlek(guarded_page):
    """Issue 15, done when: after `flask seed` (the live server's database),
    /regio/AM22 counts the real mbo institutions with a location in Rijnmond,
    and its profiel witte vlekken are the profielen offered there according
    to DUO's file that no route in the matrix covers."""
    path = require_data_file("mbo_locaties_kiesmbo_2025.csv")
    with path.open(encoding="utf-8") as handle:
        expected = len({row["brin"] for row in csv.DictReader(handle) if row["arbeidsmarktregio_code"] == "AM22"})
    assert expected > 20
    page = guarded_page
    page.goto("/regio/AM22")
    expect(page.locator('[data-figure="mbo"]')).to_have_text(str(expected))
    expect(page.locator("#profielbron")).to_contain_text("profielen volgens DUO, 2019-2020")
    offered = profiles_offered_in("AM22")
    covered = set(page.locator("#dekkingsmatrix td[data-profile]:has(a)").evaluate_all(
        "cells => cells.map(c => c.dataset.profile)"))
    names = vocab.names(vocab.PROFILES)
    gaps = [names[code] for code in (t.code for t in vocab.PROFILES) if code in offered - covered]
    assert len(gaps) >= 10  # Rijnmond offers every profiel; a fresh seed has no route there
    expect(page.locator("#gaten-profielen li")).to_have_text(gaps)
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
    # The summary is focused by the page script after load: wait for it, do not race it.
    # (A locator, not wait_for_function: its string is eval'ed in the page, which the CSP refuses.)
    expect(page.locator(".error-summary:focus-within")).to_have_count(1)
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
