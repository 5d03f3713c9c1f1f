"""Agreement use cases against a real database (rolled back per test)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.errors import ConflictError, ServiceError
from portal.models import AuditLog
from portal.models.agreement import FundingShare
from portal.services.agreements import funding, lifecycle, operations, queries
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement, make_parties_and_route


@pytest.fixture
def setup(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    return dict(vmbo=vmbo, mbo=mbo, route=route, vmbo_user=vmbo_user, mbo_user=mbo_user, agreement=agreement)


def party(agreement, org):
    return next(p for p in agreement.parties if p.organisation_id == org.id)



def test_create_takes_the_route_parties_and_their_bevoegd_gezag(setup):
    a = setup["agreement"]
    assert {(p.organisation_id, p.role, p.governing_body_name) for p in a.parties} == {
        (setup["vmbo"].id, "vmbo", "Stichting Vmbo Test"), (setup["mbo"].id, "mbo", "Stichting ROC Test")}
    assert a.status == "concept" and a.is_internal is False and a.revision == 1
    assert [v.number for v in a.versions] == [1]
    assert queries.checklist(a) and all(i.ok for i in queries.checklist(a))


def test_same_bevoegd_gezag_on_both_sides_is_an_interne_regeling(db_session):
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route(same_body=True)
    assert make_agreement(vmbo_user, route, mbo).is_internal is True


def test_end_date_must_be_after_start_and_a_route_is_required(db_session):
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route()
    with pytest.raises(ServiceError) as exc:
        make_agreement(vmbo_user, route, mbo, complete=False, end_date=date(2026, 8, 1), route_ids=[])
    assert "end_date" in exc.value.errors and "route_ids" in exc.value.errors


def test_database_refuses_end_before_start_and_share_over_100(setup, db_session):
    from sqlalchemy.exc import IntegrityError
    a = setup["agreement"]
    with db_session.begin_nested():
        a.end_date = a.start_date
        with pytest.raises(IntegrityError):
            db_session.flush()
    db_session.refresh(a)
    with db_session.begin_nested():
        db_session.add(FundingShare(agreement_id=a.id, stream="rijksbijdrage_mbo", school_year="2026-2027",
                                    party_id=a.parties[0].id, percentage=Decimal("100.01")))
        with pytest.raises(IntegrityError):
            db_session.flush()


def test_coordinator_cannot_cover_another_organisations_route(db_session):
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route()
    outsider = make_user("coordinator")
    with pytest.raises(ServiceError) as exc:
        make_agreement(outsider, route, mbo, complete=False)
    assert "route_ids" in exc.value.errors


def test_shares_are_decimal_and_must_add_up(setup, db_session):
    a = setup["agreement"]
    db_session.expire_all()
    share = db_session.scalars(select(FundingShare).where(FundingShare.agreement_id == a.id)).first()
    assert isinstance(share.percentage, Decimal) and share.percentage == Decimal("60.00")
    v, m = party(a, setup["vmbo"]), party(a, setup["mbo"])
    with pytest.raises(ServiceError) as exc:
        funding.set_funding(db_session, a, [
            dict(stream="lumpsum_vo", school_year="2026-2027", party_id=v.id, percentage=Decimal("60")),
            dict(stream="lumpsum_vo", school_year="2026-2027", party_id=m.id, percentage=Decimal("39")),
        ], [], setup["vmbo_user"])
    assert list(exc.value.errors) == ["share-1"]
    assert "99,00 %" in exc.value.errors["share-1"][0]


def test_allocation_and_transfer_follow_the_effort(setup):
    (alloc,) = queries.allocations(setup["agreement"])
    v, m = party(setup["agreement"], setup["vmbo"]), party(setup["agreement"], setup["mbo"])
    assert alloc["amounts"] == {v.id: Decimal("6000.00"), m.id: Decimal("4000.00")}
    (transfer,) = alloc["transfers"]
    assert (transfer.from_party, transfer.to_party, transfer.amount) == (v.id, m.id, Decimal("4000.00"))


def test_guarantee_with_a_gap_is_rejected_at_the_phase(setup, db_session):
    a = setup["agreement"]
    v = party(a, setup["vmbo"])
    with pytest.raises(ServiceError) as exc:
        funding.set_guarantee(db_session, a, 48, [
            dict(from_month=1, to_month=12, destination="vmbo_bb", responsible_party_id=v.id, max_wait_days=5),
            dict(from_month=15, to_month=48, destination="mbo2", responsible_party_id=v.id, max_wait_days=5),
        ], setup["vmbo_user"])
    assert "gat tussen de fasen" in exc.value.errors["phase-1"][0]


def test_incomplete_agreement_cannot_be_sent(db_session):
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route()
    a = make_agreement(vmbo_user, route, mbo, complete=False)
    with pytest.raises(ServiceError) as exc:
        lifecycle.send_for_signature(db_session, a, vmbo_user)
    assert any("Klachtenregeling" in m for m in exc.value.errors["__all__"])
    assert a.status == "concept"


def test_sign_flow_each_party_for_itself_then_getekend(setup, db_session):
    a, vu, mu = setup["agreement"], setup["vmbo_user"], setup["mbo_user"]
    lifecycle.send_for_signature(db_session, a, vu)
    assert a.status == "ter_ondertekening"
    with pytest.raises(ServiceError):
        lifecycle.sign(db_session, a, party(a, setup["mbo"]), vu)  # not your party
    lifecycle.sign(db_session, a, party(a, setup["vmbo"]), vu)
    assert a.status == "ter_ondertekening"
    with pytest.raises(ServiceError):
        lifecycle.sign(db_session, a, party(a, setup["vmbo"]), vu)  # twice
    lifecycle.sign(db_session, a, party(a, setup["mbo"]), mu)
    assert a.status == "getekend" and a.signed_at is not None
    p = party(a, setup["mbo"])
    assert (p.signed_by_id, p.signed_on_behalf_of) == (mu.id, "Stichting ROC Test")
    assert "getekend door" in a.versions[-1].snapshot["signatures"][0]
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.object_type == "agreement",
                                                               AuditLog.object_id == a.id)).all()
    assert actions.count("sign") == 2 and "send" in actions


def test_change_after_a_signature_creates_an_addendum_and_clears_signatures(setup, db_session):
    a, vu, mu = setup["agreement"], setup["vmbo_user"], setup["mbo_user"]
    lifecycle.send_for_signature(db_session, a, vu)
    lifecycle.sign(db_session, a, party(a, setup["vmbo"]), vu)
    lifecycle.sign(db_session, a, party(a, setup["mbo"]), mu)
    data = dict(title=a.title, start_date=a.start_date, end_date=a.end_date, route_ids=[setup["route"].id],
                participation="Nieuwe afspraak over medezeggenschap.")
    # Saving without a change does nothing.
    assert operations.update_agreement(db_session, a, {**data, "participation": a.participation}, mu) is False
    assert a.revision == 1 and a.status == "getekend"
    assert operations.update_agreement(db_session, a, data, mu) == "addendum"
    # A draft addendum beside version 1, which stays in force (issue 20 §1).
    assert a.revision == 2 and a.status == "concept" and a.in_force_revision == 1 and a.signed_at is not None
    assert not any(p.is_signed for p in a.parties)
    assert [v.number for v in a.versions] == [1, 2]
    assert a.versions[0].snapshot["signatures"] and not a.versions[1].snapshot["signatures"]
    diff = queries.version_diff(a, 1, 2)
    entry = next(d for d in diff if d.key == "participation")
    assert entry.after == "Nieuwe afspraak over medezeggenschap."
    # Version 1 is still in force: the route can still be actief under it.
    assert not queries.activation_errors(db_session, setup["route"], "2026-2027")


def test_optimistic_locking(setup, db_session):
    a = setup["agreement"]
    with pytest.raises(ConflictError):
        operations.update_agreement(db_session, a, dict(title="x", start_date=a.start_date, end_date=a.end_date,
                                                        route_ids=[setup["route"].id]), setup["vmbo_user"],
                                    expected_version=a.version_id - 1)


def signed(setup, db_session):
    a = setup["agreement"]
    lifecycle.send_for_signature(db_session, a, setup["vmbo_user"])
    lifecycle.sign(db_session, a, party(a, setup["vmbo"]), setup["vmbo_user"])
    lifecycle.sign(db_session, a, party(a, setup["mbo"]), setup["mbo_user"])
    return a


def test_expiry_is_computed_on_read_and_stored_by_expire_due(setup, db_session, monkeypatch):
    a = signed(setup, db_session)
    monkeypatch.setattr(queries, "today", lambda: date(2030, 8, 1))
    assert queries.current_status(a) == "verlopen"
    with pytest.raises(ServiceError):
        operations.update_agreement(db_session, a, dict(title="x", start_date=a.start_date, end_date=a.end_date,
                                                        route_ids=[setup["route"].id]), setup["vmbo_user"])
    assert lifecycle.expire_due(db_session) == 1 and a.status == "verlopen"


def test_expiring_within_90_days(setup, db_session):
    a = signed(setup, db_session)
    assert queries.list_expiring(db_session, a.end_date - timedelta(days=90)) == [a]
    assert queries.list_expiring(db_session, a.end_date - timedelta(days=91)) == []
    assert queries.list_expiring(db_session, a.end_date - timedelta(days=10), organisation_id=setup["mbo"].id) == [a]
    assert queries.list_expiring(db_session, a.end_date - timedelta(days=10), organisation_id=999999) == []


def test_terminate_needs_date_and_reason(setup, db_session):
    a = signed(setup, db_session)
    with pytest.raises(ServiceError) as exc:
        lifecycle.terminate(db_session, a, None, "", setup["vmbo_user"])
    assert set(exc.value.errors) == {"terminated_on", "termination_reason"}
    lifecycle.terminate(db_session, a, date(2028, 7, 31), "Route stopt", setup["vmbo_user"])
    assert a.status == "opgezegd"
    assert queries.activation_errors(db_session, setup["route"], "2027-2028") == []
    assert queries.activation_errors(db_session, setup["route"], "2028-2029")


@pytest.mark.parametrize("kind, year, allowed", [
    ("glr", "2026-2027", True), ("dlr", "2029-2030", True), ("glr", "2030-2031", False),
    ("glr", "2025-2026", False), ("leerlab", "2040-2041", True),
])
def test_activation_rule(db_session, kind, year, allowed):
    vmbo, mbo, route, vu, mu = make_parties_and_route(kind=kind)
    s = dict(agreement=make_agreement(vu, route, mbo), vmbo=vmbo, mbo=mbo, vmbo_user=vu, mbo_user=mu)
    signed(s, db_session)
    assert (queries.activation_errors(db_session, route, year) == []) is allowed


def test_activation_needs_a_signed_agreement(db_session):
    vmbo, mbo, route, vu, mu = make_parties_and_route()
    errors = queries.activation_errors(db_session, route, "2026-2027")
    assert errors and "getekende samenwerkingsovereenkomst" in errors[0]
    make_agreement(vu, route, mbo)  # concept only
    assert queries.activation_errors(db_session, route, "2026-2027")


def test_parties_can_be_added_with_roles(setup, db_session):
    a = setup["agreement"]
    gemeente = make_organisation("other", name="Gemeente Test", governing_body_name="College van B&W")
    rows = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name)
            for p in a.parties] + [dict(organisation_id=gemeente.id, role="gemeente",
                                        governing_body_name="College van B&W")]
    assert operations.set_parties(db_session, a, rows, setup["vmbo_user"]) is True
    assert {p.role for p in a.parties} == {"vmbo", "mbo", "gemeente"}
    with pytest.raises(ServiceError):  # you cannot remove your own organisation
        operations.set_parties(db_session, a, rows[1:], setup["vmbo_user"])


def test_a_party_takes_the_role_of_what_it_is(setup, db_session):
    """An employer cannot be added as the mbo party (and so become the
    examining party), nor a vmbo school as gemeente; the message is at the row."""
    a = setup["agreement"]
    employer = make_organisation("employer", name="Bouwbedrijf Test", governing_body_name="Bouwbedrijf Test BV")
    own = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name)
           for p in a.parties]
    with pytest.raises(ServiceError) as exc:
        operations.set_parties(db_session, a, own + [dict(organisation_id=employer.id, role="mbo",
                                                          governing_body_name="Bouwbedrijf Test BV")],
                               setup["vmbo_user"])
    assert "geen school" in exc.value.errors[f"party-{len(own)}"][0]
    swapped = [{**own[0], "role": "gemeente"}] + own[1:]
    with pytest.raises(ServiceError) as exc:
        operations.set_parties(db_session, a, swapped, setup["vmbo_user"])
    assert "partij als vmbo" in exc.value.errors["party-0"][0]
    assert operations.set_parties(db_session, a, own + [dict(organisation_id=employer.id, role="employer",
                                                             governing_body_name="Bouwbedrijf Test BV")],
                                  setup["vmbo_user"]) is True


def test_examining_party_must_be_mbo(setup, db_session):
    a = setup["agreement"]
    with pytest.raises(ServiceError) as exc:
        operations.update_agreement(db_session, a, dict(title=a.title, start_date=a.start_date, end_date=a.end_date,
                                                        route_ids=[setup["route"].id],
                                                        examining_organisation_id=setup["vmbo"].id),
                                    setup["vmbo_user"])
    assert "examining_organisation_id" in exc.value.errors


def test_expire_command_for_cron(app, setup, db_session, monkeypatch):
    a = signed(setup, db_session)
    monkeypatch.setattr(queries, "today", lambda: date(2030, 8, 1))
    result = app.test_cli_runner().invoke(args=["agreements", "expire"])
    assert "1 overeenkomst(en) op verlopen gezet." in result.output
    assert a.status == "verlopen"
    assert app.test_cli_runner().invoke(args=["agreements", "expire"]).output.startswith("0 ")


def test_a_party_cannot_add_another_organisations_route(setup, db_session):
    a = setup["agreement"]
    foreign = make_parties_and_route()[2]
    with pytest.raises(ServiceError) as exc:
        operations.update_agreement(db_session, a, dict(title=a.title, start_date=a.start_date, end_date=a.end_date,
                                                        route_ids=[setup["route"].id, foreign.id]), setup["vmbo_user"])
    assert "route_ids" in exc.value.errors


def test_funding_and_guarantee_can_be_saved_again(setup, db_session):
    from tests.factories_agreements import fill_funding_and_guarantee
    a = setup["agreement"]  # already holds 60/40 and two phases
    fill_funding_and_guarantee(a, setup["vmbo_user"], split=("55", "45"))
    db_session.expire_all()
    assert sorted(s.percentage for s in a.funding_shares) == [Decimal("45.00")] * 4 + [Decimal("55.00")] * 4
    assert len(a.funding_totals) == 1 and len(a.guarantee_phases) == 2


def test_removing_a_party_removes_its_shares_and_the_checklist_says_so(setup, db_session):
    a = setup["agreement"]
    keep = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name)
            for p in a.parties if p.role == "vmbo"]
    operations.set_parties(db_session, a, keep, setup["vmbo_user"])
    assert [p.role for p in a.parties] == ["vmbo"]
    assert all(s.party_id == a.parties[0].id for s in a.funding_shares)
    missing = {i.key for i in queries.checklist(a) if not i.ok}
    assert {"parties", "funding", "examining_party"} <= missing
