"""The picker in a real browser, by keyboard only: type, arrow down, Enter
chooses, a chip appears, Backspace removes it, Escape closes the list, and
the form saves what was chosen. axe scans the page with the list open and
with chips; guarded_page fails on any console or CSP error."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.test_ux_layout import OVERFLOW

COORDINATOR = "coordinator.perron@demo.leerroutes.nl"
STAFF = "programma@demo.leerroutes.nl"


def choose(page, combobox, text: str, option_name) -> None:
    """Type, wait for the options, arrow down to the first and press Enter."""
    combobox.press_sequentially(text)
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("option", name=option_name).first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", re.compile(r"-optie-\d+$"))
    page.keyboard.press("Enter")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).to_have_value("")


def test_staff_give_a_new_account_its_organisation_by_keyboard(guarded_page):
    page = guarded_page
    login(page, STAFF)
    page.goto("/beheer/gebruikers/nieuw")
    combobox = page.get_by_role("combobox", name="Organisatie")
    expect(combobox).to_be_visible()
    expect(page.locator("select#organisation_id")).to_have_count(0)  # the fallback made way
    page.get_by_label("E-mailadres").fill("picker.browsertest@example.org")
    page.get_by_label("Naam").fill("Picker Browsertest (synthetisch)")
    page.get_by_label("Rol").select_option("coordinator")

    combobox.focus()
    combobox.press_sequentially("perron")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="gevonden")).to_have_count(1)
    assert_accessible(page, "user form, list open")
    page.keyboard.press("Escape")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    page.keyboard.press("Escape")
    expect(combobox).to_have_value("")

    chips = page.locator("#organisation_id-veld .chip")
    choose(page, combobox, "A12", re.compile("ROC A12"))
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("ROC A12")
    # one organisation per account: a second choice replaces the first
    choose(page, combobox, "perron", re.compile("Het Perron"))
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Het Perron")
    page.keyboard.press("Backspace")
    expect(chips).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="verwijderd")).to_have_count(1)
    choose(page, combobox, "perron", re.compile("Het Perron"))
    expect(chips).to_have_count(1)
    assert_accessible(page, "user form with a chosen organisation")

    page.get_by_label("Wachtwoord").fill("Picker-browsertest-wachtwoord-7")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Account voor picker.browsertest@example.org aangemaakt.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="picker.browsertest@example.org")
    expect(row).to_contain_text("Het Perron")


def test_a_coordinator_links_organisations_to_a_practice_by_keyboard(guarded_page):
    page = guarded_page
    login(page, COORDINATOR)
    page.goto("/bibliotheek/nieuw")
    page.get_by_label("Titel", exact=True).fill("Synthetisch voorbeeld: de keuzelijst met toetsenbord")
    page.get_by_label("Korte samenvatting").fill("Synthetische testgegevens van de browsertest.")
    page.get_by_label("LOB", exact=True).check()
    combobox = page.get_by_role("combobox", name="Organisaties")
    chips = page.locator("#organisation_ids-veld .chip")
    before = chips.count()
    combobox.focus()
    choose(page, combobox, "A12", re.compile("ROC A12"))
    choose(page, combobox, "da vinci", re.compile("Da Vinci"))
    expect(chips).to_have_count(before + 2)
    page.keyboard.press("Backspace")  # removes the last chip: Da Vinci
    expect(chips).to_have_count(before + 1)
    expect(page.locator("#organisation_ids-veld .combobox-chips")).not_to_contain_text("Da Vinci")
    expect(page.get_by_role("status").filter(has_text="verwijderd")).to_contain_text("Da Vinci")
    # a chip's own remove button is reachable by keyboard and named after the chip
    expect(page.get_by_role("button", name=re.compile("^Verwijder ROC A12"))).to_be_visible()
    assert_accessible(page, "practice form with chips")
    page.get_by_role("button", name="Opslaan").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Synthetisch voorbeeld: de keuzelijst met toetsenbord")
    organisations = page.locator("dt", has_text="Organisaties").locator("xpath=following-sibling::dd[1]")
    expect(organisations).to_contain_text("ROC A12")
    expect(organisations).not_to_contain_text("Da Vinci")


def test_an_organisation_added_elsewhere_on_the_page_becomes_a_chip(guarded_page):
    """The "organisation-added" event (sent by a form that creates an
    organisation, through HX-Trigger) adds it to the picker of its field only."""
    page = guarded_page
    login(page, COORDINATOR)
    page.goto("/leerroutes/nieuw")
    combobox = page.get_by_role("combobox", name="Zoek een bedrijf")
    combobox.press_sequentially("vallei")
    option = page.get_by_role("listbox").get_by_role("option").first
    expect(option).to_be_visible()
    org_id = option.get_attribute("data-value")
    page.evaluate("""([id]) => document.body.dispatchEvent(new CustomEvent('organisation-added', {bubbles: true,
        detail: {id: id, label: 'Synthetisch nieuw leerbedrijf', field: 'employer_parties'}}))""", [org_id])
    employer_chips = page.locator("#employer_parties .chip")
    expect(employer_chips).to_have_count(1)
    expect(employer_chips).to_contain_text("Synthetisch nieuw leerbedrijf")
    expect(page.locator(f'#employer_parties input[type=hidden][name=employer_parties][value="{org_id}"]')).to_have_count(1)
    expect(page.locator("#mbo_parties .chip")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Synthetisch nieuw leerbedrijf toegevoegd")).to_have_count(1)


def test_an_open_list_and_long_chips_fit_a_phone(guarded_page):
    """At 390 px the chips wrap and the open list stays inside the page."""
    page = guarded_page
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, COORDINATOR)
    page.goto("/leerroutes/nieuw")
    combobox = page.get_by_role("combobox", name="Zoek een vmbo-vestiging")
    choose(page, combobox, "scholengemeenschap", re.compile("Scholengemeenschap", re.I))
    combobox.press_sequentially("scholengemeenschap")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    result = page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["width"], result
    assert result["culprits"] == [], result
