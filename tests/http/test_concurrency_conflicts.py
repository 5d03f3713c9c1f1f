"""What a user sees when a write loses a race, through the real views:

- a save whose version compare-and-set at flush matches no row (another
  request bumped the version between this request's load and its flush:
  SQLAlchemy's StaleDataError) gets the Dutch conflict page with the input
  kept and nothing saved, not a 500 (issue 14);
- a party that signs again is told "al getekend", with one audit entry;
- the signed PDF cannot be replaced within its signed version, and a refused
  upload leaves no file behind; after an addendum the old document stays
  with the old version and the new version gets its own.
"""
from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select, update

from portal.core.uploads import upload_dir
from portal.extensions import db
from portal.models import AuditLog, GoodPractice
from portal.models.agreement import Agreement
from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import CLAUSES, agreement_world
from tests.factories_practices import make_practice

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(db_session):
    return agreement_world(db_session)


@contextmanager
def version_bumped_before_the_flush(model):
    """Another request's commit between this request's load (and lock) and
    its flush: the first flush of the request first bumps version_id of every
    `model` row in SQL, so the ORM's UPDATE ... WHERE version_id = :old
    matches no row."""
    table = model.__table__
    done: list[bool] = []

    def bump(session, _flush_context, _instances):
        if not done:
            done.append(True)
            session.connection().execute(update(table).values(version_id=table.c.version_id + 1))

    event.listen(db.session, "before_flush", bump)
    try:
        yield done
    finally:
        event.remove(db.session, "before_flush", bump)


def _edit_data(world, **changes):
    agreement = world["agreement"]
    data = {"version_id": str(agreement.version_id), "title": agreement.title,
            "route_ids": [str(world["route"].id)], "start_date": "2026-08-01", "end_date": "2030-07-31",
            "team_qualification": "ja", "examining_organisation_id": str(world["mbo"].id),
            **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}}
    data.update(changes)
    return data


def test_an_agreement_edit_that_loses_at_the_flush_gets_the_conflict_page(client, world):
    agreement = world["agreement"]
    title = agreement.title
    login_as(client, world["vmbo_user"])
    with version_bumped_before_the_flush(Agreement) as bumped:
        response = client.post(f"/overeenkomsten/{agreement.id}/bewerken",
                               data=_edit_data(world, title="Mijn titel na de ander"))
    assert bumped, "the flush was never reached: the test provoked nothing"
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Iemand anders heeft dit intussen gewijzigd" in html
    assert 'value="Mijn titel na de ander"' in html  # the input is kept
    stored = world["session"].scalar(select(Agreement.__table__.c.title)
                                     .where(Agreement.__table__.c.id == agreement.id))
    assert stored == title  # nothing saved


def test_the_same_edit_without_the_race_is_saved(client, world):
    """The control: the same post without the bump is stored."""
    agreement = world["agreement"]
    login_as(client, world["vmbo_user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken",
                           data=_edit_data(world, title="Mijn titel na de ander"))
    assert response.status_code == 302
    assert world["session"].scalar(select(Agreement.__table__.c.title)
                                   .where(Agreement.__table__.c.id == agreement.id)) == "Mijn titel na de ander"


def test_a_funding_save_that_loses_at_the_flush_gets_the_conflict(client, world):
    agreement = world["agreement"]
    v, m = (next(p for p in agreement.parties if p.role == role) for role in ("vmbo", "mbo"))
    data = {"version_id": str(agreement.version_id), "action": "save", "share-rows": ["0", "1"]}
    for i, (party, pct) in enumerate(((v, "55"), (m, "45"))):
        data.update({f"share-{i}-stream": "lumpsum_vo", f"share-{i}-school_year": "2026-2027",
                     f"share-{i}-party_id": str(party.id), f"share-{i}-percentage": pct})
    login_as(client, world["vmbo_user"])
    with version_bumped_before_the_flush(Agreement) as bumped:
        response = client.post(f"/overeenkomsten/{agreement.id}/financiering", data=data)
    assert bumped
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Iemand anders heeft dit intussen gewijzigd" in html
    assert 'value="55"' in html


def test_a_practice_edit_that_loses_at_the_flush_gets_the_conflict_page(client, db_session):
    author = make_user("coordinator")
    practice = make_practice(author, status="concept", title="Oude titel")
    login_as(client, author)
    data = {"version_id": str(practice.version_id), "title": "Nieuwe titel", "summary": practice.summary,
            "body": practice.body, "themes": ["lob"]}
    with version_bumped_before_the_flush(GoodPractice) as bumped:
        response = client.post(f"/bibliotheek/{practice.id}/bewerken", data=data)
    assert bumped
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Iemand anders heeft dit intussen gewijzigd" in html
    assert 'value="Nieuwe titel"' in html
    assert db_session.scalar(select(GoodPractice.__table__.c.title)
                             .where(GoodPractice.__table__.c.id == practice.id)) == "Oude titel"


# --- signing twice ------------------------------------------------------------

def test_signing_again_says_al_getekend_with_one_audit_entry(client, world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(world["session"], agreement, world["vmbo_user"])
    party = next(p for p in agreement.parties if p.role == "vmbo")
    login_as(client, world["vmbo_user"])
    url = f"/overeenkomsten/{agreement.id}/partijen/{party.id}/ondertekenen"
    first = client.post(url, data={"revision": agreement.revision}, follow_redirects=True)
    assert "Je hebt getekend namens" in first.get_data(as_text=True)
    signed_at = world["session"].scalar(select(func.min(AuditLog.id)))  # something to compare against below
    again = client.post(url, data={"revision": agreement.revision}, follow_redirects=True).get_data(as_text=True)
    assert "Deze partij heeft al getekend." in again
    entries = world["session"].scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.object_type == "agreement", AuditLog.object_id == agreement.id, AuditLog.action == "sign"))
    assert entries == 1 and signed_at is not None


