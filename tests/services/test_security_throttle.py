"""The login throttle service on both backends: at most 10 failures per
account and per IP address in a sliding 15-minute window."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import LoginFailure
from portal.services.accounts import throttle
from tests import factories_security

# Shared fixtures (imported under their names so pytest finds them).
clock = factories_security.clock
throttle_backend = factories_security.throttle_backend


def fail(session, email, ip, times=1):
    for _ in range(times):
        throttle.record_failure(session, throttle.login_keys(email, ip))


def wait(session, email, ip):
    return throttle.retry_after(session, throttle.login_keys(email, ip))


def test_ten_failures_block_the_account_nine_do_not(db_session, clock, throttle_backend):
    fail(db_session, "a@example.org", "10.0.0.1", times=9)
    assert wait(db_session, "a@example.org", "10.0.0.1") == 0
    fail(db_session, "a@example.org", "10.0.0.1")
    blocked = wait(db_session, "a@example.org", "10.0.0.1")
    assert 0 < blocked <= throttle.WINDOW
    # From another address the account is still blocked; the e-mail is case-insensitive.
    assert wait(db_session, " A@Example.ORG ", "10.9.9.9") > 0
    # Another account from that other address is not.
    assert wait(db_session, "b@example.org", "10.9.9.9") == 0


def test_ten_failures_from_one_address_block_every_account_from_it(db_session, clock, throttle_backend):
    for n in range(10):
        fail(db_session, f"user{n}@example.org", "192.0.2.7")
    assert wait(db_session, "someone.else@example.org", "192.0.2.7") > 0
    assert wait(db_session, "someone.else@example.org", "192.0.2.8") == 0


def test_window_slides(db_session, clock, throttle_backend):
    for _ in range(10):
        fail(db_session, "slide@example.org", "10.0.0.2")
        clock.advance(10)
    # The oldest failure was 100 s ago: it leaves the window in WINDOW - 100 s.
    assert wait(db_session, "slide@example.org", "10.0.0.2") == throttle.WINDOW - 100
    clock.advance(throttle.WINDOW - 100 - 1)
    assert wait(db_session, "slide@example.org", "10.0.0.2") > 0
    clock.advance(2)
    assert wait(db_session, "slide@example.org", "10.0.0.2") == 0
    # One new failure makes ten within the window again.
    fail(db_session, "slide@example.org", "10.0.0.2")
    assert wait(db_session, "slide@example.org", "10.0.0.2") > 0


def test_success_clears_the_account_but_not_the_address(db_session, clock, throttle_backend):
    fail(db_session, "ok@example.org", "10.0.0.3", times=10)
    throttle.clear_account(db_session, "OK@example.org")
    assert wait(db_session, "ok@example.org", "10.0.0.4") == 0
    assert wait(db_session, "other@example.org", "10.0.0.3") > 0


def test_database_backend_keeps_no_email_addresses(db_session, clock, throttle_backend):
    fail(db_session, "private.person@example.org", "10.0.0.5", times=3)
    keys = db_session.scalars(select(LoginFailure.key)).all()
    if throttle_backend == "redis":
        assert keys == []  # Redis holds them
    else:
        assert len(keys) == 6
        assert all("private" not in k and "10.0.0.5" not in k for k in keys)


def test_redis_outage_falls_back_to_the_database(app, db_session, clock, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    fail(db_session, "fallback@example.org", "10.0.0.6", times=10)
    assert wait(db_session, "fallback@example.org", "10.0.0.6") > 0
    assert db_session.scalars(select(LoginFailure.key)).all()
