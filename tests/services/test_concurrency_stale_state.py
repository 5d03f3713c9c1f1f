"""Every write to an agreement, a route or a practice decides on the state
of the database as of its lock, not on the copy the request loaded earlier.

The race is reproduced on one connection (SQLite and PostgreSQL alike):
the request has loaded the aggregate (with its parties, funding rows, ...),
then "another request" commits a change to the same rows with plain SQL
that the request's session does not see. Each test first asserts that the
session's copy is indeed stale (the control: a check against that copy, as
the writes made before the lock, lets the write through), and then that the
write refuses on the current state: a ConflictError when the form was opened
at an older version, "al getekend" for a second signature, "getekend" once
the other party's signature is there.

The same races with two real connections, blocking on the lock:
test_concurrency_pg_races.py (PostgreSQL).
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from portal.core.errors import ConflictError, ServiceError
from portal.models import AuditLog, GoodPractice, LearningRoute
from portal.models.agreement import Agreement, AgreementParty, FundingShare
from portal.models.base import aware
from portal.services.agreements import funding, lifecycle, operations
from portal.services.learning_routes import operations as route_service
from portal.services.practices import operations as practice_service
from tests.factories import make_user
from tests.factories_agreements import CLAUSES, agreement_world
from tests.factories_practices import make_practice, practice_data
from tests.factories_routes import route_data

SIGNED_AT = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(db_session):
    return agreement_world(db_session)


def party(agreement, org):
    return next(p for p in agreement.parties if p.organisation_id == org.id)


def behind_the_back(session, table, where, **values):
    """Another request's committed change: plain SQL on the table, which the
    session's identity map does not notice."""
    session.execute(update(table).where(where).values(**values))


def other_saved(session, agreement: Agreement) -> None:
    """Another coordinator saved the funding split (70/30) from the same form:
    new rows and a new version of the agreement."""
    shares = FundingShare.__table__
    for share in agreement.funding_shares:
        behind_the_back(session, shares, shares.c.id == share.id,
                        percentage=Decimal("70.00") if share.position == 0 else Decimal("30.00"))
    table = Agreement.__table__
    behind_the_back(session, table, table.c.id == agreement.id, version_id=table.c.version_id + 1)


def stored_split(session, agreement_id: int) -> list[Decimal]:
    """The split of the first school year (the factory funds every year of the period)."""
    return [Decimal(p) for p in session.scalars(
        select(FundingShare.percentage).where(FundingShare.agreement_id == agreement_id,
                                              FundingShare.school_year == "2026-2027")
        .order_by(FundingShare.position))]


def current_version(session, model, object_id: int) -> int:
    return session.scalar(select(model.__table__.c.version_id).where(model.__table__.c.id == object_id))


def _funding(w, version):
    a = w["agreement"]
    v, m = party(a, w["vmbo"]), party(a, w["mbo"])
    return funding.set_funding(w["session"], a, [
        dict(stream="lumpsum_vo", school_year="2026-2027", party_id=v.id, percentage=Decimal("50")),
        dict(stream="lumpsum_vo", school_year="2026-2027", party_id=m.id, percentage=Decimal("50")),
    ], [], w["vmbo_user"], expected_version=version)


def _guarantee(w, version):
    a = w["agreement"]
    return funding.set_guarantee(w["session"], a, 24, [
        dict(from_month=1, to_month=24, destination="mbo2", responsible_party_id=party(a, w["mbo"]).id,
             max_wait_days=3, description="Alles in het mbo"),
    ], w["vmbo_user"], expected_version=version)


def _parties(w, version):
    a = w["agreement"]
    rows = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name="Nieuw bestuur")
            for p in a.parties]
    return operations.set_parties(w["session"], a, rows, w["vmbo_user"], expected_version=version)


