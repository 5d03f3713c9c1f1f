"""Regioplannen in a real browser: staff open a round; the penvoerder (the
demo coordinator of Insula College) forms a plan region, writes the plan,
watches the co-financing share while typing the budget and submits; the
demo assessor scores and advises "nog niet voldragen" with improvement
points; the penvoerder improves and resubmits; the advice becomes positief
and staff approve. The overview's counts follow each step, and the
arbeidsmarktregio's page lists the approved plan for anyone; axe scans every
page, and no request leaves the portal (guarded_page)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, htmx_settled, login, logout

STAFF = "programma@demo.leerroutes.nl"
LEAD = "coordinator.insula@demo.leerroutes.nl"
ASSESSOR = "beoordelaar@demo.leerroutes.nl"
ROUND = "Browserronde regioplannen (synthetisch)"
REGION = "Browserregio Drechtsteden (synthetisch)"
COUNTED = ("ingediend", "positief_advies", "nog_niet_voldragen", "ingetrokken", "goedgekeurd")


def counts(page) -> dict[str, str]:
    page.goto("/regioplannen/overzicht")
    row = page.locator("#tellingen tr", has_text=ROUND)
    return {state: row.locator(f'td[data-state="{state}"]').inner_text() for state in COUNTED}


def tick(page, query: str, name: str) -> None:
    page.get_by_label("Zoek een school, mbo-instelling of werkgever").fill(query)
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_label(re.compile(re.escape(name))).check()


def assign_and_score(page, score: str) -> None:
    logout(page)
    login(page, STAFF)
    page.goto("/regioplannen/overzicht")
    page.get_by_role("link", name=REGION).click()
    page.get_by_role("link", name="Beoordelaars toewijzen").click()
    assert_accessible(page, "assign")
    page.get_by_label(re.compile("Bea Beoordelaar")).check()
    page.get_by_role("button", name="Toewijzen en beoordeling starten").click()
    expect(page.locator("#plan-status")).to_have_text("In beoordeling")
    logout(page)
    login(page, ASSESSOR)
    page.goto("/regioplannen/")
    page.get_by_role("link", name=REGION).click()
    page.get_by_role("link", name="Beoordelen").click()
    assert_accessible(page, "assess")
    for select in page.locator('select[name$="-score"]').all():
        select.select_option(score)
    for area in page.locator('textarea[name$="-motivation"]').all():
        area.fill(f"Synthetisch: score {score}.")
    page.get_by_role("button", name="Scores opslaan").click()
    expect(page.get_by_text("De scores zijn opgeslagen.")).to_be_visible()


def test_submit_assess_resubmit_approve(guarded_page):
    page = guarded_page
    login(page, STAFF)
    page.goto("/regioplannen/rondes/nieuw")
    assert_accessible(page, "new round")
    page.get_by_label("Naam van de ronde").fill(ROUND)
    page.get_by_label("Indienen uiterlijk", exact=True).fill("01-04-2099")
    page.get_by_label("Opnieuw indienen uiterlijk").fill("01-10-2099")
    page.get_by_role("button", name="Ronde aanmaken").click()
    assert counts(page) == dict.fromkeys(COUNTED, "0")
    assert_accessible(page, "overview")

    # The penvoerder forms the plan region (its own school is the penvoerder).
    logout(page)
    login(page, LEAD)
    page.goto("/regioplannen/")
    page.get_by_role("link", name=f"Planregio aanmelden voor {ROUND}").click()
    page.get_by_label("Naam van de planregio").fill(REGION)
    tick(page, "Uilenhof", "De Uilenhof")
    tick(page, "Da Vinci", "ROC Da Vinci College")
    tick(page, "Merwede", "Installatiebedrijf Merwede")
    assert_accessible(page, "region form")
    page.get_by_role("button", name="Planregio opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Regioplan {REGION}")
    expect(page.get_by_text("minstens één actie")).to_be_visible()
    # its area: the hull of Insula (Dordrecht) and De Uilenhof (Gorinchem), over the regions it overlaps
    expect(page.locator("#overlapt")).to_contain_text("(AM23)")
    expect(page.locator("#overlapt")).to_contain_text("(AM35)")
    assert_accessible(page, "plan concept")

    page.get_by_role("link", name="Visie en analyse").click()
    page.get_by_label("Visie en doelen").fill("Synthetisch: meer technici in de Drechtsteden.")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("link", name="Acties").click()
    page.get_by_label("Beschrijving", exact=True).fill("Synthetisch: techniekpracticum")
    page.get_by_label("Eigenaar (partij)").select_option(index=1)
    page.get_by_label("Jaar", exact=True).fill("2099")
    page.get_by_label("Meetbaar resultaat").fill("Twee lokalen")
    assert_accessible(page, "actions")
    page.get_by_role("button", name="Acties opslaan").click()

    # The budget: the share shows live while typing, nothing saved yet.
    page.get_by_role("link", name="Begroting").click()
    for n, (year, amount) in enumerate((("2099", "90000"), ("2099", ""), ("2099", "9000"), ("2099", "999")), 1):
        page.get_by_label(f"Jaar regel {n}", exact=True).fill(year)
        if amount:
            page.get_by_label(f"Bedrag in euro regel {n}", exact=True).fill(amount)
    page.get_by_role("button", name=re.compile("Verwijder regel 2")).click()
    htmx_settled(page)
    page.get_by_label("Bedrag in euro regel 3", exact=True).fill("1000")
    expect(page.locator("#co-financing")).to_contain_text("10,00 %")
    expect(page.locator("#co-financing")).to_contain_text("voldoet")
    page.get_by_label("Bedrag in euro regel 3", exact=True).fill("998")
    expect(page.locator("#co-financing")).to_contain_text("te laag")
    assert_accessible(page, "budget")
    page.get_by_label("Bedrag in euro regel 3", exact=True).fill("1000")
    expect(page.locator("#co-financing")).to_contain_text("voldoet")
    page.get_by_role("button", name="Begroting opslaan").click()
    page.get_by_role("button", name="Plan indienen").click()
    expect(page.locator("#plan-status")).to_have_text("Ingediend")
    assert counts(page)["ingediend"] == "1"

    # The assessor scores and advises "nog niet voldragen" with improvement points.
    assign_and_score(page, "2")
    page.get_by_label("Advies", exact=True).select_option(label="Nog niet voldragen")
    page.get_by_label("Advies (toelichting)").fill("Synthetisch: nog te weinig bedrijven.")
    page.get_by_label("Verbeterpunten").fill("Synthetisch: betrek drie extra installateurs.")
    page.get_by_label("Markering").select_option(label="Techniekarm")
    page.get_by_role("button", name="Advies geven").click()
    expect(page.locator("#plan-status")).to_have_text("Nog niet voldragen")
    assert counts(page)["nog_niet_voldragen"] == "1"

    # The penvoerder sees the points and the scores, improves and resubmits.
    logout(page)
    login(page, LEAD)
    page.goto("/regioplannen/")
    page.get_by_role("link", name=REGION).click()
    expect(page.locator("#verbeterpunten")).to_contain_text("drie extra installateurs")
    expect(page.locator("#scores")).to_be_visible()
    assert_accessible(page, "plan with advice")
    page.get_by_role("link", name="Visie en analyse").click()
    page.get_by_label("Visie en doelen").fill("Synthetisch: meer technici, met drie extra installateurs.")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Opnieuw indienen").click()
    expect(page.locator("#plan-status")).to_have_text("Ingediend")
    page.get_by_role("link", name="Versies (2)").click()
    expect(page.get_by_role("heading", name="Versie 2")).to_be_visible()
    expect(page.locator("table.diff")).to_contain_text("drie extra installateurs")
    assert_accessible(page, "versions")

    # The advice becomes positief; staff approve.
    assign_and_score(page, "4")
    page.get_by_label("Advies", exact=True).select_option(label="Positief advies")
    page.get_by_label("Advies (toelichting)").fill("Synthetisch: een sterk plan.")
    page.get_by_role("button", name="Advies geven").click()
    expect(page.locator("#plan-status")).to_have_text("Positief advies")
    logout(page)
    login(page, STAFF)
    page.goto("/regioplannen/overzicht")
    page.get_by_role("link", name=REGION).click()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.locator("#plan-status")).to_have_text("Goedgekeurd")
    assert counts(page) == {"ingediend": "1", "positief_advies": "0", "nog_niet_voldragen": "0",
                            "ingetrokken": "0", "goedgekeurd": "1"}
    expect(page.locator(".leaflet-container").first).to_be_visible()
    assert_accessible(page, "overview after")

    # The arbeidsmarktregio's page lists the approved plan for everyone.
    logout(page)
    page.goto("/regio/AM35")
    expect(page.locator("#regioplannen li", has_text=REGION)).to_contain_text("Goedgekeurd")
