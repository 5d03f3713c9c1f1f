"""Signing on behalf of a bevoegd gezag is confirmed (issue 20 §4): one click
used to sign. The confirmation step names the body and the version; a POST
without the confirmed version signs nothing; after 15 minutes without
authentication the password is asked again, through the login throttle."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from portal.models import LoginFailure
from portal.services.accounts import throttle
from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import PASSWORD
from tests.factories_agreements import make_agreement, make_parties_and_route

SIXTEEN_MINUTES = 16 * 60


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    lifecycle.send_for_signature(db_session, agreement, vmbo_user)
    party = next(p for p in agreement.parties if p.role == "vmbo")
    return dict(agreement=agreement, party=party, user=vmbo_user, mbo_user=mbo_user, session=db_session)


def url(world) -> str:
    return f"/overeenkomsten/{world['agreement'].id}/partijen/{world['party'].id}/ondertekenen"


def authenticated_ago(client, seconds: float) -> None:
    """The last login (or re-entered password) was `seconds` ago; the session is not idle."""
    with client.session_transaction() as sess:
        sess["login_at"] = time.time() - seconds
        sess.pop("auth_at", None)


def account_failures(session, email: str) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure)
                          .where(LoginFailure.key == throttle.account_key(email))) or 0


def signed(world) -> bool:
    world["session"].refresh(world["party"])
    return world["party"].is_signed


def test_the_agreement_page_opens_the_confirmation_and_signs_nothing(client, world):
    login_as(client, world["user"])
    page = client.get(f"/overeenkomsten/{world['agreement'].id}").get_data(as_text=True)
    assert f'<form method="get" action="{url(world)}"' in page
    page = client.get(url(world)).get_data(as_text=True)
    assert "Stichting Vmbo Test" in page and "versie 1" in page
    assert 'name="revision" type="hidden" value="1"' in page
    assert 'name="password"' not in page  # just logged in: no password asked
    assert not signed(world)


def test_a_sign_without_confirmation_does_not_sign(client, world):
    """The old one-click POST (only the CSRF token) shows the confirmation step."""
    login_as(client, world["user"])
    response = client.post(url(world))
    assert response.status_code == 200
    assert "Ja, teken versie 1 namens Stichting Vmbo Test" in response.get_data(as_text=True)
    assert not signed(world)


def test_a_confirmed_sign_signs(client, world):
    login_as(client, world["user"])
    response = client.post(url(world), data={"revision": "1"}, follow_redirects=True)
    assert "Je hebt getekend namens Stichting Vmbo Test." in response.get_data(as_text=True)
    assert signed(world) and world["party"].signed_on_behalf_of == "Stichting Vmbo Test"


def test_a_confirmation_of_another_version_does_not_sign(client, world):
    """The signer confirmed version 1; the agreement is at version 2 by now."""
    login_as(client, world["user"])
    world["agreement"].revision = 2  # as an addendum does (changes.start_addendum)
    world["session"].commit()
    html = client.post(url(world), data={"revision": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "dit is nu versie 2" in html
    assert not signed(world)


def test_after_15_minutes_the_password_is_asked_again(client, world):
    login_as(client, world["user"])
    authenticated_ago(client, SIXTEEN_MINUTES)
    page = client.get(url(world)).get_data(as_text=True)
    assert 'name="password"' in page and "langer dan 15 minuten" in page
    # Confirmed, but no password: refused, not counted.
    response = client.post(url(world), data={"revision": "1"})
    assert response.status_code == 422 and "Vul je wachtwoord in." in response.get_data(as_text=True)
    assert not signed(world) and account_failures(world["session"], world["user"].email) == 0
    # A wrong password: refused, and a failed login for the throttle.
    response = client.post(url(world), data={"revision": "1", "password": "niet mijn wachtwoord"})
    assert response.status_code == 422 and "Het wachtwoord klopt niet." in response.get_data(as_text=True)
    assert not signed(world) and account_failures(world["session"], world["user"].email) == 1
    # The right password signs.
    response = client.post(url(world), data={"revision": "1", "password": PASSWORD})
    assert response.status_code == 302 and signed(world)


def test_within_15_minutes_no_password_is_needed(client, world):
    login_as(client, world["user"])
    authenticated_ago(client, 14 * 60)
    assert client.post(url(world), data={"revision": "1"}).status_code == 302 and signed(world)


def test_a_re_entered_password_counts_as_a_fresh_authentication(client, world):
    """After the password is entered again, the next signature within 15 minutes needs none."""
    login_as(client, world["user"])
    authenticated_ago(client, SIXTEEN_MINUTES)
    client.post(url(world), data={"revision": "1", "password": PASSWORD})
    assert signed(world)
    mbo_party = next(p for p in world["agreement"].parties if p.role == "mbo")
    login_as(client, world["mbo_user"])
    authenticated_ago(client, SIXTEEN_MINUTES)
    mbo_url = f"/overeenkomsten/{world['agreement'].id}/partijen/{mbo_party.id}/ondertekenen"
    assert client.post(mbo_url, data={"revision": "1"}).status_code == 422
    client.post(mbo_url, data={"revision": "1", "password": PASSWORD})
    with client.session_transaction() as sess:
        assert time.time() - sess["auth_at"] < 60
        assert time.time() - sess["login_at"] >= SIXTEEN_MINUTES  # the absolute timeout still counts from the login
    world["session"].refresh(world["agreement"])
    assert world["agreement"].status == "getekend"


def test_a_throttled_account_cannot_sign_even_with_the_right_password(client, world, app):
    login_as(client, world["user"])
    authenticated_ago(client, SIXTEEN_MINUTES)
    for n in range(app.config.get("LOGIN_THROTTLE_LIMIT", throttle.LIMIT)):
        client.post(url(world), data={"revision": "1", "password": f"geraden {n}"})
    response = client.post(url(world), data={"revision": "1", "password": PASSWORD})
    assert response.status_code == 429 and "Te veel mislukte inlogpogingen" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert not signed(world)
