"""Hostile and odd input on the account forms never makes the portal answer
500: unicode, very long strings, HTML/JS, SQL fragments, control characters.

HYPOTHESIS_EXAMPLES sets the number of examples per form (default 200)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import IN_CI, login_as
from tests.factories import PASSWORD, make_organisation, make_user

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=IN_CI,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

NASTY = [
    "", " ", "\x00", "\x00admin@example.org", "a\x00b", "\r\n", "\t", "\u202e", "\ufeff",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "{{ 7*7 }}", "{% raw %}", "${7*7}", "' OR '1'='1", "'; DROP TABLE users; --",
    "\" OR 1=1 --", "admin'--", "1; SELECT pg_sleep(0)", "%00", "%s%s%s%n", "../../etc/passwd",
    "a" * 256, "a" * 5000, "é" * 300, "😀" * 300, "Ω≈ç√∫˜µ≤≥÷", "田中さんにあげて下さい",
    "-1", "0", "99999999999999999999999999", "1e309", "NaN", "null", "None", "true", "[]", "{}",
    "beheer@demo.leerroutes.nl", "BEHEER@DEMO.LEERROUTES.NL ", "@", "a@", "@b", "a@b@c",
    PASSWORD,
]

# Any unicode except lone surrogates (they cannot be sent as UTF-8 at all).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
long_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=20000)
values = st.one_of(st.sampled_from(NASTY), text, long_text,
                   st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join))
maybe = st.one_of(st.none(), values)  # None: the field is left out entirely
ips = st.ip_addresses(v=4).map(str)


def form(**fields) -> dict:
    return {k: v for k, v in fields.items() if v is not None}


def assert_no_server_error(response, data) -> None:
    assert response.status_code < 500, f"{response.status_code} for {data!r}"


@pytest.fixture
def fuzz_client(client, db_session):
    return client


def test_login_form_never_answers_500(fuzz_client):
    @FUZZ_SETTINGS
    @given(email=maybe, password=maybe, ip=ips)
    def run(email, password, ip):
        data = form(email=email, password=password)
        response = fuzz_client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})
        assert_no_server_error(response, data)

    run()


def test_password_change_form_never_answers_500(fuzz_client):
    user = make_user("reader")

    @FUZZ_SETTINGS
    @given(current=st.one_of(st.just(PASSWORD), maybe), new=maybe)
    def run(current, new):
        login_as(fuzz_client, user)  # a successful change rotates the token
        data = form(current_password=current, new_password=new)
        response = fuzz_client.post("/account/wachtwoord", data=data)
        assert_no_server_error(response, data)

    run()


def test_admin_user_form_never_answers_500(fuzz_client):
    admin = make_user("admin")
    org = make_organisation("mbo")
    roles = st.one_of(st.sampled_from(["admin", "staff", "coordinator", "reader"]), maybe)
    organisation_ids = st.one_of(st.sampled_from(["", str(org.id), "0", "-1", "999999999",
                                                   "99999999999999999999999"]), maybe)

    @FUZZ_SETTINGS
    @given(email=maybe, name=maybe, role=roles, organisation_id=organisation_ids, password=maybe)
    def run(email, name, role, organisation_id, password):
        login_as(fuzz_client, admin)
        data = form(email=email, name=name, role=role, organisation_id=organisation_id,
                    password=password)
        response = fuzz_client.post("/beheer/gebruikers/nieuw", data=data)
        assert_no_server_error(response, data)

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
    @given(q=st.sampled_from(NASTY))
    def run(q):
        assert_no_server_error(client.post("/__fuzz_control", data={"q": q}), {"q": q})

    with pytest.raises(AssertionError):
        run()


@pytest.mark.parametrize("method, path, data", [
    ("POST", "/login", {"email": "\x00", "password": "\x00"}),
    ("POST", "/login", {"email": "iemand@example.org", "password": "twaalf tekens\x00"}),
    ("GET", "/leerroutes/?q=a%00b", None),
    ("GET", "/bibliotheek/?q=%00", None),
])
def test_nul_characters_are_refused_with_400(client, method, path, data):
    """PostgreSQL cannot store NUL; found by the login fuzzer as a 500."""
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert "Ongeldig verzoek" in response.get_data(as_text=True)
