"""Hostile and odd input on every form and JSON/query endpoint of the areas
never makes the portal answer 500: unicode, very long strings, negative and
huge numbers, HTML/JS, SQL fragments, malformed dates and decimals, other
organisations' ids, unknown codes, fields left out; and the input boundary's
cases (issue 14): control characters, lone surrogates (sent raw, see
strategies_fuzz.encoded_form), bidi, zero-width-only text, '--5' and
5,000-digit numbers, out-of-range ids, extreme dates, JSON bodies nested
20,000 deep. A request that is not accepted leaves no row behind.

HYPOTHESIS_EXAMPLES sets the number of examples per test (default 200). The
account forms are fuzzed in test_security_fuzz.py."""
from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import vocab
from portal.extensions import db
from portal.models import LearningRoute, Organisation, User
from portal.models.agreement import Agreement, AgreementParty, FundingShare, FundingTotal, TransferGuarantee
from portal.models.practice import GoodPractice
from portal.services.learning_routes.columns import IMPORT_COLUMNS
from tests.conftest import login_as
from tests.factories_matrix import MatrixWorld
from tests.strategies_fuzz import (
    FUZZ_SETTINGS,
    assert_no_server_error,
    assert_nothing_saved_unless_accepted,
    dates,
    encoded_form,
    form,
    hostile_text,
    huge_integers,
    json_bodies,
    lists_of,
    maybe,
    nasty,
    numbers,
    one_of_or_hostile,
    out_of_range_ids,
    row_counts,
    school_years,
    values,
)

pytestmark = pytest.mark.fuzz

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}
htmx_or_not = st.sampled_from([{}, HTMX])

KINDS = vocab.codes(vocab.ROUTE_KINDS)
PROFILES = vocab.codes(vocab.PROFILES)
PATHWAYS = vocab.codes(vocab.PATHWAYS)
LEVELS = vocab.codes(vocab.MBO_LEVELS)
DOMAINS = vocab.codes(vocab.MBO_DOMAINS)
ROUTE_STATUSES = ("concept", "voorbereiding", "actief", "beeindigd")
REGIONS = ("AM01", "AM38", "AM99", "am38", "AM3")


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


# Every table a form writes to: equal before and after a request that was not accepted.
MODELS = (LearningRoute, Agreement, AgreementParty, FundingShare, FundingTotal, TransferGuarantee, GoodPractice,
          User, Organisation)


def counts():
    return row_counts(db.session, *MODELS)


def post_form(client, url: str, data: dict, headers=None):
    """POST `data` url-encoded by hand, so that lone surrogates are sent too."""
    return client.post(url, data=encoded_form(data), content_type="application/x-www-form-urlencoded",
                       headers=headers or {})


def ids(world, *extra):
    """Id fields: ours, another organisation's, nonsense, out of range."""
    known = [str(world.org_a.id), str(world.org_b.id), str(world.org_c.id), str(world.org_d.id), *map(str, extra),
             "0", "-1", "999999999", "9999999999", "99999999999999999999999"]
    return st.one_of(st.sampled_from(known), out_of_range_ids, numbers)


# --- leerroutes ------------------------------------------------------------

def route_form(world):
    return st.fixed_dictionaries({}, optional={
        "title": hostile_text, "kind": one_of_or_hostile(KINDS), "status": one_of_or_hostile(ROUTE_STATUSES),
        "vmbo_parties": lists_of(ids(world)), "mbo_parties": lists_of(ids(world)),
        "employer_parties": lists_of(ids(world)), "pathways": lists_of(one_of_or_hostile(PATHWAYS)),
        "profiles": lists_of(one_of_or_hostile(PROFILES)), "mbo_level": one_of_or_hostile(LEVELS),
        "mbo_domain": one_of_or_hostile(DOMAINS), "crebo": numbers, "qualification_name": hostile_text,
        "teaching_location": one_of_or_hostile(("vmbo", "mbo", "beide")),
        "first_school_year": school_years, "last_school_year": school_years,
        "pupils_per_cohort": st.one_of(huge_integers, numbers),
        "contact_name": hostile_text, "contact_email": hostile_text, "contact_phone": hostile_text,
        "description": hostile_text, "version_id": numbers, "zoek": one_of_or_hostile(("vmbo", "mbo", "employer")),
        "zoek_vmbo_q": hostile_text, "zoek_mbo_q": hostile_text,
    })


