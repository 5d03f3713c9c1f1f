"""The password policy through the forms people use: argon2id, at least 12
characters, not the e-mail address."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import User
from tests.conftest import login_as, login_through_form
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
def test_change_password_refuses_weak_passwords(client, db_session, new, message):
    user = make_user("reader", email="lange.naam@example.org")
    login_as(client, user)
    before = user.password_hash
    response = change(client, new)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db_session.refresh(user)
    assert user.password_hash == before


def test_change_password_accepts_twelve_characters_and_stores_argon2id(client, db_session):
    user = make_user("reader")
    login_as(client, user)
    assert change(client, "twaalf tekns").status_code == 302  # exactly 12
    db_session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    client.post("/logout")
    assert login_through_form(client, user, "twaalf tekns").status_code == 302


def create(client, email, password):
    return client.post("/beheer/gebruikers/nieuw", data={
        "email": email, "name": "Nieuwe Gebruiker", "role": "reader", "organisation_id": "",
        "password": password,
    })


@pytest.mark.parametrize("email, password, message", [
    ("kort@example.org", "elf tekens!", TOO_SHORT),
    ("zelfde.adres@example.org", "Zelfde.Adres@example.org", IS_EMAIL),
])
def test_admin_cannot_create_a_user_with_a_weak_password(client, db_session,
                                                          email, password, message):
    login_as(client, make_user("admin"))
    response = create(client, email, password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == email)) is None


def test_admin_created_user_gets_an_argon2id_hash_and_can_log_in(app, client, db_session):
    login_as(client, make_user("admin"))
    assert create(client, "Nieuw.Account@example.org", "twaalf tekns").status_code == 302
    user = db_session.scalar(select(User).where(User.email == "nieuw.account@example.org"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "twaalf" not in user.password_hash
    assert login_through_form(app.test_client(), user, "twaalf tekns").status_code == 302
