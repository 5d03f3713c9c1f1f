"""The home page and the login/logout flow, in a real browser."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login, logout


def test_home_page_is_dutch_accessible_and_links_the_areas(guarded_page):
    page = guarded_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doorlopende leerroutes vmbo–mbo")
    assert page.locator("html").get_attribute("lang") == "nl"
    expect(page.get_by_text("Demodata")).to_be_visible()
    expect(page.locator("dd").first).to_contain_text("35")
    # Skip link is the first focusable element and moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    assert_accessible(page, "home")


def test_login_with_wrong_password_then_right_one_then_logout(guarded_page):
    page = guarded_page
    login(page, "programma@demo.leerroutes.nl", "helemaal verkeerd wachtwoord")
    expect(page.get_by_role("alert")).to_contain_text("Het e-mailadres of het wachtwoord klopt niet.")
    assert page.get_by_label("E-mailadres").get_attribute("autocomplete") == "username"
    assert page.get_by_label("Wachtwoord").get_attribute("autocomplete") == "current-password"
    assert_accessible(page, "login with error")
    login(page, "programma@demo.leerroutes.nl")
    expect(page.get_by_text("Je bent ingelogd")).to_be_visible()
    expect(page.get_by_role("link", name="Beheer")).to_be_visible()
    page.get_by_role("link", name="Beheer").click()
    expect(page.get_by_role("heading", name="Gebruikers")).to_be_visible()
    assert_accessible(page, "user admin")
    logout(page)
    expect(page.get_by_text("Je bent uitgelogd.")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    page.goto("/beheer/gebruikers")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