def test_route_create_form_never_answers_500(client, world):
    @FUZZ_SETTINGS
    @given(data=route_form(world), user=st.sampled_from(["party", "staff"]))
    def run(data, user):
        login_as(client, world.user(user))
        before = counts()
        response = post_form(client, "/leerroutes/nieuw", data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, counts(), data)

    run()


def fuzz_edit_form(client, world, obj, url: str, form_strategy) -> None:
    """Post hostile edit forms as the party's coordinator, half of them on the
    object's current version (so that they reach the service). One that is
    not accepted changes neither the object's version nor any row count."""
    @FUZZ_SETTINGS
    @given(data=form_strategy, current_version=st.booleans())
    def run(data, current_version):
        if current_version:
            data["version_id"] = str(obj.version_id)
        login_as(client, world.user("party"))
        before, version = counts(), obj.version_id
        response = post_form(client, url, data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, counts(), data)
        db.session.refresh(obj)
        if response.status_code != 302:
            assert obj.version_id == version, data

    run()


def test_route_edit_form_never_answers_500(client, world):
    fuzz_edit_form(client, world, world.route, f"/leerroutes/{world.route.id}/bewerken", route_form(world))


CSV_HEADERS = [c for c, _f in IMPORT_COLUMNS]


def csv_files(world):
    cell = st.one_of(values, numbers, school_years, st.sampled_from([str(world.org_a.id), str(world.org_b.id),
                                                                     "glr", "dlr", "BB", "ZW", "2"]))
    header = st.one_of(st.just(CSV_HEADERS), st.permutations(CSV_HEADERS), lists_of(values, 6),
                       st.lists(st.sampled_from(CSV_HEADERS), max_size=25))
    rows = st.lists(st.lists(cell, max_size=len(CSV_HEADERS) + 3), max_size=6)
    text = st.builds(lambda h, rs, sep: "\n".join(sep.join(f'"{c}"' if sep in c else c for c in r)
                                                  for r in [h, *rs]), header, rows, st.sampled_from([";", ","]))
    encoded = st.one_of(text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                        text.map(lambda t: t.encode("utf-16", "surrogatepass")), st.binary(max_size=2000))
    return encoded


def test_route_import_never_answers_500(client, world):
    @FUZZ_SETTINGS
    @given(raw=csv_files(world), mode=maybe(one_of_or_hostile(("all", "valid"))), name=values)
    def run(raw, mode, name):
        login_as(client, world.user("party"))
        data = form(mode=mode, bestand=(io.BytesIO(raw), name or "x.csv"))
        response = client.post("/leerroutes/importeren", data=data, content_type="multipart/form-data")
        assert_no_server_error(response, raw[:500])

    run()


def list_query(world):
    return st.fixed_dictionaries({}, optional={
        "region": lists_of(one_of_or_hostile(REGIONS)), "profile": lists_of(one_of_or_hostile(PROFILES)),
        "level": lists_of(one_of_or_hostile(LEVELS)), "kind": lists_of(one_of_or_hostile(KINDS)),
        "pathway": lists_of(one_of_or_hostile(PATHWAYS)), "status": lists_of(one_of_or_hostile(ROUTE_STATUSES)),
        "domain": lists_of(one_of_or_hostile(DOMAINS)), "organisation": lists_of(ids(world)),
        "school_year": school_years, "q": values, "sort": one_of_or_hostile(("titel", "recent", "schooljaar",
                                                                            "niveau")),
        "pagina": numbers, "archief": one_of_or_hostile(("1", "0")), "maat": one_of_or_hostile(
            ("routes", "levels", "profiles", "per_1000")),
    })


def test_route_list_filters_and_exports_never_answer_500(client, world):
    @FUZZ_SETTINGS
    @given(query=list_query(world), headers=htmx_or_not, user=st.sampled_from(["anonymous", "other", "staff"]),
           path=st.sampled_from(["/leerroutes/", "/leerroutes/", "/leerroutes/export.csv",
                                 "/leerroutes/export.xlsx"]))
    def run(query, headers, user, path):
        login_as(client, world.user(user))
        assert_no_server_error(client.get(path, query_string=query, headers=headers), (path, query))

    run()


def test_organisation_picker_never_answers_500(client, world):
    @FUZZ_SETTINGS
    @given(kind=maybe(one_of_or_hostile(("vmbo", "mbo", "employer", ""))), q=maybe(values),
           field=maybe(one_of_or_hostile(("vmbo_parties", "organisation_id"))),
           scope=maybe(one_of_or_hostile(("voorbeeld", "overeenkomst"))))
    def run(kind, q, field, scope):
        login_as(client, world.user("party"))
        query = form(kind=kind, q=q, field=field)
        assert_no_server_error(client.get("/zoeken/organisaties", query_string=query, headers=HTMX), query)
        query = form(voor=scope, q=q, field=field)
        assert_no_server_error(client.get("/zoeken/leerroutes", query_string=query, headers=HTMX), query)

    run()


