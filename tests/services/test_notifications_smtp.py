"""Issue 18 against a real SMTP server on loopback (aiosmtpd, started here):
`flask notifications deliver` sends the outbox with the right recipient,
subject and absolute link; a rolled-back change sends nothing; a temporary
failure (451, or the server stopped) is retried later and delivered once;
the unsubscribe link works without login and cannot be forged."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.core.errors import ServiceError
from portal.domain import notifications as rules
from portal.extensions import db
from portal.models import Notification, NotificationPreference
from portal.models.base import utcnow
from portal.services.agreements import lifecycle
from portal.web.transaction import save
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.smtp_server import SmtpServer, free_port, html_of, text_of

BASE = "https://leerroutes.example.test"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "portal@example.test")
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", BASE)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    return app


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, a, b = make_parties_and_route()
    agreement = make_agreement(a, route, mbo)
    db.session.commit()  # as a request before this one would have: a rollback below keeps these
    return dict(a=a, b=b, agreement=agreement)


def deliver(app, *args):
    result = app.test_cli_runner().invoke(args=["notifications", "deliver", *args])
    assert result.exit_code == 0, result.output
    return result.output


def sent_for_signature(world):
    assert save(lambda: lifecycle.send_for_signature(db.session, world["agreement"], world["a"])).ok


def test_the_message_arrives_with_recipient_subject_and_absolute_link(mail_app, smtp, world):
    sent_for_signature(world)
    output = deliver(mail_app)
    assert "Verstuurd: 1" in output
    [(recipients, message)] = smtp.wait_for(1)
    agreement = world["agreement"]
    assert recipients == [world["b"].email]
    assert message["To"].addresses[0].addr_spec == world["b"].email
    assert agreement.title in message["Subject"] and message["Subject"].startswith("[Leerroutes] Ter ondertekening")
    body, html = text_of(message), html_of(message)
    assert f"{BASE}/overeenkomsten/{agreement.id}" in body and f'href="{BASE}/overeenkomsten/{agreement.id}"' in html
    assert f"{BASE}/account/meldingen/afmelden/" in body
    # no personal data beyond the recipient's own: not the sender's name or address
    assert world["a"].name not in body + html and world["a"].email not in body + html
    row = db.session.scalar(select(Notification).where(Notification.user_id == world["b"].id))
    assert row.status == rules.SENT and row.sent_at is not None
    assert "Verstuurd: 0" in deliver(mail_app)  # never twice
    assert len(smtp.messages) == 1


def test_links_never_come_from_a_request_host(mail_app, smtp, world, client):
    """Sent while a request with a forged Host header is being served: the link is still PORTAL_BASE_URL."""
    sent_for_signature(world)
    with mail_app.test_request_context("/", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}):
        deliver(mail_app)
    [(_, message)] = smtp.wait_for(1)
    assert "evil.example" not in text_of(message) + html_of(message)


def test_a_rolled_back_change_sends_nothing(mail_app, smtp, world):
    def write():
        lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
        raise ServiceError("Afgebroken.")

    assert not save(write).ok
    assert "Verstuurd: 0" in deliver(mail_app)
    assert smtp.messages == []
    # the control: the same change committed does send
    sent_for_signature(world)
    deliver(mail_app)
    assert len(smtp.wait_for(1)) == 1


def make_due_again(notification_id):
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def test_a_4xx_reply_is_retried_later_and_then_delivered_once(mail_app, smtp, world):
    sent_for_signature(world)
    smtp.handler.fail_next = 1
    assert "later opnieuw: 1" in deliver(mail_app)
    row = db.session.scalar(select(Notification).where(Notification.user_id == world["b"].id))
    db.session.refresh(row)
    assert row.status == rules.PENDING and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)  # backoff: not at once
    assert "Verstuurd: 0" in deliver(mail_app) and smtp.messages == []  # not due yet
    make_due_again(row.id)
    assert "Verstuurd: 1" in deliver(mail_app)
    assert len(smtp.wait_for(1)) == 1
    deliver(mail_app)
    assert len(smtp.messages) == 1


def test_a_stopped_server_is_retried_and_delivered_once_it_is_back(mail_app, smtp, world, monkeypatch):
    port = free_port()
    monkeypatch.setitem(mail_app.config, "MAIL_PORT", port)  # nothing listens there yet
    sent_for_signature(world)
    assert "later opnieuw: 1" in deliver(mail_app)
    row = db.session.scalar(select(Notification).where(Notification.user_id == world["b"].id))
    db.session.refresh(row)
    assert row.status == rules.PENDING and row.attempts == 1
    back = SmtpServer(port).start()
    try:
        make_due_again(row.id)
        assert "Verstuurd: 1" in deliver(mail_app)
        assert [r for r, _ in back.wait_for(1)] == [[world["b"].email]]
    finally:
        back.stop()


def test_an_address_with_a_line_break_is_never_sent_to(mail_app, smtp, world):
    sent_for_signature(world)
    lifecycle.sign(db.session, world["agreement"], world["agreement"].party_for(world["a"].organisation_id), world["a"])
    # an address that slipped in with a line break can never become a header
    world["b"].email = "b@example.org\r\nBcc: everyone@example.org"
    db.session.flush()
    output = deliver(mail_app)
    assert "opgegeven: 2" in output  # both rows are for B, whose address is refused before any SMTP
    assert smtp.messages == []
    assert {n.status for n in db.session.scalars(select(Notification))} == {rules.FAILED}


def test_without_mail_server_nothing_is_sent_and_the_command_says_where_to_look(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    sent_for_signature(world)
    assert "/account/meldingen" in deliver(app)
    row = db.session.scalar(select(Notification).where(Notification.user_id == world["b"].id))
    assert row.status == rules.PENDING


def unsubscribe_link(message) -> str:
    return re.search(r"https://\S+/account/meldingen/afmelden/(\S+)", text_of(message)).group(0)


def test_the_unsubscribe_link_works_without_login_and_cannot_be_forged(mail_app, smtp, world, client):
    sent_for_signature(world)
    deliver(mail_app)
    [(_, message)] = smtp.wait_for(1)
    link = unsubscribe_link(message)
    path = link[len(BASE):]
    page = client.get(path)
    assert page.status_code == 200 and "Afmelden" in page.get_data(as_text=True)
    assert db.session.get(NotificationPreference, world["b"].id) is None  # a GET changes nothing
    token = path.rsplit("/", 1)[1]
    forged = [token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
              token.replace(token.split(".")[0], "eyJ1IjoxLCJlIjoiZGlnZXN0In0"),  # another user/event, old signature
              "nonsense"]
    for bad in forged:
        assert client.get(f"/account/meldingen/afmelden/{bad}").status_code == 404
        assert client.post(f"/account/meldingen/afmelden/{bad}").status_code == 404
    assert db.session.get(NotificationPreference, world["b"].id) is None
    done = client.post(path)
    assert done.status_code == 200 and "Je bent afgemeld" in done.get_data(as_text=True)
    pref = db.session.get(NotificationPreference, world["b"].id)
    assert "agreement_sent" not in pref.email_events and "agreement_signed" in pref.email_events
    # the next one of that kind stays in the portal
    lifecycle.sign(db.session, world["agreement"], world["agreement"].party_for(world["a"].organisation_id), world["a"])
    assert db.session.scalar(select(Notification.status).where(Notification.event == "agreement_signed")) \
        == rules.PENDING


def test_the_weekly_digest_is_one_mail_listing_the_week(mail_app, smtp, world):
    db.session.add(NotificationPreference(user_id=world["b"].id, email_events=list(rules.EVENTS), regions=[],
                                          weekly_digest=True))
    db.session.flush()
    sent_for_signature(world)
    agreement = world["agreement"]
    lifecycle.sign(db.session, agreement, agreement.party_for(world["a"].organisation_id), world["a"])
    assert "Verstuurd: 0" in deliver(mail_app)  # they wait for the digest
    result = mail_app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert "1 weekoverzicht" in result.output
    deliver(mail_app)
    [(recipients, message)] = smtp.wait_for(1)
    assert recipients == [world["b"].email] and "Weekoverzicht: 2 meldingen" in message["Subject"]
    body = text_of(message)
    assert "Ter ondertekening" in body and "Getekend door een partij" in body and f"{BASE}/overeenkomsten/" in body


def test_mail_test_sends_one_message(mail_app, smtp):
    result = mail_app.test_cli_runner().invoke(args=["mail", "test", "beheer@example.org"])
    assert result.exit_code == 0, result.output
    [(recipients, message)] = smtp.wait_for(1)
    assert recipients == ["beheer@example.org"] and "Testbericht" in message["Subject"]
    bad = mail_app.test_cli_runner().invoke(args=["mail", "test", "a@example.test\r\nBcc: x@example.test"])
    assert bad.exit_code != 0 and len(smtp.messages) == 1
