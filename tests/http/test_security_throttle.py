"""Login throttling over HTTP, on the database and on Redis, and across two
app instances sharing Redis (as gunicorn workers or hosts would)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from portal import create_app
from portal.extensions import db
from portal.models import LoginFailure
from portal.services.accounts import throttle
from tests import factories_security
from tests.conftest import login_as
from tests.factories import PASSWORD, make_user

# Shared fixtures (imported under their names so pytest finds them).
clock = factories_security.clock
throttle_backend = factories_security.throttle_backend

THROTTLED = "Te veel mislukte inlogpogingen"
WRONG = "Het e-mailadres of het wachtwoord klopt niet."


def post_login(client, email, password, ip="203.0.113.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def assert_throttled(response):
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert THROTTLED in body
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= throttle.WINDOW
    return body


def test_eleventh_attempt_on_an_account_is_refused_even_with_the_right_password(
        client, throttle_backend, clock):
    user = make_user("reader")
    for n in range(10):
        response = post_login(client, user.email, f"fout wachtwoord {n}", ip=f"198.51.100.{n}")
        assert response.status_code == 200 and WRONG in response.get_data(as_text=True)
    response = post_login(client, user.email, PASSWORD, ip="198.51.100.200")
    assert_throttled(response)
    # Not logged in: a page behind login still sends us to the login form.
    assert client.get("/account/wachtwoord").status_code == 302
    # After the window the right password works again.
    clock.advance(throttle.WINDOW + 1)
    assert post_login(client, user.email, PASSWORD, ip="198.51.100.200").status_code == 302


def test_throttling_does_not_reveal_whether_the_account_exists(client, throttle_backend, clock):
    user = make_user("reader")
    bodies = []
    for email, ip in ((user.email, "198.51.100.10"), ("bestaat.niet@example.org", "198.51.100.11")):
        for n in range(10):
            assert WRONG in post_login(client, email, f"fout {n}", ip=ip).get_data(as_text=True)
        body = assert_throttled(post_login(client, email, "nog een poging", ip=ip))
        # Per-response values (CSP nonce, the timestamped CSRF token) differ by design.
        body = re.sub(r'nonce="[^"]+"', "", body.replace(email, "EMAIL"))
        bodies.append(re.sub(r'(name="csrf-token" content|name="csrf_token" type="hidden" value|'
                             r'id="csrf_token" name="csrf_token" type="hidden" value)="[^"]+"', "", body))
    assert bodies[0] == bodies[1]


def test_ten_failures_from_one_address_block_that_address_only(client, throttle_backend, clock):
    user = make_user("reader")
    for n in range(10):
        post_login(client, f"gok{n}@example.org", "fout wachtwoord", ip="192.0.2.50")
    assert_throttled(post_login(client, user.email, PASSWORD, ip="192.0.2.50"))
    assert post_login(client, user.email, PASSWORD, ip="192.0.2.51").status_code == 302


def test_a_successful_login_resets_the_account_count(client, throttle_backend, clock):
    user = make_user("reader")
    for n in range(9):
        post_login(client, user.email, "fout wachtwoord", ip=f"192.0.2.{n}")
    assert post_login(client, user.email, PASSWORD, ip="192.0.2.100").status_code == 302
    client.post("/logout")
    for n in range(9):
        post_login(client, user.email, "fout wachtwoord", ip=f"192.0.2.{n + 20}")
    assert post_login(client, user.email, PASSWORD, ip="192.0.2.101").status_code == 302


@pytest.fixture
def second_instance(app, throttle_backend):
    """Another app on the same database and, for Redis, the same Redis server
    and key prefix. The requests commit for real (no rolled-back test
    transaction: the instances have their own connections), so the failures
    of this test's account are deleted afterwards."""
    other = create_app({**app.config})
    yield other
    with app.app_context():
        db.session.execute(delete(LoginFailure).where(
            LoginFailure.key.in_(throttle.login_keys(SHARED_EMAIL, None)
                                 + tuple(throttle.ip_key(f"203.0.113.{n}") for n in range(256)))))
        db.session.commit()


SHARED_EMAIL = "gedeeld@example.org"


def test_failures_count_across_two_app_instances(app, second_instance, throttle_backend, clock):
    one, two = app.test_client(), second_instance.test_client()
    for n in range(5):
        assert post_login(one, SHARED_EMAIL, f"fout {n}", ip=f"203.0.113.{n}").status_code == 200
        assert post_login(two, SHARED_EMAIL, f"fout {n}", ip=f"203.0.113.{n + 50}").status_code == 200
    assert_throttled(post_login(one, SHARED_EMAIL, "fout", ip="203.0.113.200"))
    assert_throttled(post_login(two, SHARED_EMAIL, "fout", ip="203.0.113.201"))
    with app.app_context():
        stored = db.session.query(LoginFailure).count()
    # Redis holds the counters itself; otherwise they are rows in the shared database.
    assert (stored == 0) if throttle_backend == "redis" else (stored >= 20)


def test_guessing_the_current_password_is_throttled_too(client, throttle_backend, clock):
    user = make_user("reader")
    login_as(client, user)
    for n in range(10):
        response = client.post("/account/wachtwoord", data={
            "current_password": f"geraden {n}", "new_password": "een nieuw lang wachtwoord"})
        assert response.status_code == 200
    response = client.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "een nieuw lang wachtwoord"})
    assert_throttled(response)
    # The password did not change: the old one still logs in after the window.
    clock.advance(throttle.WINDOW + 1)
    client.post("/logout")
    assert post_login(client, user.email, PASSWORD, ip="198.51.100.99").status_code == 302
