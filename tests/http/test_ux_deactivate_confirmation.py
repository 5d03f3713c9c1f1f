"""Deactivating a user is confirmed (issue 20 §4): one click used to end every
session of the account. The confirmation names the account; a POST without it
changes nothing; activating stays one click."""
from __future__ import annotations

from tests.conftest import login_as
from tests.factories import make_organisation, make_user


def test_the_list_opens_the_confirmation_which_names_the_account(client, db_session):
    target = make_user("coordinator", make_organisation("vmbo", name="Het Perron"), name="Sanne de Vries")
    login_as(client, make_user("admin"))
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert f'<form method="get" action="/beheer/gebruikers/{target.id}/actief"' in page
    page = client.get(f"/beheer/gebruikers/{target.id}/actief").get_data(as_text=True)
    assert "Sanne de Vries" in page and target.email in page and "Het Perron" in page
    assert f"Ja, deactiveer {target.email}" in page
    db_session.refresh(target)
    assert target.active


def test_a_deactivation_without_confirmation_changes_nothing(client, db_session):
    target = make_user("reader")
    login_as(client, make_user("admin"))
    response = client.post(f"/beheer/gebruikers/{target.id}/actief")
    assert response.status_code == 200 and f"Ja, deactiveer {target.email}" in response.get_data(as_text=True)
    db_session.refresh(target)
    assert target.active


def test_a_confirmed_deactivation_deactivates_and_activation_is_one_click(client, db_session):
    target = make_user("reader")
    login_as(client, make_user("admin"))
    response = client.post(f"/beheer/gebruikers/{target.id}/actief", data={"confirm": "ja"}, follow_redirects=True)
    assert f"Account {target.email} is gedeactiveerd." in response.get_data(as_text=True)
    db_session.refresh(target)
    assert not target.active
    assert client.post(f"/beheer/gebruikers/{target.id}/actief").status_code == 302
    db_session.refresh(target)
    assert target.active
