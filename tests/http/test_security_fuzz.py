"""Hostile and odd input on the account forms never makes the portal answer
500: unicode, very long strings, HTML/JS, SQL fragments, control characters.

HYPOTHESIS_EXAMPLES sets the number of examples per form (default 200)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import User
from tests.conftest import IN_CI, login_as
from tests.factories import PASSWORD, make_organisation, make_user
from tests.strategies_fuzz import (
    ACCOUNT_NASTY,
    FUZZ_SETTINGS,
    assert_no_server_error,
    assert_nothing_saved_unless_accepted,
    boundary,
    encoded_form,
    form,
    long_text,
    out_of_range_ids,
    row_counts,
    text,
)

pytestmark = pytest.mark.fuzz

# Any unicode except lone surrogates for the test client's own encoder; the
# boundary's cases (lone surrogates included) are posted with encoded_form.
values = st.one_of(st.sampled_from(ACCOUNT_NASTY), text, long_text,
                   st.lists(st.sampled_from(ACCOUNT_NASTY), min_size=2, max_size=4).map("".join), boundary)
maybe = st.one_of(st.none(), values)  # None: the field is left out entirely
ips = st.ip_addresses(v=4).map(str)
emails = st.one_of(values, st.sampled_from([
    "nieuw@example.org\r\nBcc: x@example.org", "nieuw@example.org\n", "nieuw @example.org", "nieuw\u202e@example.org",
    "\u200bnieuw@example.org", "nieuw@example.org\x00", "nieuw@\ud800.org", "nieuw@example", "a" * 250 + "@b.nl",
    "nieuw.fuzz@example.org"]))


def post_form(client, url: str, data: dict, **kwargs):
    return client.post(url, data=encoded_form(data), content_type="application/x-www-form-urlencoded", **kwargs)


@pytest.fixture
def fuzz_client(client, db_session):
    return client


def test_login_form_never_answers_500(fuzz_client):
    @FUZZ_SETTINGS
    @given(email=st.one_of(st.none(), emails), password=maybe, ip=ips)
    def run(email, password, ip):
        data = form(email=email, password=password)
        response = post_form(fuzz_client, "/login", data, environ_base={"REMOTE_ADDR": ip})
        assert_no_server_error(response, data)

    run()


def test_password_change_form_never_answers_500(fuzz_client):
    user = make_user("reader")

    @FUZZ_SETTINGS
    @given(current=st.one_of(st.just(PASSWORD), maybe), new=maybe)
    def run(current, new):
        login_as(fuzz_client, user)  # a successful change rotates the token
        data = form(current_password=current, new_password=new)
        response = post_form(fuzz_client, "/account/wachtwoord", data)
        assert_no_server_error(response, data)

    run()


def test_admin_user_form_never_answers_500(fuzz_client):
    admin = make_user("admin")
    org = make_organisation("mbo")
    roles = st.one_of(st.sampled_from(["admin", "staff", "coordinator", "reader"]), maybe)
    organisation_ids = st.one_of(st.sampled_from(["", str(org.id), "0", "-1", "999999999",
                                                   "99999999999999999999999"]), out_of_range_ids, maybe)
    passwords = st.one_of(st.just("Lang-en-sterk-wachtwoord-7"), maybe)

    @FUZZ_SETTINGS
    @given(email=st.one_of(st.none(), emails), name=maybe, role=roles, organisation_id=organisation_ids,
           password=passwords)
    def run(email, name, role, organisation_id, password):
        login_as(fuzz_client, admin)
        data = form(email=email, name=name, role=role, organisation_id=organisation_id,
                    password=password)
        before = row_counts(db.session, User)
        response = post_form(fuzz_client, "/beheer/gebruikers/nieuw", data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, row_counts(db.session, User), data)
        if response.status_code == 302:  # accepted: a clean address; remove it for the next example
            user = db.session.scalar(db.select(User).order_by(User.id.desc()).limit(1))
            assert not any(c.isspace() or c in "\u202e\x00" for c in user.email), data
            db.session.delete(user)
            db.session.commit()

    run()


def test_the_fuzzer_would_notice_a_500():
    """The control: a form that fails on some input is caught."""
    from flask import request

    from portal import create_app
    from portal.config import TestConfig
    app = create_app(TestConfig)

    @app.post("/__fuzz_control")
    def control():  # pragma: no cover - what matters is that the fuzzer finds it
        if "<" in request.form.get("q", ""):
            raise RuntimeError("kapot")
        return "ok"

    client = app.test_client()

    @settings(max_examples=50, deadline=None, database=None, derandomize=IN_CI)
    @given(q=st.sampled_from(ACCOUNT_NASTY))
    def run(q):
        assert_no_server_error(client.post("/__fuzz_control", data={"q": q}), {"q": q})

    with pytest.raises(AssertionError):
        run()


@pytest.mark.parametrize("path", ["/leerroutes/?q=a%00b", "/bibliotheek/?q=%00", "/leerroutes/a%00b"])
def test_nul_characters_in_the_path_or_query_are_refused_with_400(client, path):
    """PostgreSQL cannot store NUL; found by the login fuzzer as a 500. In a
    form body NUL is a message at the field (tests/http/test_input_boundary.py)."""
    response = client.get(path)
    assert response.status_code == 400
    assert "Ongeldig verzoek" in response.get_data(as_text=True)