# --- the signed document ------------------------------------------------------

def _stored_files() -> set[str]:
    return {p.name for p in upload_dir().iterdir()}


def _upload(client, agreement, name="getekend.pdf"):
    return client.post(f"/overeenkomsten/{agreement.id}/document", content_type="multipart/form-data",
                       data={"document": (io.BytesIO(PDF), name)}, follow_redirects=True)


def _sign_all(world):
    agreement = world["agreement"]
    if agreement.status == "concept":
        lifecycle.send_for_signature(world["session"], agreement, world["vmbo_user"])
    for role, user in (("vmbo", world["vmbo_user"]), ("mbo", world["mbo_user"])):
        lifecycle.sign(world["session"], agreement, next(p for p in agreement.parties if p.role == role), user)
    assert agreement.status == "getekend"


def test_the_signed_document_cannot_be_replaced_and_a_refused_upload_leaves_no_file(client, world):
    agreement = world["agreement"]
    _sign_all(world)
    login_as(client, world["vmbo_user"])
    assert "Het getekende document is opgeslagen." in _upload(client, agreement).get_data(as_text=True)
    first = (agreement.document_stored_name, agreement.document_sha256)
    files = _stored_files()
    assert first[0] in files
    login_as(client, world["mbo_user"])  # any single party
    html = _upload(client, agreement, "vervanging.pdf").get_data(as_text=True)
    assert ("Het getekende document hoort bij de getekende versie; maak een addendum om het te vervangen."
            in html)
    world["session"].refresh(agreement)
    assert (agreement.document_stored_name, agreement.document_sha256) == first
    assert agreement.document_name == "getekend.pdf" and agreement.status == "getekend"
    assert _stored_files() == files  # no new file, none orphaned


def test_after_an_addendum_the_old_document_stays_with_its_version_and_the_new_one_is_uploaded(client, world):
    agreement = world["agreement"]
    _sign_all(world)
    login_as(client, world["vmbo_user"])
    _upload(client, agreement)
    old_file = agreement.document_stored_name
    response = client.post(f"/overeenkomsten/{agreement.id}/bewerken",
                           data=_edit_data(world, complaints_procedure="Een gezamenlijke klachtencommissie."))
    assert response.status_code == 302
    world["session"].refresh(agreement)
    assert agreement.revision == 2 and agreement.document_stored_name is None
    old_version = next(v for v in agreement.versions if v.number == 1)
    assert old_file in old_version.snapshot["document"]  # a row still points at the old file
    html = _upload(client, agreement).get_data(as_text=True)
    assert "nadat alle partijen hebben getekend" in html  # the new version is not signed yet
    _sign_all(world)
    assert "Het getekende document is opgeslagen." in _upload(client, agreement, "addendum.pdf").get_data(
        as_text=True)
    world["session"].refresh(agreement)
    assert agreement.document_name == "addendum.pdf" and agreement.document_stored_name != old_file
    assert {old_file, agreement.document_stored_name} <= _stored_files()
    diff = client.get(f"/overeenkomsten/{agreement.id}/versies?a=1&b=2").get_data(as_text=True)
    assert "Getekend document" in diff
