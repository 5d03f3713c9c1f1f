"""Every /overeenkomsten endpoint x every role: parties' coordinators edit and
sign for their own party only, staff read everything, the public sees that an
agreement exists but not its finances or documents."""
from __future__ import annotations

import io

import pytest

from portal.models.agreement import Agreement
from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route

ROLES = ("anonymous", "reader", "staff", "admin", "outsider", "party_vmbo", "party_mbo")
PARTIES = {"party_vmbo", "party_mbo"}
READERS = PARTIES | {"staff", "admin"}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class World:
    def __init__(self, db_session):
        self.vmbo, self.mbo, self.route, self.vmbo_user, self.mbo_user = make_parties_and_route()
        self.agreement = make_agreement(self.vmbo_user, self.route, self.mbo)
        self.users = {
            "reader": make_user("reader"), "staff": make_user("staff"), "admin": make_user("admin"),
            "outsider": make_user("coordinator"), "party_vmbo": self.vmbo_user, "party_mbo": self.mbo_user,
        }
        self.session = db_session

    def party(self, org):
        return next(p for p in self.agreement.parties if p.organisation_id == org.id)

    def sign_all(self):
        lifecycle.send_for_signature(self.session, self.agreement, self.vmbo_user)
        lifecycle.sign(self.session, self.agreement, self.party(self.vmbo), self.vmbo_user)
        lifecycle.sign(self.session, self.agreement, self.party(self.mbo), self.mbo_user)

    def with_document(self):
        from portal.core.uploads import StoredFile, upload_dir
        self.sign_all()
        (upload_dir() / ("a" * 32 + ".pdf")).write_bytes(PDF)
        lifecycle.attach_document(self.session, self.agreement, StoredFile("a" * 32 + ".pdf", "getekend.pdf",
                                                                           "application/pdf", len(PDF), "0" * 64),
                                self.vmbo_user)


@pytest.fixture
def world(db_session):
    return World(db_session)


def as_role(client, world, role):
    return login_as(client, world.users.get(role))  # anonymous: no user


def expect(role: str, allowed: set[str]) -> int:
    if role in allowed:
        return 200
    return 302 if role == "anonymous" else 403


GET_PAGES = {
    # endpoint: (path, roles allowed)
    "agreements.index": ("/overeenkomsten/", set(ROLES)),
    # The world's agreement is a concept: only its parties and staff know it exists (issue 20).
    "agreements.view_agreement": ("/overeenkomsten/{id}", READERS),
    "agreements.create_agreement": ("/overeenkomsten/nieuw", {"outsider"} | PARTIES),
    "agreements.edit_agreement": ("/overeenkomsten/{id}/bewerken", PARTIES),
    "agreements.edit_parties": ("/overeenkomsten/{id}/partijen", PARTIES),
    "agreements.edit_shares": ("/overeenkomsten/{id}/financiering", PARTIES),
    "agreements.edit_guarantee": ("/overeenkomsten/{id}/overstapgarantie", PARTIES),
    "agreements.terminate_agreement": ("/overeenkomsten/{id}/opzeggen", PARTIES),
    "agreements.view_checklist": ("/overeenkomsten/{id}/checklist", READERS),
    "agreements.list_versions": ("/overeenkomsten/{id}/versies", READERS),
    "agreements.print_agreement": ("/overeenkomsten/{id}/afdrukken", READERS),
    "agreements.download_document": ("/overeenkomsten/{id}/document", READERS),
}
POST_ACTIONS = {
    "agreements.send_agreement": "/overeenkomsten/{id}/ter-ondertekening",
    "agreements.sign_agreement": "/overeenkomsten/{id}/partijen/{party}/ondertekenen",
    "agreements.archive_agreement": "/overeenkomsten/{id}/archiveren",
    "agreements.restore_agreement": "/overeenkomsten/{id}/herstellen",
    "agreements.upload_document": "/overeenkomsten/{id}/document",
}


def test_every_agreements_endpoint_is_covered(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("agreements.")}
    assert endpoints == set(GET_PAGES) | set(POST_ACTIONS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(GET_PAGES))
