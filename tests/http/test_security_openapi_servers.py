"""The OpenAPI document's `servers` comes from the configuration
(PORTAL_BASE_URL) or is relative; a client's Host or X-Forwarded-Host header
never ends up in it (host header injection, cache poisoning)."""
from __future__ import annotations

import pytest
from flask import request

from portal import InsecureConfiguration, create_app

HOSTILE = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
DOCUMENT = "/api/v1/openapi.json"


def make_app(app, **config):
    return create_app({**app.config, **config})


@pytest.mark.parametrize("behind_https", [False, True])
@pytest.mark.parametrize("base_url, expected", [
    (None, "/api/v1"),
    ("https://leerroutes.example.nl/", "https://leerroutes.example.nl/api/v1"),
])
def test_a_hostile_host_header_does_not_change_the_document(app, db_session, behind_https, base_url, expected):
    own = make_app(app, BEHIND_HTTPS=behind_https, PORTAL_BASE_URL=base_url)
    client = own.test_client()
    plain = client.get(DOCUMENT)
    hostile = client.get(DOCUMENT, headers=HOSTILE)
    assert plain.status_code == hostile.status_code == 200
    assert plain.get_json()["servers"] == [{"url": expected}]
    assert hostile.get_json() == plain.get_json()
    assert "evil.example" not in hostile.get_data(as_text=True)


def test_the_hostile_headers_do_reach_the_app_behind_https(app):
    """The control for the test above: behind the proxy the app trusts
    X-Forwarded-Host, so a document built from the request would change."""
    own = make_app(app, BEHIND_HTTPS=True)
    seen = {}

    @own.get("/probe-host")
    def probe_host():
        seen["host_url"] = request.host_url
        return ""
    own.test_client().get("/probe-host", headers=HOSTILE)
    assert seen["host_url"] == "https://evil.example/"


@pytest.mark.parametrize("value", ["leerroutes.example.nl", "javascript:alert(1)", "https://", "ftp://example.nl",
                                   "https://example.nl/?next=x", "https://user:pw@example.nl"])
def test_an_invalid_base_url_stops_the_app_from_starting(app, value):
    with pytest.raises(InsecureConfiguration, match="PORTAL_BASE_URL"):
        make_app(app, PORTAL_BASE_URL=value)