# --- samenwerkingsovereenkomsten -----------------------------------------------

def agreement_form(world):
    text_fields = ("facilities_use", "cooperation_form", "governance", "design", "complaints_procedure",
                   "sector", "employer_role", "team_qualification_description", "participation",
                   "transfer_option", "funding_purpose")
    return st.fixed_dictionaries({}, optional={
        "title": hostile_text, "route_ids": lists_of(ids(world, world.route.id, world.other_concept.id)),
        "start_date": dates, "end_date": dates, "mbo_domain_code": one_of_or_hostile(DOMAINS),
        "examining_organisation_id": ids(world), "team_qualification": one_of_or_hostile(("ja", "nee")),
        "version_id": numbers, **{name: hostile_text for name in text_fields},
    })


def test_agreement_create_form_never_answers_500(client, world):
    @FUZZ_SETTINGS
    @given(data=agreement_form(world))
    def run(data):
        login_as(client, world.user("party"))
        before = counts()
        response = post_form(client, "/overeenkomsten/nieuw", data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, counts(), data)

    run()


def test_agreement_edit_form_never_answers_500(client, world):
    fuzz_edit_form(client, world, world.agreement, f"/overeenkomsten/{world.agreement.id}/bewerken",
                   agreement_form(world))


def row_keys():
    return st.lists(st.one_of(st.sampled_from(["0", "1", "2", "3"]), numbers, out_of_range_ids), max_size=5)


def party_ids(world):
    agreement, other = world.agreement, world.other_agreement
    known = [str(p.id) for p in agreement.parties] + [str(p.id) for p in other.parties]
    return st.one_of(st.sampled_from(known), numbers, out_of_range_ids)


def editor_form(draw, world, prefix: str, fields: dict):
    keys = draw(row_keys())
    data = {f"{prefix}-rows": keys}
    for key in keys:
        for name, strategy in fields.items():
            value = draw(maybe(strategy))
            if value is not None:
                data[f"{prefix}-{key}-{name}"] = value
    return data


ACTIONS = ["save", "check", "add-share", "add-total", "add-phase", "remove-share-0", "remove-total-1",
           "remove-phase-0", "remove-share-x"]


def test_funding_editor_never_answers_500(client, world):
    agreement = world.agreement
    streams = one_of_or_hostile(("lumpsum_vo", "lumpsum_mbo", "subsidie", "overig"))

    @st.composite
    def funding(draw):
        data = editor_form(draw, world, "share", {"stream": streams, "school_year": school_years,
                                                  "party_id": party_ids(world), "percentage": numbers})
        data.update(editor_form(draw, world, "total", {"stream": streams, "school_year": school_years,
                                                       "recipient_party_id": party_ids(world), "amount": numbers,
                                                       "purpose": hostile_text}))
        data["action"] = draw(maybe(one_of_or_hostile(ACTIONS)))
        data["version_id"] = draw(st.one_of(st.just(str(agreement.version_id)), numbers))
        return {k: v for k, v in data.items() if v is not None}

    @FUZZ_SETTINGS
    @given(data=funding(), headers=st.sampled_from([{}, HTMX, {**HTMX, "HX-Trigger": "funding-form"}]))
    def run(data, headers):
        login_as(client, world.user("party"))
        before = counts()
        response = post_form(client, f"/overeenkomsten/{agreement.id}/financiering", data, headers)
        assert_no_server_error(response, data)
        if response.status_code >= 400:
            assert counts() == before, data

    run()


def test_guarantee_editor_never_answers_500(client, world):
    agreement = world.agreement
    destinations = one_of_or_hostile(("vmbo_bb", "vmbo_profiel", "mbo2", "entree", "andere_route"))

    @st.composite
    def guarantee(draw):
        data = editor_form(draw, world, "phase", {
            "from_month": numbers, "to_month": numbers, "destination": destinations,
            "responsible_party_id": party_ids(world), "max_wait_days": numbers, "description": hostile_text,
            "entree_reason": hostile_text})
        data["route_duration_months"] = draw(maybe(numbers))
        data["action"] = draw(maybe(one_of_or_hostile(ACTIONS)))
        data["version_id"] = draw(st.one_of(st.just(str(agreement.version_id)), numbers))
        return {k: v for k, v in data.items() if v is not None}

    @FUZZ_SETTINGS
    @given(data=guarantee(), headers=st.sampled_from([{}, HTMX, {**HTMX, "HX-Trigger": "guarantee-form"}]))
    def run(data, headers):
        login_as(client, world.user("party"))
        before = counts()
        response = post_form(client, f"/overeenkomsten/{agreement.id}/overstapgarantie", data, headers)
        assert_no_server_error(response, data)
        if response.status_code >= 400:
            assert counts() == before, data

    run()