def test_get_pages_by_role(client, world, role, endpoint):
    if endpoint == "agreements.download_document":
        world.with_document()
    path, allowed = GET_PAGES[endpoint]
    # `with`: the document is a file response, to be closed.
    with as_role(client, world, role).get(path.format(id=world.agreement.id)) as response:
        expected = expect(role, allowed)
        if endpoint == "agreements.view_agreement" and expected != 200:
            expected = 404  # a concept does not exist for them, as a concept route
        assert response.status_code == expected, response.data[:300]
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
        if endpoint == "agreements.download_document" and response.status_code == 200:
            assert response.data == PDF
            assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("role", ROLES)
def test_public_sees_existence_but_not_finances_or_documents(client, world, role):
    world.with_document()
    html = as_role(client, world, role).get(f"/overeenkomsten/{world.agreement.id}").get_data(as_text=True)
    # Existence: everybody.
    for text in (world.agreement.title, "Getekend", world.vmbo.name, world.mbo.name, world.route.title,
                 "01-08-2026 t/m 31-07-2030"):
        assert text in html
    secret = ("Verdeling van de middelen", "Lumpsum vo", "60,00 %", "10.000,00", "getekend.pdf",
              "Klachtenregeling", "Overstapgarantie", "/document")
    if role in READERS:
        assert all(s in html for s in secret), [s for s in secret if s not in html]
    else:
        assert not [s for s in secret if s in html]
    listing = client.get("/overeenkomsten/").get_data(as_text=True)
    assert world.agreement.title in listing and world.route.title in listing
    assert "Lumpsum" not in listing and "getekend.pdf" not in listing


@pytest.mark.parametrize("role", ROLES)
def test_send_for_signature_only_by_parties(client, world, role):
    response = as_role(client, world, role).post(f"/overeenkomsten/{world.agreement.id}/ter-ondertekening")
    if role in PARTIES:
        assert response.status_code == 302
        assert world.agreement.status == "ter_ondertekening"
    else:
        assert response.status_code == expect(role, set())
        assert world.agreement.status == "concept"


@pytest.mark.parametrize("role", ROLES)
def test_signing_for_the_vmbo_party(client, world, role):
    lifecycle.send_for_signature(world.session, world.agreement, world.vmbo_user)
    party = world.party(world.vmbo)
    response = as_role(client, world, role).post(
        f"/overeenkomsten/{world.agreement.id}/partijen/{party.id}/ondertekenen",
        data={"revision": world.agreement.revision})
    world.session.refresh(party)
    if role == "party_vmbo":
        assert response.status_code == 302 and party.is_signed
        assert party.signed_on_behalf_of == "Stichting Vmbo Test"
    else:  # the mbo coordinator signing for the vmbo party, staff, outsiders: refused
        assert response.status_code == expect(role, set())
        assert not party.is_signed


def test_both_parties_sign_over_http_and_the_agreement_is_getekend(client, world):
    lifecycle.send_for_signature(world.session, world.agreement, world.vmbo_user)
    for user, org in ((world.vmbo_user, world.vmbo), (world.mbo_user, world.mbo)):
        login_as(client, user)
        client.post(f"/overeenkomsten/{world.agreement.id}/partijen/{world.party(org).id}/ondertekenen",
                    data={"revision": world.agreement.revision})
        client.post("/logout")
    world.session.refresh(world.agreement)
    assert world.agreement.status == "getekend"


@pytest.mark.parametrize("role", ROLES)
def test_terminate_only_by_parties(client, world, role):
    world.sign_all()
    response = as_role(client, world, role).post(
        f"/overeenkomsten/{world.agreement.id}/opzeggen",
        data={"terminated_on": "2027-07-31", "termination_reason": "De route stopt."})
    if role in PARTIES:
        assert response.status_code == 302 and world.agreement.status == "opgezegd"
    else:
        assert response.status_code == expect(role, set()) and world.agreement.status == "getekend"


