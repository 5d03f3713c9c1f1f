"""Issue 18, the pure rules: the retry schedule, where a new notification
goes, and headers without line breaks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain import notifications as rules

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("attempts, wait", [(1, 1), (2, 2), (3, 4), (6, 32), (7, 64)])
def test_the_wait_grows_after_each_failed_attempt(attempts, wait):
    assert rules.next_attempt(NOW, attempts) == NOW + timedelta(minutes=wait)


def test_the_wait_is_capped_and_the_last_attempt_gives_up():
    assert rules.retry_delay(20) == rules.LONGEST_WAIT
    assert rules.next_attempt(NOW, rules.MAX_ATTEMPTS) is None
    assert rules.next_attempt(NOW, rules.MAX_ATTEMPTS - 1) is not None


@pytest.mark.parametrize("code, temporary", [(421, True), (451, True), (452, True), (550, False), (554, False),
                                             (250, False)])
def test_4xx_is_temporary_5xx_is_not(code, temporary):
    assert rules.is_temporary_smtp_code(code) is temporary


@pytest.mark.parametrize("by_email, digest, event, status", [
    (True, False, "agreement_sent", rules.PENDING),
    (False, False, "agreement_sent", rules.PORTAL),
    (False, True, "agreement_sent", rules.PORTAL),
    (True, True, "agreement_sent", rules.WAITING_FOR_DIGEST),
    (True, True, rules.DIGEST, rules.PENDING),  # the digest itself is mailed
])
def test_where_a_new_notification_goes(by_email, digest, event, status):
    assert rules.initial_status(event, by_email=by_email, digest=digest) == status


@pytest.mark.parametrize("value", ["Titel\r\nBcc: iedereen@example.org", "Titel\nX", "Titel\x00X", "Titel\u2028X",
                                   "Titel\x85X"])
def test_a_header_never_holds_a_line_break(value):
    cleaned = rules.clean_header(value)
    assert not any(ch in cleaned for ch in "\r\n\x00\u2028\x85") and cleaned.startswith("Titel")


def test_a_long_header_is_shortened():
    assert len(rules.clean_header("x" * 500, 200)) == 200
