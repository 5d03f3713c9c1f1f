"""Issue 4 in a real browser: the vmbo coordinator of Het Perron drafts an
agreement for the Perron GLR (still in voorbereiding), sets the funding split
(60/39 is refused at the row), the overstapgarantie (a gap is refused), sends
and signs; the ROC A12 coordinator signs; the agreement is getekend and the
route can now be set to actief. Then (issue 20 §1) a clause is amended after
the warning, and both parties sign the addendum: the route stays actief and
the /kaart and region counts never change while the addendum waits. Every
agreement page passes an axe scan."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, htmx_settled, login, logout

ROUTE = "Het Perron GLR Helpende Zorg en Welzijn"
TITLE = "Samenwerkingsovereenkomst GLR Helpende Zorg en Welzijn (browsertest)"


def test_agreement_from_draft_to_signed_and_route_activation(guarded_page):
    page = guarded_page
    # The route cannot be set to actief yet: no signed agreement covers it.
    login(page, "coordinator.perron@demo.leerroutes.nl")
    set_route_actief(page)
    expect(page.locator("#status-fout")).to_contain_text("pas actief worden als een getekende samenwerkingsovereenkomst")
    page.goto("/overeenkomsten/")
    expect(page.get_by_role("heading", name="Samenwerkingsovereenkomsten")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Het Perron – vakmanschaproutes"))).to_be_visible()
    # the Talentontwikkeling agreement is a concept of other parties: not shown to them (issue 20)
    expect(page.get_by_role("link", name=re.compile("Talentontwikkeling Techniek"))).to_have_count(0)
    assert_accessible(page, "agreements index")

    # 1. Draft the agreement with its clauses.
    page.get_by_role("link", name="Nieuwe overeenkomst").click()
    expect(page.get_by_role("heading", name="Nieuwe samenwerkingsovereenkomst")).to_be_visible()
    assert_accessible(page, "new agreement form")
    page.get_by_label("Titel").fill(TITLE)
    # the picker: search the route by its title and choose it
    routes = page.get_by_role("combobox", name="Leerroutes die de overeenkomst dekt")
    routes.press_sequentially(ROUTE[:12])
    page.get_by_role("option", name=re.compile("^" + re.escape(ROUTE))).first.click()
    expect(page.locator("#route_ids-veld .chip")).to_contain_text(ROUTE)
    page.get_by_label("Begindatum").fill("2026-08-01")
    page.get_by_label("Einddatum").fill("2030-07-31")
    page.get_by_label("Gebruik van elkaars voorzieningen").fill("Praktijklokalen van ROC A12 en Het Perron.")
    page.get_by_label("Vorm van samenwerking").fill("Geïntegreerde route op Het Perron.")
    page.get_by_label("Bestuur (governance)").fill("Stuurgroep van CSV en ROC A12.")
    page.get_by_label("Organisatorische en onderwijskundige inrichting").fill("Eén gemengd team.")
    page.get_by_label("Klachtenregeling").fill("Regeling van de school van inschrijving.")
    page.get_by_label("Sector", exact=True).fill("Zorg en welzijn")
    page.get_by_label("Opleidingsdomein").select_option(label="Zorg en welzijn")
    page.get_by_label("Rol van het bedrijfsleven").fill("Zorgcentrum De Vallei kiest mee in de kwalificatie.")
    page.get_by_label("Examinerende partij (een mbo-partij)").select_option(label="ROC A12")
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Toelichting teambevoegdheid").fill("Mbo-docenten geven les in het vmbo.")
    page.get_by_label("Medezeggenschap").fill("Beide raden stemmen in.")
    page.get_by_label("Overstapoptie (afspraken").fill("Altijd een passende plek in vmbo-bb of mbo-2.")
    page.get_by_label("Omvang en bestemming").fill("Lumpsum vo deels naar ROC A12 voor de mbo-lessen.")
    page.get_by_role("button", name="Overeenkomst aanmaken").click()
    expect(page.get_by_text("De overeenkomst is aangemaakt als concept.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("Overdracht van middelen (omvang en bestemming): ontbreekt")
    assert_accessible(page, "agreement detail (concept)")
    detail_url = page.url

    # 2. Funding: 60/39 is refused at the row that breaks the sum; 60/40 is saved.
    page.get_by_role("link", name="Financiering").click()
    page.get_by_label("Partij rij 1").select_option(label="Het Perron voor VMBO en Praktijkonderwijs")
    page.get_by_label("Partij rij 2").select_option(label="ROC A12")
    page.get_by_label("Aandeel in procenten rij 1").fill("60")
    page.get_by_label("Aandeel in procenten rij 2").fill("39")
    page.get_by_label("Aandeel in procenten rij 2").press("Tab")  # leave the field; the live check runs on input
    second_row = page.locator("#aandelen tbody tr").nth(1)
    expect(second_row).to_contain_text("tellen op tot 99,00 %")
    expect(page.locator("#aandelen tbody tr").first).not_to_contain_text("99,00")
    expect(page.get_by_text(re.compile(r"99,00 %\s*\(moet precies 100,00 % zijn\)"))).to_be_visible()
    assert_accessible(page, "funding editor with error")
    page.get_by_role("button", name="Verdeling opslaan").click()
    expect(page.get_by_text("Niet opgeslagen. De verdeling is nog niet in orde")).to_be_visible()
    expect(second_row).to_contain_text("tellen op tot 99,00 %")
    htmx_settled(page)  # the editor was swapped in: its live check is bound
    page.get_by_label("Aandeel in procenten rij 2").fill("40")
    page.get_by_label("Aandeel in procenten rij 2").press("Tab")
    expect(page.get_by_text(re.compile(r"100,00 %\s*\(klopt\)"))).to_be_visible()
    page.get_by_role("button", name="Verdeling opslaan").click()
    expect(page.get_by_text("De verdeling van de middelen is opgeslagen.")).to_be_visible()
    expect(second_row).not_to_contain_text("tellen op tot")

    # 2b. Funding for the first of the four school years only: the checklist names
    # the other three (issue 20 §4); shares for every year complete it.
    page.goto(detail_url)
    expect(page.locator("#checklist")).to_contain_text(
        "Lumpsum vo: geen verdeling voor schooljaren 2027-2028, 2028-2029 en 2029-2030.")
    page.get_by_role("link", name="Financiering").click()
    for n, year in enumerate(("2027-2028", "2028-2029", "2029-2030")):
        for offset, (party, pct) in enumerate((("Het Perron voor VMBO en Praktijkonderwijs", "60"), ("ROC A12", "40"))):
            row = 3 + 2 * n + offset
            page.get_by_role("button", name="Aandeel toevoegen").click()
            expect(page.get_by_label(f"Schooljaar rij {row}")).to_be_visible()
            htmx_settled(page)
            page.get_by_label(f"Schooljaar rij {row}").fill(year)
            page.get_by_label(f"Partij rij {row}").select_option(label=party)
            page.get_by_label(f"Aandeel in procenten rij {row}").fill(pct)
    page.get_by_role("button", name="Verdeling opslaan").click()
    expect(page.get_by_text("De verdeling van de middelen is opgeslagen.")).to_be_visible()

    # 3. Overstapgarantie: a gap between the phases is refused, then fixed.
    page.goto(detail_url)
    page.get_by_role("link", name="Overstapgarantie").click()
    page.get_by_label("Duur van de route in maanden").fill("48")
    phase1 = page.locator("fieldset.phase").nth(0)
    phase1.get_by_label("Van maand").fill("1")
    phase1.get_by_label("Tot en met maand").fill("12")
    phase1.get_by_label("Plek na overstap").select_option("vmbo_bb")
    phase1.get_by_label("Verantwoordelijke partij").select_option(label="Het Perron voor VMBO en Praktijkonderwijs")
    phase1.get_by_label("Maximale wachttijd (schooldagen)").fill("5")
    page.get_by_role("button", name="Fase toevoegen").click()
    phase2 = page.locator("fieldset.phase").nth(1)
    expect(phase2.get_by_label("Van maand")).to_have_value("13")
    phase2.get_by_label("Van maand").fill("15")
    phase2.get_by_label("Tot en met maand").fill("48")
    phase2.get_by_label("Plek na overstap").select_option("mbo2")
    phase2.get_by_label("Verantwoordelijke partij").select_option(label="ROC A12")
    phase2.get_by_label("Maximale wachttijd (schooldagen)").fill("10")
    page.get_by_role("button", name="Overstapgarantie opslaan").click()
    expect(page.get_by_text("Niet opgeslagen. De overstapgarantie is nog niet in orde")).to_be_visible()
    expect(phase2).to_contain_text("gat tussen de fasen: maand 13 tot en met 14")
    assert_accessible(page, "guarantee editor with gap")
    phase2.get_by_label("Van maand").fill("13")
    page.get_by_role("button", name="Overstapgarantie opslaan").click()
    expect(page.get_by_text("De overstapgarantie is opgeslagen.")).to_be_visible()

    # 4. Complete: send for signature and sign for Het Perron.
    page.goto(detail_url)
    expect(page.locator("#checklist")).to_contain_text("Alle 12 verplichte onderdelen zijn ingevuld.")
    page.get_by_role("button", name="Ter ondertekening versturen").click()
    expect(page.get_by_text("De overeenkomst ligt nu ter ondertekening")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Tekenen namens")).click()
    # Confirmation step (issue 20 §4): the bevoegd gezag and the version, nothing signed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Tekenen namens"))
    expect(page.locator(".sign-confirmation")).to_contain_text("versie 1")
    assert_accessible(page, "sign confirmation")
    page.get_by_role("button", name=re.compile("^Ja, teken versie 1 namens")).click()
    expect(page.get_by_text(re.compile("Je hebt getekend namens"))).to_be_visible()
    expect(page.locator(".agreement-status").first).to_have_text("Ter ondertekening")
    assert_accessible(page, "agreement detail (ter ondertekening)")
    logout(page)

    # 5. ROC A12 signs: every party has signed, so the agreement is getekend.
    login(page, "coordinator.a12@demo.leerroutes.nl")
    page.goto(detail_url)
    sign_buttons = page.get_by_role("button", name=re.compile("^Tekenen namens"))
    expect(sign_buttons).to_have_count(1)
    sign_buttons.click()
    page.get_by_role("button", name=re.compile("^Ja, teken versie 1 namens")).click()
    expect(page.get_by_text("Alle partijen hebben getekend: de overeenkomst is getekend.")).to_be_visible()
    expect(page.locator(".agreement-status").first).to_have_text("Getekend")
    assert_accessible(page, "agreement detail (getekend)")
    page.get_by_role("link", name="Versies").click()
    expect(page.get_by_role("heading", name=re.compile("^Versies van"))).to_be_visible()
    assert_accessible(page, "versions")
    page.goto(detail_url)
    page.get_by_role("link", name="Afdrukversie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)  # the kind once (issue 20 §5)
    assert_accessible(page, "print view")

    # The other agreement pages pass the axe scan too.
    page.goto(detail_url)
    page.get_by_role("link", name="Partijen").click()
    expect(page.get_by_role("heading", name=re.compile("^Partijen van"))).to_be_visible()
    assert_accessible(page, "parties")
    page.goto(detail_url)
    page.get_by_role("link", name="Overeenkomst opzeggen").click()
    expect(page.get_by_role("heading", name="Overeenkomst opzeggen")).to_be_visible()
    assert_accessible(page, "terminate form")

    # 6. The route can now be set to actief.
    kaart_before = kaart_routes(page)
    set_route_actief(page)
    expect(page.get_by_text("De leerroute is opgeslagen.")).to_be_visible()
    kaart_active = kaart_routes(page)
    assert kaart_active == kaart_before + 1  # the route runs this school year: it counts
    missing_active = region_missing(page)

    # 7. Amend a clause (issue 20 §1): the form warns first; version 1 stays in force.
    page.goto(detail_url)
    page.get_by_role("link", name="Bepalingen bewerken").click()
    expect(page.locator("#addendum-waarschuwing")).to_contain_text("dat alle partijen opnieuw moeten tekenen")
    expect(page.locator("#addendum-hint")).to_contain_text("Opslaan maakt addendum versie 2")
    page.get_by_label("Medezeggenschap").fill("Beide raden stemmen in; synthetische wijziging voor de browsertest.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen als versie 2 (addendum)")).to_be_visible()
    expect(page.locator("#overeenkomst-status")).to_have_text(
        "Getekend (versie 1 in werking), addendum (versie 2) in voorbereiding")
    expect(page.locator("#addendum")).to_contain_text("synthetische wijziging voor de browsertest")
    expect(page.locator("#addendum")).to_contain_text("Nog te tekenen door")
    assert_accessible(page, "agreement detail (addendum in voorbereiding)")
    viewport = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})  # the addendum and its diff fit a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(viewport)
    # The route stays actief and counted while the addendum waits.
    assert route_state(page) == "Actief"
    assert kaart_routes(page) == kaart_active and region_missing(page) == missing_active

    # 8. Both parties sign the addendum: it becomes the version in force.
    page.goto(detail_url)
    page.get_by_role("button", name="Ter ondertekening versturen").click()
    expect(page.locator("#overeenkomst-status")).to_have_text(
        "Getekend (versie 1 in werking), addendum (versie 2) ter ondertekening")
    page.get_by_role("button", name=re.compile("^Tekenen namens")).click()
    page.get_by_role("button", name=re.compile("^Ja, teken versie 2 namens")).click()
    expect(page.get_by_text(re.compile("Je hebt getekend namens"))).to_be_visible()
    assert kaart_routes(page) == kaart_active and route_state(page) == "Actief"
    logout(page)
    page.goto(detail_url)  # the public sees version 1 in force, not the draft
    expect(page.locator("#overeenkomst-status")).to_have_text("Getekend (versie 1)")
    expect(page.get_by_text("addendum")).to_have_count(0)
    assert kaart_routes(page) == kaart_active
    login(page, "coordinator.perron@demo.leerroutes.nl")
    page.goto(detail_url)
    page.get_by_role("button", name=re.compile("^Tekenen namens")).click()
    page.get_by_role("button", name=re.compile("^Ja, teken versie 2 namens")).click()
    expect(page.get_by_text("Alle partijen hebben getekend: addendum versie 2 is nu in werking.")).to_be_visible()
    expect(page.locator("#overeenkomst-status")).to_have_text("Getekend")
    assert route_state(page) == "Actief"
    assert kaart_routes(page) == kaart_active and region_missing(page) == missing_active


def kaart_routes(page) -> int:
    """The active routes /kaart counts (this school year)."""
    page.goto("/kaart")
    return int(page.locator('#kaart-tellers [data-counter="routes"]').inner_text().replace(".", ""))


def region_missing(page) -> int:
    """FoodValley (Het Perron, Veenendaal): active routes without a signed agreement in force."""
    page.goto("/regio/AM38")
    return int(page.locator('[data-figure="agreements-missing"]').inner_text())


def route_state(page) -> str:
    page.goto("/leerroutes/mijn")
    page.get_by_role("link", name=ROUTE).first.click()
    return page.locator("xpath=//dt[normalize-space()='Status']/following-sibling::dd[1]").first.inner_text().strip()


def set_route_actief(page):
    page.goto("/leerroutes/mijn")
    page.get_by_role("link", name=ROUTE).first.click()
    page.get_by_role("link", name="Bewerken").first.click()
    page.get_by_label("Status").select_option("actief")
    page.get_by_role("button", name="Wijzigingen opslaan").click()


def test_public_sees_agreements_without_finances(guarded_page):
    page = guarded_page
    page.goto("/overeenkomsten/")
    link = page.get_by_role("link", name=re.compile("Het Perron – vakmanschaproutes"))
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_text("Getekend", exact=True)).to_be_visible()
    expect(page.get_by_text("ROC A12").first).to_be_visible()
    expect(page.get_by_text("Lumpsum vo")).to_have_count(0)
    expect(page.get_by_text("alleen zichtbaar voor de partijen")).to_be_visible()
    assert_accessible(page, "public agreement detail")