@pytest.mark.parametrize("role", ROLES)
def test_archive_only_by_parties(client, world, role):
    response = as_role(client, world, role).post(f"/overeenkomsten/{world.agreement.id}/archiveren")
    if role in PARTIES:
        assert response.status_code == 302 and world.agreement.archived_at is not None
        assert client.get(f"/overeenkomsten/{world.agreement.id}").status_code == 404
    else:
        assert response.status_code == expect(role, set()) and world.agreement.archived_at is None


@pytest.mark.parametrize("role", ROLES)
def test_restore_only_by_staff(client, world, role):
    lifecycle.archive(world.session, world.agreement, world.vmbo_user)
    world.session.commit()
    response = as_role(client, world, role).post(f"/overeenkomsten/{world.agreement.id}/herstellen")
    if role in ("staff", "admin"):
        assert response.status_code == 302 and world.agreement.archived_at is None
    else:  # an archived agreement does not exist for anybody else
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert world.agreement.archived_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_upload_document_only_by_parties(client, world, role):
    world.sign_all()
    response = as_role(client, world, role).post(
        f"/overeenkomsten/{world.agreement.id}/document",
        data={"document": (io.BytesIO(PDF), "getekend.pdf")}, content_type="multipart/form-data")
    if role in PARTIES:
        assert response.status_code == 302 and world.agreement.document_name == "getekend.pdf"
    else:
        assert response.status_code == expect(role, set()) and world.agreement.document_name is None


@pytest.mark.parametrize("content, message", [
    (b"GIF89a not a pdf", "geen toegestaan type"),
    (b"%PDF-1.4 truncated", "geen volledige PDF"),
])
def test_upload_checks_the_content(client, world, content, message):
    world.sign_all()
    login_as(client, world.vmbo_user)
    response = client.post(f"/overeenkomsten/{world.agreement.id}/document", follow_redirects=True,
                           data={"document": (io.BytesIO(content), "getekend.pdf")}, content_type="multipart/form-data")
    assert message in response.get_data(as_text=True)
    assert world.agreement.document_name is None


def test_upload_over_10_mb_is_refused(client, world):
    world.sign_all()
    login_as(client, world.vmbo_user)
    big = PDF[:-6] + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = client.post(f"/overeenkomsten/{world.agreement.id}/document", follow_redirects=True,
                           data={"document": (io.BytesIO(big), "groot.pdf")}, content_type="multipart/form-data")
    assert "te groot" in response.get_data(as_text=True)
    assert world.agreement.document_name is None


def test_unknown_ids_are_404(client, world):
    login_as(client, world.vmbo_user)
    missing = 987654
    for endpoint, (path, _) in GET_PAGES.items():
        if "{id}" in path:
            assert client.get(path.format(id=missing)).status_code == 404, endpoint
    for endpoint, path in POST_ACTIONS.items():
        assert client.post(path.format(id=missing, party=1)).status_code == 404, endpoint
    assert client.post(f"/overeenkomsten/{world.agreement.id}/partijen/{missing}/ondertekenen").status_code == 404
    assert client.get(f"/overeenkomsten/{world.agreement.id}/document").status_code == 404  # no document yet
    assert client.get(f"/overeenkomsten/{world.agreement.id}/versies?a=1&b=99").status_code == 404


def test_party_of_another_agreement_is_404(client, world, db_session):
    other = make_agreement(world.vmbo_user, world.route, world.mbo)
    login_as(client, world.vmbo_user)
    foreign_party = next(p for p in other.parties if p.organisation_id == world.vmbo.id)
    assert client.post(f"/overeenkomsten/{world.agreement.id}/partijen/{foreign_party.id}/ondertekenen").status_code == 404


def test_archived_agreement_is_gone(client, world, db_session):
    world.agreement.archived_at = world.agreement.created_at
    db_session.flush()
    assert client.get(f"/overeenkomsten/{world.agreement.id}").status_code == 404
    assert world.agreement.title not in client.get("/overeenkomsten/").get_data(as_text=True)
    assert db_session.get(Agreement, world.agreement.id) is not None
