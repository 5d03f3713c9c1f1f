"""Organisations (issue 15): adding partners through the one service (KvK,
kinds, duplicates) and merging two organisations without losing anything."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.models import (
    AgreementParty,
    AuditLog,
    FundingShare,
    Organisation,
    OrganisationMerge,
    RouteParty,
    TransferGuarantee,
    User,
)
from portal.models.practice import practice_organisations
from portal.services.organisations import merge, merge_versions
from portal.services.organisations.duplicates import probable_duplicates
from portal.services.organisations.partners import DuplicateKvk, PartnerInput, SimilarName, create_partner
from tests.factories import make_organisation, make_route, make_user
from tests.factories_agreements import agreement_world
from tests.factories_map import municipality_in
from tests.factories_practices import make_practice


@pytest.fixture
def gemeente(db_session, reference_data):
    return municipality_in("AM38")


def _partner(name="Bakkerij Jansen B.V.", **changes) -> PartnerInput:
    return PartnerInput(**{"name": name, "kind": "employer", **changes})


def test_a_coordinator_adds_an_employer_and_it_is_audited(db_session, gemeente):
    actor = make_user("coordinator")
    org = create_partner(db.session, actor, _partner(kvk_number="1234 5678", municipality_id=gemeente.id,
                                                     website="www.bakkerijjansen.nl"))
    assert (org.kind, org.kvk_number, org.website) == ("employer", "12345678", "https://www.bakkerijjansen.nl")
    assert org.city == gemeente.name and org.is_demo is False
    entry = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "organisation",
                                                     AuditLog.object_id == org.id))
    assert entry.action == "create" and entry.actor_id == actor.id and entry.after["kvk_number"] == "12345678"


@pytest.mark.parametrize("kind", ["vmbo", "mbo"])
def test_schools_and_mbo_institutions_cannot_be_created(db_session, gemeente, kind):
    actor = make_user("staff")
    before = db.session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(ServiceError) as refused:
        create_partner(db.session, actor, _partner("Nieuwe School", kind=kind))
    assert "referentiegegevens" in refused.value.errors["kind"][0]
    assert db.session.scalar(select(func.count(Organisation.id))) == before
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Nieuwe School")) is None


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", "abcdefgh", "12-345678", "١٢٣٤٥٦٧٨"])
def test_a_kvk_number_is_exactly_eight_digits(db_session, gemeente, kvk):
    with pytest.raises(ServiceError) as refused:
        create_partner(db.session, None, _partner(kvk_number=kvk))
    assert refused.value.errors["kvk_number"] == ["Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld "
                                                  "12345678."]


@pytest.mark.parametrize("field,value", [("name", ""), ("name", "  \u200b "), ("website", "geen adres"),
                                         ("website", "javascript:alert(1)"), ("municipality", 987654321)])
def test_bad_input_is_a_field_error_and_nothing_is_saved(db_session, gemeente, field, value):
    data = _partner(**({"municipality_id": value} if field == "municipality" else {field: value}))
    count = db.session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(ServiceError) as refused:
        create_partner(db.session, None, data)
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count(Organisation.id))) == count


def test_the_same_kvk_number_is_refused_with_the_existing_organisation(db_session, gemeente):
    first = create_partner(db.session, None, _partner("Garage Pietersen", kvk_number="87654321"))
    with pytest.raises(DuplicateKvk) as refused:
        create_partner(db.session, None, _partner("Heel Andere Naam", kvk_number="87654321"),
                       confirm_similar=True)
    assert refused.value.existing.id == first.id
    assert "Garage Pietersen" in refused.value.errors["kvk_number"][0]


def test_a_similar_name_in_the_same_gemeente_asks_for_confirmation(db_session, gemeente):
    first = create_partner(db.session, None, _partner("Bakkerij Jansen B.V.", municipality_id=gemeente.id))
    with pytest.raises(SimilarName) as asked:
        create_partner(db.session, None, _partner("bakkerij  Jánsen", municipality_id=gemeente.id))
    assert [o.id for o in asked.value.similar] == [first.id]
    assert asked.value.errors["name"][0].startswith("Bestaat mogelijk al: Bakkerij Jansen B.V.")
    second = create_partner(db.session, None, _partner("bakkerij  Jánsen", municipality_id=gemeente.id),
                            confirm_similar=True)
    assert second.id != first.id


def test_the_same_name_in_another_gemeente_is_no_question(db_session, gemeente):
    other = municipality_in("AM09")
    create_partner(db.session, None, _partner("Bakkerij Jansen", municipality_id=gemeente.id))
    created = create_partner(db.session, None, _partner("Bakkerij Jansen", municipality_id=other.id))
    assert created.municipality_id == other.id


def test_probable_duplicates_groups_hand_made_namesakes_in_one_gemeente(db_session, gemeente):
    a = create_partner(db.session, None, _partner("Installatiebedrijf Vos", municipality_id=gemeente.id))
    b = create_partner(db.session, None, _partner("Installatiebedrijf Vos BV", municipality_id=gemeente.id),
                       confirm_similar=True)
    create_partner(db.session, None, _partner("Installatiebedrijf Vos", municipality_id=municipality_in("AM09").id))
    groups = [[o.id for o in g] for g in probable_duplicates(db.session)]
    assert [a.id, b.id] in groups
    assert not any(len(g) > 2 and a.id in g for g in groups)


# --- merging -------------------------------------------------------------------

def _signed(party: AgreementParty, name: str) -> None:
    party.signed_at = datetime(2026, 9, 1, 10, tzinfo=UTC)
    party.signed_by_name = name
    party.signed_on_behalf_of = "Stichting Dubbel"


@pytest.fixture
def merge_world(db_session, reference_data):
    """The world's mbo institution (kept) and a hand-made copy of it (removed)
    that is a party of the same route and agreement, signed there, holds
    funding shares and a guarantee phase, is the examining organisation, has
    its own route, a coordinator and a practice link."""
    w = agreement_world(db.session)
    kept, agreement, route = w["mbo"], w["agreement"], w["route"]
    removed = make_organisation("mbo", name="ROC Test (dubbel)", kvk_number="11223344")
    route.parties.append(RouteParty(organisation_id=removed.id, role="mbo"))
    own_route = make_route(parties=[(make_organisation("vmbo"), "vmbo"), (removed, "mbo")])
    party = AgreementParty(agreement_id=agreement.id, organisation_id=removed.id, role="mbo",
                           governing_body_name="Stichting Dubbel")
    db.session.add(party)
    db.session.flush()
    _signed(party, "Rita Dubbel")
    kept_party = next(p for p in agreement.parties if p.organisation_id == kept.id)
    for share in db.session.scalars(select(FundingShare).where(FundingShare.party_id == kept_party.id)):
        share.percentage = Decimal("25.00")  # 60 vmbo + 25 kept + 15 removed = 100
        db.session.add(FundingShare(agreement_id=agreement.id, stream=share.stream, school_year=share.school_year,
                                    party_id=party.id, percentage=Decimal("15.00")))
    phase = db.session.scalar(select(TransferGuarantee).where(TransferGuarantee.agreement_id == agreement.id,
                                                              TransferGuarantee.responsible_party_id
                                                              == kept_party.id))
    phase.responsible_party_id = party.id
    agreement.examining_organisation_id = removed.id
    user = make_user("coordinator", organisation=removed)
    practice = make_practice(w["vmbo_user"], organisation_ids=[removed.id, kept.id])
    db.session.flush()
    return dict(w, kept=kept, removed=removed, own_route=own_route, party=party, kept_party=kept_party,
                user=user, practice=practice, phase=phase)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_confirmation_lists_what_moves(merge_world):
    w = merge_world
    plan = merge.merge_plan(db.session, w["kept"].id, w["removed"].id)
    assert plan.counts["route_parties"] == 2 and plan.counts["agreement_parties"] == 1
    assert plan.counts["users"] == 1 and plan.counts["practice_organisations"] == 1
    assert plan.counts["agreements.examining_organisation_id"] == 1
    assert [r.id for r in plan.shared_routes] == [w["route"].id]
    assert [a.id for a in plan.shared_agreements] == [w["agreement"].id]


def test_merging_moves_everything_and_loses_nothing(merge_world):
    w = merge_world
    kept_id, removed_id = w["kept"].id, w["removed"].id
    route_parties, agreement_parties = _count(RouteParty), _count(AgreementParty)
    shares_total = db.session.scalar(select(func.sum(FundingShare.percentage)).where(
        FundingShare.agreement_id == w["agreement"].id))
    actor = make_user("staff")
    users = _count(User)
    merge.merge_organisations(db.session, actor, kept_id, removed_id)

    # nothing points at the removed organisation any more, in any table
    assert all(n == 0 for n in merge.reference_counts(db.session, removed_id).values())
    assert db.session.get(Organisation, removed_id) is None
    # the shared route and agreement keep one party row each; nothing else disappears
    assert _count(RouteParty) == route_parties - 1
    assert _count(AgreementParty) == agreement_parties - 1
    assert _count(User) == users
    assert _count(RouteParty, RouteParty.route_id == w["own_route"].id, RouteParty.organisation_id == kept_id) == 1
    assert _count(RouteParty, RouteParty.route_id == w["route"].id, RouteParty.organisation_id == kept_id) == 1
    # the signature, the shares (still 100 % per year) and the guarantee phase went to the kept party
    kept_party = db.session.get(AgreementParty, w["kept_party"].id)
    assert kept_party.signed_by_name == "Rita Dubbel" and kept_party.signed_at is not None
    assert {s.percentage for s in db.session.scalars(
        select(FundingShare).where(FundingShare.party_id == kept_party.id))} == {Decimal("40.00")}
    assert db.session.scalar(select(func.sum(FundingShare.percentage)).where(
        FundingShare.agreement_id == w["agreement"].id)) == shares_total
    assert db.session.get(TransferGuarantee, w["phase"].id).responsible_party_id == kept_party.id
    assert db.session.get(User, w["user"].id).organisation_id == kept_id
    assert db.session.execute(select(practice_organisations.c.organisation_id).where(
        practice_organisations.c.practice_id == w["practice"].id)).scalars().all() == [kept_id]
    assert w["agreement"].examining_organisation_id == kept_id
    # the KvK number of the removed one now belongs to the kept one; old links lead there
    assert db.session.get(Organisation, kept_id).kvk_number == "11223344"
    assert db.session.get(OrganisationMerge, removed_id).kept_id == kept_id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "merge", AuditLog.object_id == kept_id))
    assert entry.actor_id == actor.id and entry.before["removed"]["name"] == "ROC Test (dubbel)"
    assert entry.before["links"]["route_parties"] == 2


def test_a_signed_kept_party_keeps_its_own_signature(merge_world):
    w = merge_world
    _signed(w["kept_party"], "Karel Blijft")
    db.session.flush()
    merge.merge_organisations(db.session, None, w["kept"].id, w["removed"].id)
    assert db.session.get(AgreementParty, w["kept_party"].id).signed_by_name == "Karel Blijft"


@pytest.mark.parametrize("case", ["same", "kinds", "reference", "missing"])
def test_merges_that_make_no_sense_are_refused(db_session, reference_data, case):
    a = make_organisation("employer")
    b = {"same": a, "kinds": make_organisation("other"), "reference": make_organisation("employer", brin="99ZZ"),
         "missing": None}[case]
    with pytest.raises(ServiceError):
        merge.merge_organisations(db.session, None, a.id, b.id if b is not None else 987654)
    assert db.session.get(Organisation, a.id) is not None


def test_every_foreign_key_to_organisations_is_known_to_the_merge():
    """A new table pointing at organisations is moved generically; the
    control: the known ones are all found."""
    found = set(merge.organisation_foreign_keys())
    assert {("route_parties", "organisation_id"), ("agreement_parties", "organisation_id"),
            ("users", "organisation_id"), ("agreements", "examining_organisation_id"),
            ("practice_organisations", "organisation_id")} <= found


def test_a_kvk_number_taken_between_the_check_and_the_insert_is_the_duplicate_answer(db_session, gemeente,
                                                                                    monkeypatch):
    """The race: another request inserted the number after this one looked.
    The database's unique constraint catches it and the answer is the same
    DuplicateKvk, not a server error (control: the look-up is skipped)."""
    first = create_partner(db.session, None, _partner("Racebedrijf Een", kvk_number="99887766"))
    real_scalar = db.session.scalar
    calls = {"n": 0}

    def blind_first_lookup(statement, *args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", blind_first_lookup)
    with pytest.raises(DuplicateKvk) as refused:
        create_partner(db.session, None, _partner("Racebedrijf Twee", kvk_number="99887766"))
    monkeypatch.undo()
    assert refused.value.existing.id == first.id
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.kvk_number == "99887766")) == 1


# --- merging: a new version of everything it touches ---------------------------------

def test_a_merge_gives_every_touched_route_agreement_and_practice_a_new_version(merge_world):
    """Each object that pointed at the removed organisation gets a new
    version_id and an audit entry of its own with that version and the party
    change; the agreement's text revision, its signatures and its version
    rows stay (no addendum). The control: a route of neither organisation
    keeps its version."""
    w = merge_world
    agreement, route, own_route, practice = w["agreement"], w["route"], w["own_route"], w["practice"]
    bystander = make_route()
    before = {"route": route.version_id, "own_route": own_route.version_id, "agreement": agreement.version_id,
              "practice": practice.version_id, "bystander": bystander.version_id}
    revision, status = agreement.revision, agreement.status
    versions = len(agreement.versions)
    actor = make_user("staff")
    merge.merge_organisations(db.session, actor, w["kept"].id, w["removed"].id)

    assert route.version_id > before["route"] and own_route.version_id > before["own_route"]
    assert agreement.version_id > before["agreement"] and practice.version_id > before["practice"]
    assert bystander.version_id == before["bystander"]
    assert (agreement.revision, agreement.status, len(agreement.versions)) == (revision, status, versions)
    kept_party = db.session.get(AgreementParty, w["kept_party"].id)
    assert kept_party.signed_at.replace(tzinfo=None) == datetime(2026, 9, 1, 10)
    assert (kept_party.signed_by_name, kept_party.signed_on_behalf_of) == ("Rita Dubbel", "Stichting Dubbel")

    def entry(obj_type, obj_id):
        return db.session.scalar(select(AuditLog).where(
            AuditLog.object_type == obj_type, AuditLog.object_id == obj_id,
            AuditLog.action == merge_versions.ACTION))

    own = entry("learning_route", own_route.id)
    assert own.actor_id == actor.id and own.after["version_id"] == own_route.version_id
    assert own.before["mbo_parties"] == ["ROC Test (dubbel)"] and own.after["mbo_parties"] == [w["kept"].name]
    assert entry("learning_route", route.id).after["version_id"] == route.version_id
    agreed = entry("agreement", agreement.id)
    assert agreed.after["version_id"] == agreement.version_id
    assert any("ROC Test (dubbel)" in line for line in agreed.before["parties"])
    assert not any("ROC Test (dubbel)" in line for line in agreed.after["parties"])
    assert entry("good_practice", practice.id).after["version_id"] == practice.version_id
    assert entry("learning_route", bystander.id) is None


def test_a_route_edit_opened_before_a_merge_is_refused_after_it(merge_world):
    from portal.services.learning_routes import operations as routes
    from portal.services.learning_routes.snapshots import route_input_from

    w = merge_world
    route = w["own_route"]
    opened, data = route.version_id, route_input_from(route)  # still names the removed organisation
    merge.merge_organisations(db.session, make_user("staff", name="Sam Samenvoeger"), w["kept"].id, w["removed"].id)
    with pytest.raises(ConflictError) as refused:
        routes.update_route(db.session, route, data, make_user("staff"), expected_version=opened)
    assert "Sam Samenvoeger heeft deze leerroute gewijzigd nadat jij het formulier opende" in \
        refused.value.errors["__all__"][0]
    assert [(c["label"], c["before"], c["after"]) for c in refused.value.changes] == [
        ("Mbo-partijen", "ROC Test (dubbel)", w["kept"].name)]
    assert [p.organisation_id for p in route.parties if p.role == "mbo"] == [w["kept"].id]
