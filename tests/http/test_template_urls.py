"""Templates build a row's link (one integer id) from a pattern made once per
process instead of calling url_for per row (web/templating.py). The address
must be exactly what url_for gives, for every endpoint with one id, under any
script root; anything else still goes through url_for."""
from __future__ import annotations

import pytest
from flask import url_for

from portal.web import templating

IDS = (0, 1, 7, 42, 2_147_483_647)


def _one_id_endpoints(app) -> list[tuple[str, str]]:
    """Every GET endpoint whose rule has exactly one argument, an <int:…>."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and len(rule.arguments) == 1 and not rule.endpoint.startswith("static"):
            (name,) = rule.arguments
            if type(rule._converters[name]).__name__ == "_IdConverter":
                found.append((rule.endpoint, name))
    return sorted(set(found))


@pytest.mark.parametrize("script_root", ["", "/portaal"])
def test_a_row_link_is_what_url_for_gives(app, script_root):
    endpoints = _one_id_endpoints(app)
    assert len(endpoints) > 20  # the organisations, routes, practices, agreements, plans … pages
    templating._ID_URLS.clear()
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for endpoint, name in endpoints:
            for value in IDS:
                assert templating._template_url_for(endpoint, **{name: value}) == url_for(endpoint, **{name: value})
        assert len(templating._ID_URLS) == len(endpoints)  # one pattern per endpoint, made once
        if script_root:
            assert templating._template_url_for("organisations.show", organisation_id=5).startswith("/portaal/")


def test_anything_but_one_integer_id_goes_through_url_for(app):
    templating._ID_URLS.clear()
    with app.test_request_context("/"):
        assert templating._template_url_for("practices.index", pagina=3) == url_for("practices.index", pagina=3)
        assert templating._template_url_for("regions.show", code="AM15") == url_for("regions.show", code="AM15")
        assert (templating._template_url_for("organisations.show", organisation_id=5, _anchor="routes")
                == url_for("organisations.show", organisation_id=5, _anchor="routes"))
        assert templating._template_url_for("practices.index", pagina=True) == url_for("practices.index", pagina=True)


def test_a_page_lists_rows_with_the_same_links(client, db_session):
    """Through a page: the organisations list's rows link to each organisation."""
    from tests.factories import make_organisation
    organisations = [make_organisation("mbo", name=f"Koppeltoets {n}") for n in range(3)]
    html = client.get("/organisaties/?q=Koppeltoets").get_data(as_text=True)
    with client.application.test_request_context("/"):
        for organisation in organisations:
            assert f'href="{url_for("organisations.show", organisation_id=organisation.id)}"' in html


def test_a_pattern_is_per_script_root(app):
    """The same process behind two prefixes (a proxy mounting it under /portaal) keeps a pattern per prefix."""
    templating._ID_URLS.clear()
    with app.test_request_context("/"):
        assert templating._template_url_for("organisations.show", organisation_id=5) == "/organisaties/5"
    with app.test_request_context("/", base_url="http://localhost/portaal/"):
        assert templating._template_url_for("organisations.show", organisation_id=5) == "/portaal/organisaties/5"
