"""The password policy through the forms people use: argon2id, at least 12
characters, not the e-mail address, not a common or breached password (nor a
small variation on one, the e-mail address or the name)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models import User
from portal.services.accounts.passwords import COMMON, PERSONAL
from seeds.demo import DEMO_PASSWORD
from tests.factories import PASSWORD, make_user

TOO_SHORT = "Een wachtwoord heeft minstens 12 tekens."
IS_EMAIL = "Het wachtwoord mag niet gelijk zijn aan het e-mailadres."


def change(client, new):
    return client.post("/account/wachtwoord", data={"current_password": PASSWORD, "new_password": new})


@pytest.mark.parametrize("new, message", [
    ("elf tekens!", TOO_SHORT),                      # 11 characters
    ("", "Dit veld is verplicht."),
    ("LANGE.NAAM@Example.org", IS_EMAIL),            # the e-mail, other case
    ("  lange.naam@example.org ", IS_EMAIL),
])
def test_change_password_refuses_weak_passwords(client, db_session, login_as, new, message):
    user = make_user("reader", email="lange.naam@example.org")
    login_as(user)
    before = user.password_hash
    response = change(client, new)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db_session.refresh(user)
    assert user.password_hash == before


def test_change_password_accepts_twelve_characters_and_stores_argon2id(client, db_session, login_as):
    user = make_user("reader")
    login_as(user)
    assert change(client, "twaalf tekns").status_code == 302  # exactly 12
    db_session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": "twaalf tekns"}).status_code == 302


def field_error(html: str, field_id: str) -> str:
    """The error text shown at one field (macros/forms.html: <p class="error" id="ID-fout">)."""
    found = re.search(rf'<p class="error" id="{field_id}-fout">(.*?)</p>', html, re.DOTALL)
    assert found, f"no error at the field {field_id}"
    return found.group(1)


COMMON_EXAMPLES = ["123456789012", "wachtwoord12", "welkom123456"]


@pytest.mark.parametrize("new", COMMON_EXAMPLES)
def test_change_password_refuses_common_passwords_at_the_field(client, db_session, login_as, new):
    user = make_user("reader")
    login_as(user)
    before = user.password_hash
    response = change(client, new)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert COMMON in field_error(html, "new_password")
    assert 'aria-describedby="new_password-hint new_password-fout"' in html
    db_session.refresh(user)
    assert user.password_hash == before


def test_change_password_refuses_a_variation_on_the_own_name(client, db_session, login_as):
    user = make_user("reader", email="lange.naam@example.org")
    login_as(user)
    response = change(client, "Lange.Naam2026!")
    assert PERSONAL in field_error(response.get_data(as_text=True), "new_password")


def test_change_password_accepts_the_demo_password(client, db_session, login_as):
    user = make_user("reader")
    login_as(user)
    assert change(client, DEMO_PASSWORD).status_code == 302


def create(client, email, password):
    return client.post("/beheer/gebruikers/nieuw", data={
        "email": email, "name": "Nieuwe Gebruiker", "role": "reader", "organisation_id": "",
        "password": password,
    })


@pytest.mark.parametrize("email, password, message", [
    ("kort@example.org", "elf tekens!", TOO_SHORT),
    ("zelfde.adres@example.org", "Zelfde.Adres@example.org", IS_EMAIL),
])
def test_admin_cannot_create_a_user_with_a_weak_password(client, db_session, login_as,
                                                          email, password, message):
    login_as(make_user("admin"))
    response = create(client, email, password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == email)) is None


def test_admin_created_user_gets_an_argon2id_hash_and_can_log_in(app, client, db_session, login_as):
    login_as(make_user("admin"))
    assert create(client, "Nieuw.Account@example.org", "twaalf tekns").status_code == 302
    user = db_session.scalar(select(User).where(User.email == "nieuw.account@example.org"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "twaalf" not in user.password_hash
    other = app.test_client()
    assert other.post("/login", data={"email": "nieuw.account@example.org",
                                      "password": "twaalf tekns"}).status_code == 302


@pytest.mark.parametrize("password", COMMON_EXAMPLES)
def test_admin_cannot_create_a_user_with_a_common_password(client, db_session, login_as, password):
    login_as(make_user("admin"))
    response = create(client, "veelgebruikt@example.org", password)
    assert response.status_code == 200
    assert COMMON in field_error(response.get_data(as_text=True), "password")
    assert db_session.scalar(select(User).where(User.email == "veelgebruikt@example.org")) is None


def cli_create_user(app, email, password):
    return app.test_cli_runner().invoke(args=["create-user", "--email", email, "--role", "reader",
                                              "--password", password])


@pytest.mark.parametrize("password", COMMON_EXAMPLES)
def test_create_user_command_refuses_common_passwords(app, db_session, password):
    result = cli_create_user(app, "cli.veelgebruikt@example.org", password)
    assert result.exit_code != 0
    assert COMMON in result.output
    assert db_session.scalar(select(User).where(User.email == "cli.veelgebruikt@example.org")) is None


def test_create_user_command_accepts_a_strong_password(app, db_session):
    """The control for the test above: the same command with a good password works."""
    result = cli_create_user(app, "cli.sterk@example.org", "paars konijn fietst traag")
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(User).where(User.email == "cli.sterk@example.org")) is not None
