"""Schemathesis against /api/v1/openapi.json, in process through the Flask
app's WSGI interface: every operation of the open API, with data generated
from the document (valid and invalid), answers without a server error and
with a response that matches the document (status code, content type,
body schema).

HYPOTHESIS_EXAMPLES sets the number of examples per operation (default 200)."""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import IN_CI
from tests.factories import make_organisation
from tests.factories_map import make_region_route, municipality_in
from tests.strategies_fuzz import EXAMPLES

pytestmark = [pytest.mark.schemathesis, pytest.mark.fuzz]  # hypothesis drives it too


@pytest.fixture
def api_schema(app, db_session, reference_data):
    """The document as the running app serves it, over data that fills every
    field: routes in two regions, with and without optional values, one with
    an employer, one concept (which the API must never return)."""
    employer = make_organisation("employer", name="Leerbedrijf <b>&amp; Zn</b>", kvk_number="12345678",
                                 website="https://leerbedrijf.example", city="Ede",
                                 municipality_id=municipality_in("AM38").id)
    make_region_route("AM38", profiles=("ZW", "HBR"), kind_code="glr", crebo="25498",
                      qualification_name="Helpende zorg", pupils_per_cohort=16, description="Omschrijving ‘met’ tekens")
    route = make_region_route("AM09", profiles=(), kind_code="leerlab", mbo_level_code=None, status="voorbereiding")
    from portal.models import RouteParty
    route.parties.append(RouteParty(organisation_id=employer.id, role="employer"))
    make_region_route("AM09", status="concept", title="Geheime conceptroute API")
    db_session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=IN_CI,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


def test_open_api_conforms_to_its_document(api_schema):
    """Every operation in the document (read at run time, so a new API
    endpoint is fuzzed too). schemathesis.pytest.from_fixture does not work
    with pytest 9 (it reads Function._nodeid), hence the explicit loop."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:
        @SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call_and_validate()
            assert "Geheime conceptroute API" not in response.text

        run()


def test_the_document_is_valid_openapi_and_names_every_api_endpoint(app, db_session, api_schema):
    """The control: the schema loaded and holds the operations of the API
    blueprint (so the parametrized test above really ran against them)."""
    operations = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    def documented(rule: str) -> str:  # /organisations/<int:organisation_id> -> /organisations/{organisation_id}
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))

    api_rules = {f"GET {documented(r.rule)}" for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("api.") and r.endpoint != "api.openapi"}
    assert operations == api_rules


def test_a_response_that_breaks_the_document_is_caught(api_schema, monkeypatch):
    """The control: an undocumented field in a route (the document forbids
    additional properties) makes the check fail."""
    import portal.routes.api.views as api
    original = api._public_route
    monkeypatch.setattr(api, "_public_route", lambda route, regions: {**original(route, regions), "email": "x"})
    operation = next(r.ok() for r in api_schema.get_all_operations() if r.ok().path == "/routes")

    @settings(max_examples=20, deadline=None, database=None, derandomize=IN_CI,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate()

    with pytest.raises(BaseException) as failure:  # noqa: PT011  schemathesis raises a FailureGroup
        run()
    import traceback
    report = "".join(traceback.format_exception(failure.value))
    assert "Response violates schema" in report and "email" in report