def _clauses(w, version):
    a = w["agreement"]
    data = dict(CLAUSES, title="Nieuwe titel", start_date=a.start_date, end_date=a.end_date,
                route_ids=[w["route"].id], examining_organisation_id=w["mbo"].id)
    return operations.update_agreement(w["session"], a, data, w["vmbo_user"], expected_version=version)


AGREEMENT_WRITES = {"funding": _funding, "guarantee": _guarantee, "parties": _parties, "clauses": _clauses}


@pytest.mark.parametrize("write", sorted(AGREEMENT_WRITES))
def test_an_agreement_write_from_an_older_version_conflicts_on_the_current_state(world, write):
    """Two coordinators opened the same editor; the other saved first. This
    save (its form at the old version) is a conflict, and the other's rows
    stay as they are: never 200 %, never a silent merge."""
    session, agreement = world["session"], world["agreement"]
    opened_at = agreement.version_id
    assert stored_split(session, agreement.id) == [Decimal("60.00"), Decimal("40.00")]
    other_saved(session, agreement)
    # The control: the request's own copy still says "nobody saved since".
    assert agreement.version_id == opened_at
    assert [Decimal(s.percentage) for s in agreement.funding_shares
            if s.school_year == "2026-2027"] == [Decimal("60.00"), Decimal("40.00")]
    with pytest.raises(ConflictError) as raised:
        AGREEMENT_WRITES[write](world, opened_at)
    assert raised.value.current_version == opened_at + 1
    assert stored_split(session, agreement.id) == [Decimal("70.00"), Decimal("30.00")]
    assert current_version(session, Agreement, agreement.id) == opened_at + 1


@pytest.mark.parametrize("write", sorted(AGREEMENT_WRITES))
def test_the_same_write_from_the_current_version_goes_through(world, write):
    """The other half: the lock does not refuse a write from the current version."""
    agreement = world["agreement"]
    assert AGREEMENT_WRITES[write](world, agreement.version_id) is True


def _send(w):
    lifecycle.send_for_signature(w["session"], w["agreement"], w["vmbo_user"])


def _sign_behind_the_back(w, org):
    table = AgreementParty.__table__
    behind_the_back(w["session"], table, table.c.id == party(w["agreement"], org).id, signed_at=SIGNED_AT,
                    signed_by_name="Ander verzoek", signed_on_behalf_of="Stichting")


def sign_entries(session, agreement_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.object_type == "agreement", AuditLog.object_id == agreement_id, AuditLog.action == "sign"))


def test_two_parties_signing_at_once_make_the_agreement_getekend(world):
    """The vmbo party's signature was committed by another request after this
    one loaded the parties; the mbo party's signature then completes it."""
    _send(world)
    agreement = world["agreement"]
    _sign_behind_the_back(world, world["vmbo"])
    assert not party(agreement, world["vmbo"]).is_signed  # the control: the stale copy
    lifecycle.sign(world["session"], agreement, party(agreement, world["mbo"]), world["mbo_user"])
    assert agreement.status == "getekend" and agreement.signed_at is not None
    world["session"].flush()
    assert world["session"].scalar(select(Agreement.__table__.c.status)
                                   .where(Agreement.__table__.c.id == agreement.id)) == "getekend"


def test_a_party_signs_once_even_when_its_first_signature_is_not_yet_seen(world):
    """Parallel signs by one party: the first one's signature (committed by
    another request) is there; this one is refused, its signed_at kept."""
    _send(world)
    agreement, vmbo_party = world["agreement"], party(world["agreement"], world["vmbo"])
    _sign_behind_the_back(world, world["vmbo"])
    assert not vmbo_party.is_signed  # the control: the stale copy would sign again
    with pytest.raises(ServiceError, match="Deze partij heeft al getekend."):
        lifecycle.sign(world["session"], agreement, vmbo_party, world["vmbo_user"])
    stored = world["session"].scalar(select(AgreementParty.__table__.c.signed_at)
                                     .where(AgreementParty.__table__.c.id == vmbo_party.id))
    assert aware(stored) == SIGNED_AT
    assert sign_entries(world["session"], agreement.id) == 0  # only the other request's own (not audited here)


