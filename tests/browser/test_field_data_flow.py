"""Issue 15, done when: on the real field data, a coordinator of a real ROC
that is not in the demo (Albeda, BRIN 00GT, loaded by `flask mbo import` from
the KiesMBO file) and a coordinator of a real vmbo school (Thorbecke
Talentschool Rotterdam, 15HX02, from DUO's list) get their accounts from
`flask create-user` against the live portal's database. The ROC coordinator
registers a route with that school (chosen in the combobox), with the Albeda
location where it is taught, and a NEW employer added in the form's dialog;
then makes the agreement, completes it and sends it; both coordinators sign.
The route and the agreement show the parties and the signatures; every page
passes the axe scan, and guarded_page fails on any request to another host or
console error. The people, the employer and the agreement are synthetic."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, fill_zorg_route, flask_cli, login, logout

ROC = "Albeda"
LOCATION = "Rosestraat, Rotterdam (00GT00)"
SCHOOL, SCHOOL_CODE = "Thorbecke Talentschool Rotterdam vmbo", "15HX02"
EMPLOYER = "Zorghotel De Maas, veldtest (synthetisch)"
ROUTE = "GLR Helpende Zorg en Welzijn Albeda–Thorbecke (browsertest)"
AGREEMENT = "Samenwerkingsovereenkomst GLR Albeda–Thorbecke (browsertest)"
ROC_USER = ("veldtest.albeda@example.org", "Rik Albeda (synthetisch)")
SCHOOL_USER = ("veldtest.thorbecke@example.org", "Sanne Thorbecke (synthetisch)")
PASSWORD = "Veldtest-wachtwoord-15-synthetisch"
ROC_BODY, SCHOOL_BODY = "Stichting Albeda (browsertest)", "Bevoegd gezag Thorbecke (browsertest)"


def create_coordinator(email: str, name: str, organisation: str) -> None:
    out = flask_cli("create-user", "--email", email, "--name", name, "--role", "coordinator",
                    "--organisation", organisation, "--password", PASSWORD)
    assert f"Account aangemaakt: {email} (coordinator)." in out


def test_a_real_roc_and_a_real_school_register_a_route_and_sign_its_agreement(guarded_page):
    page = guarded_page
    # The institution comes from the real file (the seed loaded it; a second run changes nothing).
    assert re.search(r"Geladen: .*0 gewijzigd, 0 beëindigd", flask_cli("mbo", "import"))
    create_coordinator(*ROC_USER, ROC)  # --organisation by its exact name
    create_coordinator(*SCHOOL_USER, SCHOOL_CODE)  # by its vestigingscode

    # 1. The ROC coordinator registers the route: their own institution is already chosen.
    login(page, ROC_USER[0], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/leerroutes/nieuw")
    expect(page.locator("#mbo_parties .chip")).to_contain_text(ROC)
    fill_zorg_route(page, ROUTE)
    page.get_by_label("Mbo-locatie").select_option(label=LOCATION)
    schools = page.get_by_role("combobox", name="Zoek een vmbo-vestiging")
    schools.press_sequentially("Thorbecke")
    option = page.get_by_role("option", name=re.compile(re.escape(SCHOOL)))
    expect(option).to_have_count(1)
    assert_accessible(page, "route form, school list open")
    option.click()
    expect(page.locator("#vmbo_parties .chip")).to_contain_text(SCHOOL)

    # the employer is new: added in the dialog without leaving the form
    page.get_by_role("link", name=re.compile("Voeg een nieuwe toe")).click()
    panel = page.locator("#partner-paneel")
    expect(panel.get_by_label("Naam")).to_be_focused()
    panel.get_by_label("Naam").fill(EMPLOYER)
    panel.get_by_label("KvK-nummer (8 cijfers)").fill("51526374")
    panel.get_by_label("Gemeente").select_option(label="Rotterdam")
    assert_accessible(page, "route form with the add dialog")
    panel.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#partner-toegevoegd")).to_contain_text(f"{EMPLOYER} is toegevoegd en gekozen")
    expect(page.locator("#employer_parties .chip")).to_contain_text(EMPLOYER)
    expect(page.get_by_label("Titel")).to_have_value(ROUTE)
    page.get_by_role("button", name="Leerroute registreren").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUTE)
    route_url = page.url
    assert_parties_of_route(page)
    assert_accessible(page, "the new route")

    # 2. The agreement: drafted, parties' bevoegd gezag, funding, overstapgarantie, sent, signed for Albeda.
    page.goto("/overeenkomsten/nieuw")
    page.get_by_label("Titel").fill(AGREEMENT)
    routes = page.get_by_role("combobox", name="Leerroutes die de overeenkomst dekt")
    routes.press_sequentially("Albeda–Thorbecke")
    page.get_by_role("option", name=re.compile("^" + re.escape(ROUTE))).first.click()
    expect(page.locator("#route_ids-veld .chip")).to_contain_text(ROUTE)
    page.get_by_label("Begindatum").fill("2026-08-01")
    page.get_by_label("Einddatum").fill("2027-07-31")
    fill_clauses(page)
    page.get_by_label("Examinerende partij (een mbo-partij)").select_option(label=ROC)
    page.get_by_role("button", name="Overeenkomst aanmaken").click()
    expect(page.get_by_text("De overeenkomst is aangemaakt als concept.")).to_be_visible()
    detail_url = page.url
    # the parties are the route's school and institution, not its employer (that one does not sign)
    parties = page.locator("#partijen-kop + .table-scroll tbody tr")
    expect(parties).to_have_count(2)

    page.get_by_role("link", name="Partijen").click()
    page.get_by_label(f"Bevoegd gezag van {SCHOOL}").fill(SCHOOL_BODY)
    page.get_by_label(f"Bevoegd gezag van {ROC}").fill(ROC_BODY)
    expect(page.get_by_label(f"Bevoegd-gezagnummer van {SCHOOL}")).to_have_value("41775")  # DUO's, pre-filled
    assert_accessible(page, "parties")
    page.get_by_role("button", name="Partijen opslaan").click()
    expect(page.get_by_role("heading", name=AGREEMENT)).to_be_visible()

    page.goto(detail_url)
    page.get_by_role("link", name="Financiering").click()
    page.get_by_label("Partij rij 1").select_option(label=SCHOOL)
    page.get_by_label("Partij rij 2").select_option(label=ROC)
    page.get_by_label("Aandeel in procenten rij 1").fill("70")
    page.get_by_label("Aandeel in procenten rij 2").fill("30")
    page.get_by_role("button", name="Verdeling opslaan").click()
    expect(page.get_by_text("De verdeling van de middelen is opgeslagen.")).to_be_visible()

    page.goto(detail_url)
    page.get_by_role("link", name="Overstapgarantie").click()
    page.get_by_label("Duur van de route in maanden").fill("12")
    phase = page.locator("fieldset.phase").nth(0)
    phase.get_by_label("Van maand").fill("1")
    phase.get_by_label("Tot en met maand").fill("12")
    phase.get_by_label("Plek na overstap").select_option("vmbo_bb")
    phase.get_by_label("Verantwoordelijke partij").select_option(label=SCHOOL)
    phase.get_by_label("Maximale wachttijd (schooldagen)").fill("5")
    page.get_by_role("button", name="Overstapgarantie opslaan").click()
    expect(page.get_by_text("De overstapgarantie is opgeslagen.")).to_be_visible()

    page.goto(detail_url)
    expect(page.locator("#checklist")).to_contain_text("Alle 12 verplichte onderdelen zijn ingevuld.")
    page.get_by_role("button", name="Ter ondertekening versturen").click()
    expect(page.get_by_text("De overeenkomst ligt nu ter ondertekening")).to_be_visible()
    sign(page, ROC_BODY)
    expect(page.get_by_text(re.compile("Je hebt getekend namens"))).to_be_visible()
    expect(page.locator(".agreement-status").first).to_have_text("Ter ondertekening")
    logout(page)

    # 3. The school's coordinator signs: the agreement is getekend.
    login(page, SCHOOL_USER[0], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(detail_url)
    sign(page, SCHOOL_BODY)
    expect(page.get_by_text("Alle partijen hebben getekend: de overeenkomst is getekend.")).to_be_visible()
    expect(page.locator(".agreement-status").first).to_have_text("Getekend")
    for organisation, body, signer in ((SCHOOL, SCHOOL_BODY, SCHOOL_USER[1]), (ROC, ROC_BODY, ROC_USER[1])):
        row = parties.filter(has=page.get_by_role("rowheader", name=organisation, exact=True))
        expect(row).to_contain_text(body)
        expect(row).to_contain_text(re.compile(f"Getekend door {re.escape(signer)} op .*, namens {re.escape(body)}"))
    assert_accessible(page, "the signed agreement")

    # 4. The route, seen by the school: its parties, and the signed agreement that covers it.
    page.goto(route_url)
    assert_parties_of_route(page)
    expect(page.get_by_role("link", name=AGREEMENT)).to_be_visible()
    assert_accessible(page, "the route with its agreement")


def assert_parties_of_route(page) -> None:
    for heading, name in (("Vmbo", SCHOOL), ("Mbo", ROC), ("Bedrijven", EMPLOYER)):
        block = page.get_by_role("heading", name=heading, exact=True).locator("xpath=following-sibling::ul[1]")
        expect(block.get_by_role("link", name=re.compile("^" + re.escape(name)))).to_be_visible()
    expect(page.get_by_text(f"Les op locatie {LOCATION}")).to_be_visible()


def fill_clauses(page) -> None:
    page.get_by_label("Gebruik van elkaars voorzieningen").fill("De praktijklokalen van Albeda en de school.")
    page.get_by_label("Vorm van samenwerking").fill("Geïntegreerde route op de school.")
    page.get_by_label("Bestuur (governance)").fill("Stuurgroep van beide besturen.")
    page.get_by_label("Organisatorische en onderwijskundige inrichting").fill("Eén gemengd team.")
    page.get_by_label("Klachtenregeling").fill("Regeling van de school van inschrijving.")
    page.get_by_label("Sector", exact=True).fill("Zorg en welzijn")
    page.get_by_label("Opleidingsdomein").select_option(label="Zorg en welzijn")
    page.get_by_label("Rol van het bedrijfsleven").fill("Het zorghotel kiest mee in de kwalificatie.")
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Toelichting teambevoegdheid").fill("Mbo-docenten geven les in het vmbo.")
    page.get_by_label("Medezeggenschap").fill("Beide raden stemmen in.")
    page.get_by_label("Overstapoptie (afspraken").fill("Altijd een passende plek in vmbo-bb of mbo-2.")
    page.get_by_label("Omvang en bestemming").fill("Lumpsum vo deels naar Albeda voor de mbo-lessen.")


def sign(page, body: str) -> None:
    page.get_by_role("button", name=f"Tekenen namens {body}").click()
    expect(page.locator(".sign-confirmation")).to_contain_text("versie 1")
    assert_accessible(page, f"sign confirmation for {body}")
    page.get_by_role("button", name=f"Ja, teken versie 1 namens {body}").click()
