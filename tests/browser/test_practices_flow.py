"""The library in a real browser: a teacher searches and filters, a
coordinator submits, staff send back with a reason, the coordinator fixes it,
staff publish, and the teacher finds it. axe scans every library page."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login, logout

COORDINATOR = "coordinator.perron@demo.leerroutes.nl"
STAFF = "programma@demo.leerroutes.nl"
TITLE = "Schakeldag: vmbo-leerlingen draaien een dag mee op het mbo"


def _open_practice_from(page, list_url: str, title: str) -> None:
    page.goto(list_url)
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_teacher_searches_filters_and_opens_a_practice(guarded_page):
    page = guarded_page
    page.goto("/bibliotheek/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bibliotheek goede voorbeelden")
    assert_accessible(page, "library index")
    # Live search: typing is enough, the URL keeps the state.
    page.get_by_label("Zoek in de bibliotheek").fill("techniek")
    expect(page).to_have_url(re.compile(r"q=techniek"))
    expect(page.get_by_role("status")).to_contain_text("voorbeelden gevonden voor „techniek”")
    expect(page.locator(".practice-item mark").first).to_be_visible()
    # Filter on the Drechtsteden region (Dordrecht and Gorinchem).
    region = page.get_by_label("Arbeidsmarktregio")
    label = region.locator("option", has_text="Drechtsteden").first.text_content()
    region.select_option(label=label)
    expect(page).to_have_url(re.compile(r"regio=AM\d\d"))
    expect(page.get_by_role("status")).to_contain_text("1 voorbeeld gevonden")
    assert_accessible(page, "library filtered")
    page.get_by_role("link", name=re.compile("Talentontwikkeling Techniek")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Talentontwikkeling Techniek")
    expect(page.get_by_text("Kamerbrief ‘Programma sterk beroepsonderwijs’ (2018)")).to_be_visible()
    expect(page.get_by_role("heading", name="Verwante voorbeelden")).to_be_visible()
    assert_accessible(page, "practice detail")
    # The same filtered list survives a reload (state in the URL), without JS help.
    page.go_back()
    expect(page).to_have_url(re.compile(r"regio=AM\d\d"))


def test_zomerlek_finds_het_perron(guarded_page):
    page = guarded_page
    page.goto("/bibliotheek/?q=zomerlek")
    expect(page.get_by_role("link", name=re.compile("Het Perron in Veenendaal"))).to_be_visible()
    page.goto("/bibliotheek/?q=%22hybride+docent%22")
    expect(page.get_by_role("link", name=re.compile("Hybride docenten"))).to_be_visible()


def test_submit_send_back_fix_publish_and_find(guarded_page):
    page = guarded_page
    # 2. The coordinator writes and submits a new practice.
    login(page, COORDINATOR)
    page.goto("/bibliotheek/nieuw")
    assert_accessible(page, "new practice form")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Controleer het formulier")
    assert_accessible(page, "new practice form with errors")
    page.get_by_label("Titel", exact=True).fill(TITLE)
    page.get_by_label("Korte samenvatting").fill("Leerlingen uit vmbo 3 lopen een dag mee in de mbo-opleiding.")
    page.get_by_label("Beschrijving").fill("## Aanpak\n\nEen **schakeldag** per periode.")
    page.get_by_label("LOB", exact=True).check()
    page.get_by_label("Overstap en zomerlek").check()
    page.get_by_label("Trefwoorden").fill("meeloopdag, overstap")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".practice-body h3")).to_have_text("Aanpak")
    page.get_by_role("button", name="Indienen voor publicatie").click()
    expect(page.get_by_text("Het voorbeeld is ingediend.")).to_be_visible()
    expect(page.locator(".status-box")).to_contain_text("Ingediend")
    assert_accessible(page, "submitted practice (author)")
    logout(page)

    # Not public yet.
    page.goto("/bibliotheek/?q=schakeldag")
    expect(page.get_by_role("status")).to_contain_text("Geen voorbeelden gevonden")

    # 3. Staff send it back with a reason.
    login(page, STAFF)
    page.goto("/bibliotheek/moderatie")
    assert_accessible(page, "moderation queue")
    _open_practice_from(page, "/bibliotheek/moderatie", TITLE)
    page.get_by_role("button", name="Terugsturen naar de auteur").click()
    expect(page.locator("#reason-fout")).to_be_visible()
    assert_accessible(page, "send back with error")
    page.get_by_label("Reden voor terugsturen").fill("Vermeld ook hoeveel leerlingen meedoen en met welke opleidingen.")
    page.get_by_role("button", name="Terugsturen naar de auteur").click()
    expect(page.get_by_text("Het voorbeeld is teruggestuurd naar de auteur")).to_be_visible()
    logout(page)

    # 4. The coordinator reads the reason, fixes it and submits again.
    login(page, COORDINATOR)
    _open_practice_from(page, "/bibliotheek/mijn", TITLE)
    expect(page.locator(".warning")).to_contain_text("hoeveel leerlingen meedoen")
    page.get_by_role("link", name="Bewerken").click()
    assert_accessible(page, "edit practice")
    page.get_by_label("Korte samenvatting").fill(
        "Zestig leerlingen uit vmbo 3 lopen per periode een dag mee in Zorg, Techniek en Horeca op het mbo.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De wijzigingen zijn opgeslagen.")).to_be_visible()
    page.get_by_role("button", name="Indienen voor publicatie").click()
    expect(page.locator(".status-box")).to_contain_text("Ingediend")
    logout(page)

    # 5. Staff publish it.
    login(page, STAFF)
    _open_practice_from(page, "/bibliotheek/moderatie", TITLE)
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Het voorbeeld is gepubliceerd")).to_be_visible()
    logout(page)

    # 6. The teacher now finds it.
    page.goto("/bibliotheek/")
    page.get_by_label("Zoek in de bibliotheek").fill("schakeldag")
    expect(page.get_by_role("status")).to_contain_text("1 voorbeeld gevonden")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Zestig leerlingen uit vmbo 3")).to_be_visible()
    expect(page.get_by_text("Carla Coördinator Het Perron (demo)").first).to_be_visible()