def test_a_repeated_sign_is_refused_with_one_audit_entry_and_the_first_time_kept(world):
    _send(world)
    session, agreement, vmbo_party = world["session"], world["agreement"], party(world["agreement"], world["vmbo"])
    lifecycle.sign(session, agreement, vmbo_party, world["vmbo_user"])
    first = aware(vmbo_party.signed_at)
    for _ in range(3):
        with pytest.raises(ServiceError, match="Deze partij heeft al getekend."):
            lifecycle.sign(session, agreement, vmbo_party, world["vmbo_user"])
    assert sign_entries(session, agreement.id) == 1
    assert aware(vmbo_party.signed_at) == first and agreement.status == "ter_ondertekening"
    # After the last party signed, a repeat says the same (not "niet ter ondertekening").
    lifecycle.sign(session, agreement, party(agreement, world["mbo"]), world["mbo_user"])
    with pytest.raises(ServiceError, match="Deze partij heeft al getekend."):
        lifecycle.sign(session, agreement, vmbo_party, world["vmbo_user"])
    assert sign_entries(session, agreement.id) == 2 and agreement.status == "getekend"


def test_a_party_removed_by_another_save_cannot_sign(world, db_session):
    """The parties editor removed a party after this request loaded it."""
    from tests.factories import make_organisation
    employer = make_organisation("employer", governing_body_name="Bedrijf BV")
    employer_user = make_user("coordinator", organisation=employer)
    agreement = world["agreement"]
    operations.set_parties(db_session, agreement, [
        dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name)
        for p in agreement.parties] + [dict(organisation_id=employer.id, role="employer",
                                            governing_body_name="Bedrijf BV")], world["vmbo_user"])
    _send(world)
    employer_party = party(agreement, employer)
    db_session.execute(AgreementParty.__table__.delete().where(AgreementParty.__table__.c.id == employer_party.id))
    with pytest.raises(ServiceError, match="Deze partij hoort niet bij deze overeenkomst."):
        lifecycle.sign(db_session, agreement, employer_party, employer_user)
    assert employer_party not in agreement.parties


def test_status_changes_decide_on_the_current_status(world):
    """Terminated by another request after this one loaded the agreement:
    terminating or archiving again is refused on the current status."""
    session, agreement = world["session"], world["agreement"]
    _send(world)
    table = Agreement.__table__
    behind_the_back(session, table, table.c.id == agreement.id, status="opgezegd",
                    version_id=table.c.version_id + 1)
    assert agreement.status == "ter_ondertekening"  # the control
    with pytest.raises(ServiceError, match="Alleen een getekende"):
        lifecycle.terminate(session, agreement, agreement.start_date, "Nog een keer", world["vmbo_user"])
    behind_the_back(session, table, table.c.id == agreement.id, archived_at=SIGNED_AT,
                    version_id=table.c.version_id + 1)
    with pytest.raises(ServiceError, match="al gearchiveerd"):
        lifecycle.archive(session, agreement, world["vmbo_user"])


def test_a_second_document_upload_is_refused_on_the_current_state(world):
    """Both parties uploaded the signed PDF at the same moment: the second
    sees the first's document and is refused before its file is stored."""
    from portal.core.uploads import StoredFile
    _send(world)
    session, agreement = world["session"], world["agreement"]
    for org, user in ((world["vmbo"], world["vmbo_user"]), (world["mbo"], world["mbo_user"])):
        lifecycle.sign(session, agreement, party(agreement, org), user)
    table = Agreement.__table__
    behind_the_back(session, table, table.c.id == agreement.id, document_stored_name="b" * 32 + ".pdf",
                    document_name="eerste.pdf", version_id=table.c.version_id + 1)
    assert agreement.document_stored_name is None  # the control
    stored: list[str] = []

    def store():
        stored.append("called")
        return StoredFile("c" * 32 + ".pdf", "tweede.pdf", "application/pdf", 10, "0" * 64)

    with pytest.raises(ServiceError, match="Het getekende document hoort bij de getekende versie"):
        lifecycle.attach_document(session, agreement, store, world["mbo_user"])
    assert stored == []


