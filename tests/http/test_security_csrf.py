"""CSRF: every state-changing endpoint in app.url_map refuses a request
without a valid token with 400, also for htmx requests, even for an admin.

The endpoint list is read from the app's url_map at collection time, so an
endpoint added later is tested without anyone editing this file."""
from __future__ import annotations

import pytest
from flask import g

from portal import create_app
from portal.config import TestConfig
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_security import (
    STATE_CHANGING,
    build_url,
    csrf_token_from,
    rule_id,
    rules,
    url_values,
)

# Endpoints that may accept state-changing requests without a CSRF token.
# Empty on purpose: adding one needs a reason written next to it.
EXEMPT: set[str] = set()

_APP = create_app(TestConfig)
STATE_CHANGING_RULES = [p for p in rules(_APP, STATE_CHANGING) if p[0].endpoint not in EXEMPT]

CSRF_MESSAGE = "CSRF"
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


def test_the_generated_list_covers_the_known_state_changing_endpoints():
    endpoints = {rule.endpoint for rule, _method in STATE_CHANGING_RULES}
    assert {"auth.login", "auth.logout", "auth.change_password", "admin.create_user",
            "admin.toggle_user"} <= endpoints


@pytest.mark.parametrize("rule_method", STATE_CHANGING_RULES, ids=rule_id)
def test_request_without_csrf_token_is_refused(csrf_app, client, db_session, rule_method):
    rule, method = rule_method
    login_as(client, make_user("admin"))
    url = build_url(rule, url_values())
    attempts = [
        ("no token", {}, {"naam": "x"}),
        ("no token, htmx", HTMX, {"naam": "x"}),
        ("forged token", {}, {"naam": "x", "csrf_token": "vervalst"}),
        ("forged header, htmx", {**HTMX, "X-CSRFToken": "vervalst"}, {"naam": "x"}),
    ]
    for label, headers, data in attempts:
        response = client.open(url, method=method, data=data, headers=headers)
        assert response.status_code == 400, f"{method} {url} ({label}): {response.status_code}"
        assert CSRF_MESSAGE in response.get_data(as_text=True), f"{method} {url} ({label})"


def _token(client) -> str:
    # The tests keep one app context for all requests; Flask-WTF caches the
    # token of the previous session in g, which production never shares.
    g.pop("csrf_token", None)
    return csrf_token_from(client.get("/account/wachtwoord").get_data(as_text=True))


def test_a_valid_token_is_accepted_in_the_form_and_in_the_htmx_header(csrf_app, client, db_session):
    """The control: the same requests with the session's token get through."""
    user = make_user("admin")
    login_as(client, user)
    response = client.post("/logout", data={"csrf_token": _token(client)})
    assert response.status_code == 302

    login_as(client, user)
    response = client.post("/logout", headers={**HTMX, "X-CSRFToken": _token(client)})
    assert response.status_code == 302


def test_a_token_from_another_session_is_refused(csrf_app, app, client, db_session):
    user = make_user("admin")
    other = app.test_client()
    login_as(other, user)
    foreign_token = _token(other)
    login_as(client, user)
    response = client.post("/logout", data={"csrf_token": foreign_token})
    assert response.status_code == 400