def test_parties_editor_never_answers_500(client, world):
    agreement = world.agreement
    roles = one_of_or_hostile(("vmbo", "mbo", "bedrijf", "gemeente"))

    @st.composite
    def parties(draw):
        data = editor_form(draw, world, "party", {
            "organisation_id": ids(world), "role": roles, "governing_body_name": hostile_text,
            "governing_body_number": numbers, "remove": st.sampled_from(["", "1", "ja"])})
        data["version_id"] = draw(st.one_of(st.just(str(agreement.version_id)), numbers))
        return data

    @FUZZ_SETTINGS
    @given(data=parties())
    def run(data):
        login_as(client, world.user("party"))
        before = counts()
        response = post_form(client, f"/overeenkomsten/{agreement.id}/partijen", data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, counts(), data)

    run()


def test_terminate_and_versions_never_answer_500(client, world):
    agreement = world.signed

    @FUZZ_SETTINGS
    @given(terminated_on=maybe(dates), reason=maybe(hostile_text), a=maybe(numbers), b=maybe(numbers))
    def run(terminated_on, reason, a, b):
        login_as(client, world.user("party"))
        data = form(terminated_on=terminated_on, termination_reason=reason)
        response = post_form(client, f"/overeenkomsten/{agreement.id}/opzeggen", data)
        assert_no_server_error(response, data)
        db.session.refresh(agreement)
        if response.status_code != 302:
            assert agreement.status != "opgezegd", data
        else:  # accepted: the date lies within the agreement's period; undo for the next example
            assert agreement.start_date <= agreement.terminated_on <= agreement.end_date, data
            agreement.status, agreement.terminated_on, agreement.termination_reason = "getekend", None, None
            db.session.commit()
        query = form(a=a, b=b)
        assert_no_server_error(client.get(f"/overeenkomsten/{agreement.id}/versies", query_string=query), query)

    run()


# --- bibliotheek -----------------------------------------------------------------

def practice_form(world):
    return st.fixed_dictionaries({}, optional={
        "title": hostile_text, "summary": hostile_text, "body": hostile_text,
        "themes": lists_of(one_of_or_hostile(("lob", "techniek", "overstap", "bekostiging"))),
        "tags": hostile_text, "organisation_ids": lists_of(ids(world)),
        "region_ids": lists_of(st.one_of(st.sampled_from(["1", "35", "36"]), numbers, out_of_range_ids)),
        "route_ids": lists_of(ids(world, world.route.id, world.route_concept.id, world.other_concept.id)),
        "domain_codes": lists_of(one_of_or_hostile(DOMAINS)), "level_codes": lists_of(one_of_or_hostile(LEVELS)),
        "contact_name": hostile_text, "contact_email": hostile_text, "source": hostile_text,
        "version_id": numbers,
    })


def test_practice_create_and_edit_forms_never_answer_500(client, world):
    practice = world.practice("concept")

    @FUZZ_SETTINGS
    @given(data=practice_form(world), edit=st.booleans(), current_version=st.booleans())
    def run(data, edit, current_version):
        login_as(client, world.user("party"))
        if edit and current_version:
            data["version_id"] = str(practice.version_id)
        url = f"/bibliotheek/{practice.id}/bewerken" if edit else "/bibliotheek/nieuw"
        before, version = counts(), practice.version_id
        response = post_form(client, url, data)
        assert_no_server_error(response, data)
        assert_nothing_saved_unless_accepted(response, before, counts(), data)
        db.session.refresh(practice)
        if response.status_code != 302:
            assert practice.version_id == version, data

    run()


def test_practice_search_never_answers_500(client, world):
    query = st.fixed_dictionaries({}, optional={
        "q": values, "thema": values, "regio": one_of_or_hostile(REGIONS), "niveau": one_of_or_hostile(LEVELS),
        "domein": one_of_or_hostile(DOMAINS), "pagina": numbers})

    @FUZZ_SETTINGS
    @given(query=query, headers=htmx_or_not)
    def run(query, headers):
        login_as(client, world.user("anonymous"))
        assert_no_server_error(client.get("/bibliotheek/", query_string=query, headers=headers), query)

    run()