# --- routes and practices ----------------------------------------------------

def test_a_route_edit_from_an_older_version_conflicts(db_session):
    from tests.factories_routes import RouteWorld
    routes = RouteWorld()
    route = route_service.register_route(db_session, route_data(routes.school, routes.roc), routes.coordinator)
    opened_at = route.version_id
    table = LearningRoute.__table__
    behind_the_back(db_session, table, table.c.id == route.id, title="Door de ander",
                    version_id=table.c.version_id + 1)
    assert route.version_id == opened_at and route.title == "GLR Zorg"  # the control
    with pytest.raises(ConflictError):
        route_service.update_route(db_session, route, route_data(routes.school, routes.roc, title="Van mij"),
                                   routes.coordinator, expected_version=opened_at)
    assert db_session.scalar(select(table.c.title).where(table.c.id == route.id)) == "Door de ander"


def test_a_practice_edit_or_publication_from_an_older_version_conflicts(db_session):
    author, staff = make_user("coordinator"), make_user("staff")
    practice = make_practice(author, status="ingediend")
    opened_at = practice.version_id
    table = GoodPractice.__table__
    behind_the_back(db_session, table, table.c.id == practice.id, title="Door de ander",
                    version_id=table.c.version_id + 1)
    assert practice.version_id == opened_at  # the control
    with pytest.raises(ConflictError):
        practice_service.update_practice(db_session, practice, practice_data(title="Van mij"), author,
                                         expected_version=opened_at)
    with pytest.raises(ConflictError):
        practice_service.publish_practice(db_session, practice, staff, expected_version=opened_at)
    assert db_session.scalar(select(table.c.title).where(table.c.id == practice.id)) == "Door de ander"
    assert db_session.scalar(select(table.c.status).where(table.c.id == practice.id)) == "ingediend"


def test_archiving_twice_at_once_is_refused_on_the_current_state(db_session):
    """A route and a practice archived by another request meanwhile."""
    from tests.factories_routes import RouteWorld
    routes = RouteWorld()
    route = route_service.register_route(db_session, route_data(routes.school, routes.roc), routes.coordinator)
    practice = make_practice(routes.coordinator, status="concept")
    for model, obj in ((LearningRoute, route), (GoodPractice, practice)):
        table = model.__table__
        behind_the_back(db_session, table, table.c.id == obj.id, archived_at=SIGNED_AT,
                        version_id=table.c.version_id + 1)
        assert obj.archived_at is None  # the control
    with pytest.raises(ServiceError, match="al gearchiveerd"):
        route_service.archive_route(db_session, route, routes.coordinator)
    with pytest.raises(ServiceError, match="al gearchiveerd"):
        practice_service.archive_practice(db_session, practice, routes.coordinator)


@pytest.mark.parametrize("missing", ["signed_by_name", "signed_on_behalf_of"])
def test_the_database_keeps_a_signature_whole(world, missing):
    """CHECK ck_agreement_parties_signature: when, by whom and on behalf of
    whom are set together (SQLite and PostgreSQL)."""
    from sqlalchemy.exc import IntegrityError
    session, table = world["session"], AgreementParty.__table__
    values = dict(signed_at=SIGNED_AT, signed_by_name="Iemand", signed_on_behalf_of="Stichting")
    values[missing] = None
    with pytest.raises(IntegrityError), session.begin_nested():
        behind_the_back(session, table, table.c.id == party(world["agreement"], world["vmbo"]).id, **values)
    with session.begin_nested():  # the control: the whole signature is accepted
        behind_the_back(session, table, table.c.id == party(world["agreement"], world["vmbo"]).id,
                        **dict(values, **{missing: "Ingevuld"}))
