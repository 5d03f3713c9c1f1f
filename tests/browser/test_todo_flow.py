"""Issue 18, done when: coordinator A sends an agreement for signature (and
signs for A's school); coordinator B sees "1" in the navigation and the item
on /account/te-doen, and signs from it; A then sees "leerroute kan actief
worden" and activates the route from the item. After each step
`flask notifications deliver` runs against the live portal's database and a
real SMTP server started here receives the e-mail of that step. The pages
pass the axe scan; guarded_page fails on any console or CSP error. The data
is synthetic (tests/browser/todo_world.py)."""
from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LIVE_ENV, assert_accessible, login, logout
from tests.conftest import ROOT
from tests.factories import PASSWORD
from tests.smtp_server import SmtpServer, text_of

BASE = "https://leerroutes.example.org"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def flask(*args: str, extra: dict | None = None) -> str:
    env = {**LIVE_ENV, **(extra or {})}
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def deliver(smtp) -> None:
    flask("flask", "notifications", "deliver",
          extra={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "PORTAL_BASE_URL": BASE})


def mails_to(smtp, address: str) -> list:
    return [m for rcpt, m in smtp.messages if rcpt == [address]]


def expect_mail(smtp, address: str, subject_start: str, link: str):
    found = [m for m in mails_to(smtp, address) if str(m["Subject"]).strip().startswith("[Leerroutes] " + subject_start)]
    assert len(found) == 1, [str(m["Subject"]) for m in mails_to(smtp, address)]
    assert BASE + link in text_of(found[0])
    return found[0]


def test_send_sign_and_activate_from_the_to_do_list_with_a_mail_for_each_step(live_server, guarded_page, smtp):
    world = json.loads(flask("tests.browser.todo_world", secrets.token_hex(3)).strip().splitlines()[-1])
    page = guarded_page
    agreement_url = f"/overeenkomsten/{world['agreement_id']}"

    # B follows the region of the route (to hear that it becomes actief).
    login(page, world["b"], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.get_by_role("link", name="Meldingen").click()
    expect(page.get_by_role("heading", name="Meldingen", level=1)).to_be_visible()
    assert_accessible(page, "notification settings")
    page.get_by_label(world["region"], exact=True).check()
    page.get_by_role("button", name="Keuzes opslaan").click()
    expect(page.get_by_text("Je keuzes voor meldingen zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_label(world["region"], exact=True)).to_be_checked()
    logout(page)

    # 1. A sends for signature and signs for A's school.
    login(page, world["a"], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(agreement_url)
    page.get_by_role("button", name="Ter ondertekening versturen").click()
    expect(page.get_by_text("De overeenkomst ligt nu ter ondertekening")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Tekenen namens")).click()
    page.get_by_role("button", name=re.compile("^Ja, teken versie 1 namens")).click()
    expect(page.get_by_text(re.compile("Je hebt getekend namens"))).to_be_visible()
    logout(page)
    deliver(smtp)
    sent = expect_mail(smtp, world["b"], "Ter ondertekening: " + world["agreement"], agreement_url)
    expect_mail(smtp, world["b"], "Getekend door een partij: " + world["agreement"], agreement_url)
    assert mails_to(smtp, world["a"]) == []  # nobody is told of their own action

    # 2. B sees "1" in the navigation and the item, and signs from it.
    login(page, world["b"], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("#te-doen-aantal")).to_have_text(re.compile(r"^1\b"))
    page.get_by_role("link", name=re.compile("^Te doen")).click()
    expect(page.get_by_role("heading", name="Te doen", level=1)).to_be_visible()
    item = page.locator(".todo-item", has_text=world["agreement"])
    expect(item).to_contain_text("Wacht op jouw handtekening")
    assert_accessible(page, "to-do list with a signature")
    item.get_by_role("link", name=re.compile("^Tekenen")).click()
    page.get_by_role("button", name=re.compile("^Ja, teken versie 1 namens")).click()
    expect(page.get_by_text("Alle partijen hebben getekend: de overeenkomst is getekend.")).to_be_visible()
    page.goto("/account/te-doen")
    expect(page.locator(".todo-item", has_text=world["agreement"])).to_have_count(0)
    logout(page)
    deliver(smtp)
    expect_mail(smtp, world["a"], "Door alle partijen getekend: " + world["agreement"], agreement_url)

    # 3. A sees "leerroute kan actief worden" and activates it from the item.
    login(page, world["a"], PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("#te-doen-aantal")).to_have_text(re.compile(r"^1\b"))
    page.goto("/account/te-doen")
    item = page.locator(".todo-item", has_text=world["route"])
    expect(item).to_contain_text("Leerroute kan actief worden")
    assert_accessible(page, "to-do list with a route to activate")
    item.get_by_role("button", name=re.compile("^Zet op actief")).click()
    expect(page.get_by_text(f"De leerroute “{world['route']}” staat nu op actief.")).to_be_visible()
    expect(page.locator(".todo-item", has_text=world["route"])).to_have_count(0)
    # What waits now: registering the active route with DUO (A is its vmbo school).
    expect(page.locator(".todo-item", has_text="Niet geregistreerd bij DUO")).to_have_count(1)
    expect(page.locator("#te-doen-aantal")).to_have_text(re.compile(r"^1\b"))
    logout(page)
    deliver(smtp)
    expect_mail(smtp, world["b"], "Nieuwe leerroute: " + world["route"], f"/leerroutes/{world['route_id']}")

    # 4. The unsubscribe link of B's first mail works without logging in.
    link = re.search(r"https://\S+/account/meldingen/afmelden/\S+", text_of(sent)).group(0)
    page.goto(link[len(BASE):])
    expect(page.get_by_role("heading", name="Afmelden voor e-mail")).to_be_visible()
    assert_accessible(page, "unsubscribe confirmation")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", name="Je bent afgemeld")).to_be_visible()
    assert_accessible(page, "unsubscribed")