def test_practice_moderation_and_attachment_forms_never_answer_500(client, world):
    practice = world.practice("ingediend")
    concept = world.practice("concept")

    @FUZZ_SETTINGS
    @given(reason=maybe(hostile_text), version=maybe(numbers), title=maybe(values), filename=values,
           content=st.one_of(st.binary(max_size=500), st.sampled_from([b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n"])))
    def run(reason, version, title, filename, content):
        login_as(client, world.user("staff"))
        data = form(reason=reason, version_id=version)
        assert_no_server_error(post_form(client, f"/bibliotheek/{practice.id}/terugsturen", data), data)
        login_as(client, world.user("party"))
        data = form(title=title, file=(io.BytesIO(content), filename))
        response = client.post(f"/bibliotheek/{concept.id}/bijlagen", data=data, content_type="multipart/form-data")
        assert_no_server_error(response, (title, filename, content[:50]))

    run()


# --- kaart, regio's en de open API ------------------------------------------------

def map_query(world):
    return st.fixed_dictionaries({}, optional={
        "region": lists_of(one_of_or_hostile(REGIONS)), "profile": lists_of(one_of_or_hostile(PROFILES)),
        "level": lists_of(one_of_or_hostile(LEVELS)), "kind": lists_of(one_of_or_hostile(KINDS)),
        "pathway": lists_of(one_of_or_hostile(PATHWAYS)), "status": lists_of(one_of_or_hostile(ROUTE_STATUSES)),
        "domain": lists_of(one_of_or_hostile(DOMAINS)), "organisation": lists_of(ids(world)),
        "school_year": school_years, "q": values,
        "maat": one_of_or_hostile(("routes", "levels", "profiles", "per_1000")),
    })


def test_map_region_and_dashboard_queries_never_answer_500(client, world):
    paths = ["/kaart/regio-export.csv", "/kaart/regio-export.xlsx", "/kaart/dashboard",
             "/kaart/dashboard-export.csv", "/regio/", "/regio/AM38", "/kaart/dashboard-export.xlsx"]

    @FUZZ_SETTINGS
    @given(query=map_query(world), path=st.sampled_from(paths), headers=htmx_or_not,
           user=st.sampled_from(["anonymous", "other"]))
    def run(query, path, headers, user):
        login_as(client, world.user(user))
        assert_no_server_error(client.get(path, query_string=query, headers=headers), (path, query))

    run()


def test_map_page_never_answers_500(client, world):
    """The map page renders the whole folium map; fewer examples would be
    tempting, but the filters are parsed here too."""

    @FUZZ_SETTINGS
    @given(query=map_query(world), headers=htmx_or_not)
    def run(query, headers):
        login_as(client, world.user("anonymous"))
        assert_no_server_error(client.get("/kaart/", query_string=query, headers=headers), query)

    run()


def api_query(world):
    base = map_query(world)
    return st.one_of(
        base,
        base.flatmap(lambda q: st.fixed_dictionaries({"page": maybe(numbers), "per_page": maybe(numbers)})
                     .map(lambda extra: {**q, **form(**extra)})),
        st.dictionaries(values, st.one_of(values, lists_of(values)), max_size=4),
    )


def test_open_api_never_answers_500_and_always_answers_json(client, world):
    @FUZZ_SETTINGS
    @given(query=api_query(world), path=st.sampled_from(["/api/v1/routes", "/api/v1/regions.geojson"]),
           user=st.sampled_from(["anonymous", "other"]))
    def run(query, path, user):
        login_as(client, world.user(user))
        response = client.get(path, query_string=query)
        assert_no_server_error(response, (path, query))
        assert response.status_code in (200, 400), (response.status_code, query)
        assert response.is_json or response.mimetype == "application/geo+json", response.mimetype
        body = response.get_json(force=True)
        if response.status_code == 400:
            assert body["status"] == 400 and body["error"]

    run()


def test_nasty_strategy_reaches_every_kind_of_hostile_input():
    """The control: the shared list holds what the issue names."""
    from tests.strategies_fuzz import NASTY
    for sample in ("<script>alert(1)</script>", "'; DROP TABLE users; --", "99999999999999999999999999",
                   "-1", "2026-02-30", "1.000,50", "1e309", "\x00", "😀" * 300):
        assert sample in NASTY
    assert any(len(s) > 5000 for s in NASTY)
    assert nasty is not None


def test_digits_int_cannot_parse_are_refused_not_a_500(client, world):
    """'²'.isdigit() is true but int('²') fails: found by the fuzzer (a 500 in
    the organisation filter and picker); the parsers now use isdecimal()."""
    login_as(client, world.user("party"))
    agreement = world.agreement
    requests = [
        ("GET", "/zoeken/organisaties?kind=vmbo&q=%C2%B2&field=vmbo_parties", None),
        ("GET", "/kaart/regio-export.csv?organisation=%C2%B2", None),
        ("GET", "/leerroutes/?organisation=%C2%B2", None),
        ("POST", "/overeenkomsten/nieuw", {"route_ids": ["2147483648"]}),
        ("POST", "/leerroutes/nieuw", {"title": "x", "pupils_per_cohort": "²", "vmbo_parties": ["²"]}),
        ("POST", f"/overeenkomsten/{agreement.id}/bewerken", {"title": "x", "examining_organisation_id": "²",
                                                              "route_ids": [str(world.route.id)],
                                                              "start_date": "2026-08-01", "end_date": "2030-07-31"}),
        ("POST", f"/overeenkomsten/{agreement.id}/financiering", {"share-rows": ["²"], "action": "add-share"}),
        ("POST", f"/overeenkomsten/{agreement.id}/overstapgarantie", {"route_duration_months": "²",
                                                                      "action": "check"}),
    ]
    for method, url, data in requests:
        response = client.open(url, method=method, data=data)
        assert response.status_code < 500, (url, response.status_code)
    raw = "titel;soort;vmbo_partijen;mbo_partijen;eerste_schooljaar\nx;glr;[id:²];[id:²];2025-2026\n".encode()
    response = client.post("/leerroutes/importeren", data={"bestand": (io.BytesIO(raw), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200


# --- JSON bodies on every form endpoint and on the API ------------------------------

def post_urls(app, world, *, api: bool) -> list[str]:
    """Every URL of app.url_map that takes a POST (outside or inside /api/),
    built with the world's values for its arguments: a new endpoint is fuzzed
    without being listed here. The API has no write endpoint: there every
    rule is posted to (and answers 405 after the body check)."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") != api or (not api and "POST" not in rule.methods):
            continue
        urls.append(adapter.build(rule.endpoint, world.url_values(None, sorted(rule.arguments)), method=(
            "POST" if "POST" in rule.methods else "GET")))
    return sorted(set(urls))


def test_json_bodies_to_every_form_endpoint_get_415_and_save_nothing(app, client, world):
    urls = post_urls(app, world, api=False)
    assert "/leerroutes/nieuw" in urls and "/login" in urls and len(urls) > 20

    @FUZZ_SETTINGS
    @given(body=json_bodies, url=st.sampled_from(urls),
           mimetype=st.sampled_from(["application/json", "application/problem+json", "application/vnd.api+json"]))
    def run(body, url, mimetype):
        login_as(client, world.user("party"))
        before = counts()
        response = client.post(url, data=body, content_type=mimetype)
        assert response.status_code == 415, (url, body[:200])
        assert counts() == before

    run()


def test_json_bodies_to_the_api_never_answer_500_and_always_answer_json(app, client, world):
    urls = post_urls(app, world, api=True)
    assert "/api/v1/routes" in urls

    @FUZZ_SETTINGS
    @given(body=json_bodies, url=st.sampled_from(urls), method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE"]))
    def run(body, url, method):
        response = client.open(url, method=method, data=body, content_type="application/json")
        assert_no_server_error(response, (url, body[:200]))
        assert response.status_code in (400, 405), (url, response.status_code, body[:200])
        assert response.is_json

    run()


def test_the_boundary_strategies_reach_every_case_of_the_issue():
    """The control: the shared lists hold what issue 14 names."""
    from tests.strategies_fuzz import BOUNDARY, NASTY, SURROGATES
    for sample in ("\x00", "\x1b[31mrood", "\x85", "\u202e", "\u200b\u200c\u200d", "--5", "9" * 5000,
                   "2147483648", "0001-01-01", "9999-12-31", "0000-0001"):
        assert sample in BOUNDARY
    assert all(sample not in NASTY for sample in SURROGATES)  # the test client cannot send those itself
    assert encoded_form({"t": "\ud800"}) == b"t=%ED%A0%80"
