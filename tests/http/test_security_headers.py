"""Security headers on every GET page of app.url_map: a nonce-based CSP with
object-src/base-uri/frame-ancestors 'none', inline styles only on the map
page, nosniff and a Referrer-Policy; and in the HTML no script without the
nonce, no inline event handlers and no style attributes (except on the map).

The pages come from the app's url_map at collection time, so a page added
later is checked without anyone editing this file."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal import create_app
from portal.config import TestConfig
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_security import build_url, rule_id, rules, url_values

# The only pages that may relax style-src (folium writes inline styles): the two maps.
INLINE_STYLE_PATHS = {"/kaart", "/kaart/", "/dekking", "/dekking/"}
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}

_APP = create_app(TestConfig)
GET_RULES = rules(_APP, {"GET"})


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class ScriptAndStyleAudit(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_nonces: list[str | None] = []
        self.event_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.script_nonces.append(attributes.get("nonce"))
        if tag == "style":
            self.style_elements += 1
        for name, _value in attrs:
            if name.lower().startswith("on"):
                self.event_handlers.append(f"<{tag} {name}>")
            if name.lower() == "style":
                self.style_attributes.append(f"<{tag} style>")
        for name in ("href", "src", "action", "formaction"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.event_handlers.append(f"<{tag} {name}=javascript:>")


def check_headers(response, path: str) -> None:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{path}: no Content-Security-Policy"
    csp = parse_csp(header)
    script_src = csp.get("script-src", [])
    assert "'self'" in script_src
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    assert len(nonces) == 1 and len(nonces[0]) >= len("'nonce-'") + 16, f"{path}: {script_src}"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("base-uri") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert "default-src" in csp
    style_src = csp.get("style-src", csp.get("default-src"))
    if path not in INLINE_STYLE_PATHS:
        assert "'unsafe-inline'" not in style_src, f"{path} relaxes style-src: {style_src}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in REFERRER_POLICIES


def check_html(response, path: str) -> None:
    if response.mimetype != "text/html":
        return
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    audit = ScriptAndStyleAudit()
    audit.feed(response.get_data(as_text=True))
    assert all(n == nonce for n in audit.script_nonces), f"{path}: script without the CSP nonce"
    assert audit.event_handlers == [], f"{path}: inline handlers {audit.event_handlers[:5]}"
    if path not in INLINE_STYLE_PATHS:
        assert audit.style_attributes == [], f"{path}: inline styles {audit.style_attributes[:5]}"
        assert audit.style_elements == 0, f"{path}: <style> element"


@pytest.mark.parametrize("who", ["anonymous", "admin"])
@pytest.mark.parametrize("rule_method", GET_RULES, ids=rule_id)
def test_every_get_page_sends_the_security_headers(client, db_session, reference_data,
                                                    rule_method, who):
    rule, _method = rule_method
    if who == "admin":
        login_as(client, make_user("admin"))
    url = build_url(rule, url_values())
    response = client.get(url)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    path = url.split("?")[0]
    check_headers(response, path)
    check_html(response, path)


def test_the_nonce_differs_per_response(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert re.search(r"'nonce-[^']+'", first).group() != re.search(r"'nonce-[^']+'", second).group()


def test_error_pages_and_static_files_send_the_headers_too(client):
    for path in ("/bestaat-niet", "/static/js/portal.js"):
        with client.get(path) as response:  # a static file is a file response: close it
            check_headers(response, path)


def test_the_audit_notices_what_the_csp_would_block():
    """The control for check_html: a page with an inline handler, a style
    attribute and a script without the nonce is refused."""
    class Fake:
        mimetype = "text/html"
        headers = {"Content-Security-Policy": "script-src 'self' 'nonce-abc'"}

        def __init__(self, html):
            self.html = html

        def get_data(self, as_text=True):
            return self.html

    check_html(Fake('<script nonce="abc"></script>'), "/x")
    for bad in ('<script nonce="abc"></script><script></script>',
                '<script nonce="abc"></script><button onclick="x()">',
                '<script nonce="abc"></script><p style="color:red">',
                '<script nonce="abc"></script><a href="javascript:alert(1)">'):
        with pytest.raises(AssertionError):
            check_html(Fake(bad), "/x")


def test_pages_of_a_logged_in_user_are_not_cached(client, db_session):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as(client, make_user("reader"))
    assert client.get("/").headers.get("Cache-Control") == "private, no-store"
