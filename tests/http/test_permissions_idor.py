"""IDOR: other organisations' ids in URLs (also htmx fragment requests), in
form fields that point at objects, and in exports (CSV/XLSX/JSON) never give
access to what the user may not see or change."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.models.agreement import FundingShare, TransferGuarantee
from tests.conftest import login_as
from tests.factories_map import make_region_route
from tests.factories_matrix import USERS, MatrixWorld
from tests.http.test_permissions_matrix import CASES, OK, RULES, outcome

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/", "HX-Target": "main"}


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


# Every case of the matrix that "other" (a coordinator of another organisation)
# may not use, requested as an htmx fragment: the same refusal as a page.
REFUSED_FOR_OTHER = [c for c in CASES if c[3] and RULES[c[3]][USERS.index("other")] != OK]


@pytest.mark.parametrize("case", REFUSED_FOR_OTHER, ids=lambda c: f"{c[1]} {c[0]} [{c[2] or '-'}]")
def test_htmx_fragment_requests_with_another_organisations_ids_are_refused(app, client, world, case):
    endpoint, method, variant, rule = case
    rule_obj = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    url = rule_obj.build(world.url_values(variant, rule_obj.arguments), append_unknown=False)[1]
    login_as(client, world.user("other"))
    response = client.open(url, method=method, headers=HTMX, data={"action": "check"})
    assert outcome(response) == RULES[rule][USERS.index("other")], (url, response.status_code)
    assert world.tag not in response.get_data(as_text=True)


def test_signing_with_a_party_id_of_another_agreement_is_404(client, world, db_session):
    agreement, foreign = world.agreement, world.other_agreement
    foreign_party = world.party_of(foreign, world.org_c)
    login_as(client, world.user("other"))
    # The other coordinator's own party, but on an agreement they are no party of.
    response = client.post(f"/overeenkomsten/{agreement.id}/partijen/{foreign_party.id}/ondertekenen")
    assert response.status_code == 404
    login_as(client, world.user("party"))
    response = client.post(f"/overeenkomsten/{foreign.id}/partijen/{foreign_party.id}/ondertekenen")
    assert response.status_code == 403
    db_session.refresh(foreign_party)
    assert not foreign_party.is_signed


def _share_form(agreement, party_ids, htmx_action="save"):
    data = {"action": htmx_action, "version_id": str(agreement.version_id), "share-rows": [], "total-rows": []}
    for i, party_id in enumerate(party_ids):
        data["share-rows"].append(str(i))
        data.update({f"share-{i}-stream": "lumpsum_vo", f"share-{i}-school_year": "2026-2027",
                     f"share-{i}-party_id": str(party_id), f"share-{i}-percentage": "50"})
    return data


@pytest.mark.parametrize("headers, status", [({}, 422), (HTMX, 200)], ids=["page", "htmx"])
def test_funding_rows_cannot_point_at_another_agreements_party(client, world, db_session, headers, status):
    """Refused at the row: the page answers 422; the htmx fragment 200 (htmx
    swaps no 4xx), both with the form again, nothing saved."""
    agreement = world.agreement
    own = world.party_of(agreement, world.org_a).id
    foreign = world.party_of(world.other_agreement, world.org_c).id
    before = sorted((s.party_id, str(s.percentage)) for s in agreement.funding_shares)
    login_as(client, world.user("party"))
    response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=_share_form(agreement, [own, foreign]),
                           headers=headers)
    assert response.status_code == status, response.status_code
    db_session.expire_all()
    assert sorted((s.party_id, str(s.percentage)) for s in agreement.funding_shares) == before
    assert db_session.query(FundingShare).filter_by(party_id=foreign, agreement_id=agreement.id).count() == 0


def test_guarantee_phase_cannot_name_another_agreements_party(client, world, db_session):
    agreement = world.agreement
    foreign = world.party_of(world.other_agreement, world.org_c).id
    login_as(client, world.user("party"))
    data = {"action": "save", "version_id": str(agreement.version_id), "route_duration_months": "48",
            "phase-rows": ["0"], "phase-0-from_month": "1", "phase-0-to_month": "48",
            "phase-0-destination": "mbo2", "phase-0-responsible_party_id": str(foreign),
            "phase-0-max_wait_days": "5", "phase-0-description": "x"}
    client.post(f"/overeenkomsten/{agreement.id}/overstapgarantie", data=data)
    db_session.expire_all()
    assert db_session.query(TransferGuarantee).filter_by(responsible_party_id=foreign).filter(
        TransferGuarantee.agreement_id == agreement.id).count() == 0


def test_agreement_cannot_cover_another_organisations_route(client, world, db_session):
    agreement = world.agreement
    login_as(client, world.user("party"))
    data = {"version_id": str(agreement.version_id), "title": agreement.title,
            "route_ids": [str(world.route.id), str(world.other_concept.id)],
            "start_date": "2026-08-01", "end_date": "2030-07-31"}
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken", data=data)
    assert response.status_code == 422
    response = client.post("/overeenkomsten/nieuw", data={**data, "route_ids": [str(world.other_concept.id)]})
    assert response.status_code == 422
    assert world.other_concept.title not in response.get_data(as_text=True)
    db_session.expire_all()
    assert [r.id for r in agreement.routes] == [world.route.id]


def test_practice_form_does_not_offer_or_accept_another_organisations_concept_route(client, world, db_session):
    """The library's route picker once listed every route, concepts of other
    organisations included, and accepted any id."""
    login_as(client, world.user("other"))
    html = client.get("/bibliotheek/nieuw").get_data(as_text=True)
    assert world.route.title in html and world.route_concept.title not in html
    assert world.other_concept.title in html  # their own concept is offered
    data = {"title": "Voorbeeld met vreemde route", "summary": "Kort.", "themes": ["lob"],
            "route_ids": [str(world.route_concept.id)]}
    response = client.post("/bibliotheek/nieuw", data=data)
    assert response.status_code == 200  # the form again, with the error at the field
    assert world.route_concept.title not in response.get_data(as_text=True)
    assert "Kies bestaande leerroutes." in response.get_data(as_text=True)


def test_practice_page_does_not_show_a_linked_route_the_reader_may_not_see(client, world, db_session):
    from portal.services.practices import operations as practice_service
    practice = world.practice("gepubliceerd")
    practice_service.update_practice(db_session, practice, {
        "title": practice.title, "summary": practice.summary, "body": practice.body, "themes": ["lob"],
        "route_ids": [world.route.id, world.route_concept.id]}, world.users["party"])
    for user, sees_concept in (("anonymous", False), ("other", False), ("party", True), ("staff", True)):
        login_as(client, world.user(user))
        html = client.get(f"/bibliotheek/{practice.id}").get_data(as_text=True)
        assert world.route.title in html, user
        assert (world.route_concept.title in html) is sees_concept, user


def test_agreement_list_and_page_do_not_name_a_concept_route(client, world, db_session):
    """The existence of a sent or signed agreement is public, a concept route is
    not; a concept agreement is seen only by its parties and staff (issue 20)."""
    from tests.factories_agreements import make_agreement
    agreement = make_agreement(world.users["party"], world.route_concept, world.org_b, title="Overeenkomst met concept")
    for user, sees in (("anonymous", False), ("reader", False), ("other", False), ("party", True), ("staff", True)):
        login_as(client, world.user(user))
        listing = client.get("/overeenkomsten/").get_data(as_text=True)
        page = client.get(f"/overeenkomsten/{agreement.id}").get_data(as_text=True)
        assert ("Overeenkomst met concept" in listing) is sees, user
        assert (world.route_concept.title in listing) is sees, user
        assert (world.route_concept.title in page) is sees, user


# --- exports ---------------------------------------------------------------

def _rows(response, fmt):
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    book = load_workbook(io.BytesIO(response.data))
    return [[str(c) if c is not None else "" for c in row] for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("user", ["anonymous", "reader", "other"])
def test_route_export_filtered_on_another_organisation_holds_no_concepts(client, world, user, fmt):
    login_as(client, world.user(user))
    for query in (f"?organisation={world.org_a.id}&status=concept",
                  f"?organisation={world.org_a.id}&status=concept&archief=1", f"?q={world.tag}"):
        text = " ".join(" ".join(r) for r in _rows(client.get(f"/leerroutes/export.{fmt}{query}"), fmt))
        assert world.route_concept.title not in text and world.route_archived.title not in text, query
    text = " ".join(" ".join(r) for r in _rows(client.get(f"/leerroutes/export.{fmt}?q={world.tag}"), fmt))
    assert world.route.title in text  # the control: the public route is there


def test_route_list_fragment_with_another_organisations_filter_holds_no_concepts(client, world):
    login_as(client, world.user("other"))
    html = client.get(f"/leerroutes/?organisation={world.org_a.id}&status=concept", headers=HTMX)
    assert html.status_code == 200
    assert world.route_concept.title not in html.get_data(as_text=True)
    login_as(client, world.user("party"))
    html = client.get(f"/leerroutes/?organisation={world.org_a.id}&status=concept", headers=HTMX)
    assert world.route_concept.title in html.get_data(as_text=True)


def _region_count(rows, code):
    header = rows[0]
    row = next(r for r in rows if code in r)
    return [v for h, v in zip(header, row, strict=False) if "route" in h.lower()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_map_region_export_does_not_count_another_organisations_concepts(client, db_session, reference_data, world, fmt):
    concept = make_region_route("AM38", status="concept", first_school_year="2025-2026")
    from tests.factories import make_user
    owner = make_user("coordinator", organisation=concept.parties[0].organisation)
    query = "?status=concept&school_year=2025-2026"
    counts = {}
    for name, user in (("other", world.users["other"]), ("owner", owner), ("anonymous", None)):
        login_as(client, user)
        counts[name] = _region_count(_rows(client.get(f"/kaart/regio-export.{fmt}{query}"), fmt), "AM38")
    assert counts["other"] == counts["anonymous"]
    assert counts["owner"] != counts["other"]  # the control: the owner's own concept is counted


@pytest.mark.parametrize("user", ["anonymous", "other"])
def test_api_never_returns_another_organisations_concept_routes(client, world, user):
    login_as(client, world.user(user))
    for query in ("?status=concept&per_page=100", f"?q={world.tag}&per_page=100",
                  f"?organisation={world.org_a.id}&per_page=100"):
        response = client.get(f"/api/v1/routes{query}")
        assert response.status_code == 200, (query, response.get_json())
        titles = {item["title"] for item in response.get_json()["items"]}
        assert world.route_concept.title not in titles, query
    response = client.get(f"/api/v1/routes?q={world.tag}&per_page=100")
    assert world.route.title in {i["title"] for i in response.get_json()["items"]}
