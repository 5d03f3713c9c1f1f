"""Issue 20 §1: the signed version stays in force while an addendum waits;
terminating or expiring the agreement is what ends its routes' basis. And
§4: the agreement's period covers its routes' school years. Against the real
2025 regions (the region page and the map count routes through them)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.domain.school_year import current_school_year, school_year_bounds, shift_school_year
from portal.models import AuditLog, Pathway, Region
from portal.services.agreements import lifecycle, operations, queries
from portal.services.coverage import figures as coverage
from portal.services.coverage import map_data
from portal.services.coverage import region as coverage_region
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from tests.factories import make_user
from tests.factories_agreements import make_agreement
from tests.factories_map import make_school
from tests.factories_routes import route_data

YEAR = 2025
NOW = current_school_year()
NEW_CLAUSE = "Synthetische testtekst: de medezeggenschap wordt per addendum anders geregeld."


@pytest.fixture
def world(db_session, reference_data):
    school = make_school("AM38", name="Vmbo In Werking", profiles=("ZW",), governing_body_name="Stichting In Werking")
    school.pathways = list(db_session.scalars(select(Pathway).where(Pathway.code.in_(("BB", "KB")))))
    roc = make_school("AM38", kind="mbo", name="ROC In Werking", governing_body_name="Stichting ROC In Werking")
    staff = make_user("staff")
    route = route_service.register_route(db_session, route_data(school, roc, status="voorbereiding",
                                                                first_school_year=NOW), staff)
    vmbo_user, mbo_user = make_user("coordinator", school), make_user("coordinator", roc)
    start, _ = school_year_bounds(NOW)
    agreement = make_agreement(vmbo_user, route, roc, start_date=start,
                               end_date=school_year_bounds(shift_school_year(NOW, 2))[1])
    return dict(school=school, roc=roc, route=route, staff=staff, vmbo_user=vmbo_user, mbo_user=mbo_user,
                agreement=agreement, region=db_session.scalar(select(Region).filter_by(code="AM38", year=YEAR)))


def sign_all(session, w):
    agreement = w["agreement"]
    lifecycle.send_for_signature(session, agreement, w["vmbo_user"])
    for party in agreement.parties:
        lifecycle.sign(session, agreement, party, w["vmbo_user"] if party.organisation_id == w["school"].id
                       else w["mbo_user"])


def activate(session, w):
    data = route_snapshots.route_input_from(w["route"])
    data.status = "actief"
    return route_service.update_route(session, w["route"], data, w["staff"], expected_version=None)


def amend(session, w):
    a = w["agreement"]
    data = dict(title=a.title, start_date=a.start_date, end_date=a.end_date, route_ids=[w["route"].id],
                participation=NEW_CLAUSE)
    return operations.update_agreement(session, a, data, w["mbo_user"])


def map_count(session) -> int:
    return map_data.map_data(session, coverage.selection_filters(), None, YEAR).totals.routes


def region_figures(session, w) -> dict:
    return coverage_region.agreement_figures(session, w["region"])


def test_signed_by_all_puts_version_1_in_force(db_session, world):
    assert queries.in_force(world["agreement"]) is None
    sign_all(db_session, world)
    period = queries.in_force(world["agreement"])
    assert period is not None and period.revision == 1
    assert (period.start_date, period.end_date) == (world["agreement"].start_date, world["agreement"].end_date)
    assert activate(db_session, world).status == "actief"


def test_an_amendment_leaves_version_1_in_force_and_the_route_actief(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    before = map_count(db_session)
    assert region_figures(db_session, world) == {"signed": 1, "expiring": 0, "missing": 0}

    assert amend(db_session, world) == "addendum"
    a = world["agreement"]
    assert a.revision == 2 and a.status == "concept" and a.in_force_revision == 1
    assert queries.in_force(a).revision == 1 and queries.has_addendum(a)
    # The route stays actief under version 1, and still counts.
    assert world["route"].status == "actief"
    assert not queries.activation_errors(db_session, world["route"], NOW)
    assert map_count(db_session) == before
    # The region page does not report a route without a signed agreement.
    assert region_figures(db_session, world) == {"signed": 1, "expiring": 0, "missing": 0}
    # The public sees version 1: its text, not the draft's; the parties see the addendum.
    public = queries.public_snapshot(a)
    assert public is not None and public["participation"] == "Beide medezeggenschapsraden stemmen in."
    assert queries.status_label(a, show_addendum=False) == "Getekend (versie 1)"
    assert queries.status_label(a, show_addendum=True) == (
        "Getekend (versie 1 in werking), addendum (versie 2) in voorbereiding")
    assert [d.key for d in queries.addendum_diff(a)] == ["participation"]
    assert {p.organisation_id for p in queries.unsigned_parties(a)} == {world["school"].id, world["roc"].id}


def test_the_addendum_signed_by_all_becomes_the_version_in_force(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    amend(db_session, world)
    a = world["agreement"]
    lifecycle.send_for_signature(db_session, a, world["vmbo_user"])
    school_party = next(p for p in a.parties if p.organisation_id == world["school"].id)
    lifecycle.sign(db_session, a, school_party, world["vmbo_user"])
    assert a.in_force_revision == 1 and queries.status_label(a, show_addendum=True).endswith("ter ondertekening")
    roc_party = next(p for p in a.parties if p.organisation_id == world["roc"].id)
    lifecycle.sign(db_session, a, roc_party, world["mbo_user"])
    assert a.status == "getekend" and a.in_force_revision == 2 and not queries.has_addendum(a)
    assert queries.public_snapshot(a) is None  # nothing waits: the public sees the agreement itself
    assert world["route"].status == "actief"
    # The old version keeps its own signatures.
    assert a.versions[0].snapshot["signatures"] and a.versions[1].snapshot["signatures"]


def test_a_termination_ends_the_routes_on_its_date_and_the_map_count_drops_only_then(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    amend(db_session, world)  # an addendum waiting does not stop the termination
    before = map_count(db_session)
    on = date.today() + timedelta(days=20)
    assert lifecycle.terminate(db_session, world["agreement"], on, "Synthetische reden: de route stopt.",
                               world["vmbo_user"]) == []
    assert world["route"].status == "actief" and map_count(db_session) == before
    lifecycle.expire_due(db_session, on=on - timedelta(days=1))  # the daily run before the date: nothing ends
    assert world["route"].status == "actief"
    lifecycle.expire_due(db_session, on=on)  # on the date the termination takes effect
    assert world["route"].status == "beeindigd"
    assert map_count(db_session) == before - 1
    entry = db_session.scalar(select(AuditLog).where(AuditLog.object_type == "learning_route",
                                                     AuditLog.object_id == world["route"].id,
                                                     AuditLog.action == "end_basis"))
    assert entry is not None and "opgezegd per" in entry.after["reden"]
    # And it cannot become actief again under the terminated agreement.
    assert queries.activation_errors(db_session, world["route"], shift_school_year(NOW, 1))


def test_a_termination_per_today_ends_the_routes_at_once(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    ended = lifecycle.terminate(db_session, world["agreement"], date.today(), "Synthetische reden.",
                                world["vmbo_user"])
    assert ended == [world["route"]] and world["route"].status == "beeindigd"


def test_expiry_ends_the_routes_after_the_end_date(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    before = map_count(db_session)
    end = world["agreement"].end_date
    assert lifecycle.expire_due(db_session, on=end) == 0 and world["route"].status == "actief"
    assert lifecycle.expire_due(db_session, on=end + timedelta(days=1)) == 1
    assert world["agreement"].status == "verlopen" and world["route"].status == "beeindigd"
    assert map_count(db_session) == before - 1


def test_a_route_that_another_agreement_in_force_covers_keeps_running(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    second = make_agreement(world["vmbo_user"], world["route"], world["roc"], title="Tweede overeenkomst",
                            start_date=world["agreement"].start_date, end_date=world["agreement"].end_date)
    lifecycle.send_for_signature(db_session, second, world["vmbo_user"])
    for party in second.parties:
        lifecycle.sign(db_session, second, party, world["vmbo_user"] if party.organisation_id == world["school"].id
                       else world["mbo_user"])
    assert lifecycle.terminate(db_session, world["agreement"], date.today(), "Synthetische reden.",
                               world["vmbo_user"]) == []
    assert world["route"].status == "actief"


# --- §4: the period covers the routes' school years --------------------------

def test_the_period_must_cover_the_routes_school_years(db_session, world):
    a = world["agreement"]
    first_start, _ = school_year_bounds(NOW)
    base = dict(title=a.title, route_ids=[world["route"].id])
    with pytest.raises(ServiceError) as exc:  # ends before the route's first school year begins
        operations.update_agreement(db_session, a, {**base, "start_date": first_start - timedelta(days=800),
                                                     "end_date": first_start - timedelta(days=1)},
                                    world["vmbo_user"])
    assert "begint in schooljaar" in exc.value.errors["end_date"][0]
    world["route"].last_school_year = NOW
    with pytest.raises(ServiceError) as exc:  # starts after the route's last school year ended
        operations.update_agreement(db_session, a, {**base, "start_date": first_start + timedelta(days=400),
                                                     "end_date": first_start + timedelta(days=900)},
                                    world["vmbo_user"])
    assert "eindigt in schooljaar" in exc.value.errors["start_date"][0]


def test_a_new_agreement_for_a_route_outside_its_period_is_refused(db_session, world):
    later = route_service.register_route(db_session, route_data(
        world["school"], world["roc"], title="GLR later", status="voorbereiding",
        first_school_year=shift_school_year(NOW, 5)), world["staff"])
    with pytest.raises(ServiceError) as exc:
        make_agreement(world["vmbo_user"], later, world["roc"], complete=False,
                       start_date=school_year_bounds(NOW)[0], end_date=school_year_bounds(NOW)[1])
    assert "GLR later" in exc.value.errors["end_date"][0]



def test_a_route_cannot_become_actief_again_under_a_terminated_agreement(db_session, world):
    """Terminated per today: its period still overlaps this school year, but it has ended."""
    sign_all(db_session, world)
    activate(db_session, world)
    lifecycle.terminate(db_session, world["agreement"], date.today(), "Synthetische reden.", world["vmbo_user"])
    assert world["route"].status == "beeindigd"
    errors = queries.activation_errors(db_session, world["route"], NOW)
    assert errors and "getekende samenwerkingsovereenkomst" in errors[0]
    with pytest.raises(ServiceError):
        activate(db_session, world)


def test_a_route_added_by_a_draft_addendum_is_covered_only_once_the_addendum_is_signed(db_session, world):
    sign_all(db_session, world)
    activate(db_session, world)
    extra = route_service.register_route(db_session, route_data(
        world["school"], world["roc"], title="GLR Synthetisch Erbij", status="voorbereiding",
        first_school_year=NOW), world["staff"])
    a = world["agreement"]
    data = dict(title=a.title, start_date=a.start_date, end_date=a.end_date, route_ids=[extra.id])
    assert operations.update_agreement(db_session, a, data, world["vmbo_user"]) == "addendum"  # drops the first
    # Version 1 (with the first route only) is what is in force.
    assert queries.activation_errors(db_session, extra, NOW)
    assert not queries.activation_errors(db_session, world["route"], NOW)
    assert region_figures(db_session, world) == {"signed": 1, "expiring": 0, "missing": 0}
    lifecycle.send_for_signature(db_session, a, world["vmbo_user"])
    for party in a.parties:
        lifecycle.sign(db_session, a, party, world["vmbo_user"] if party.organisation_id == world["school"].id
                       else world["mbo_user"])
    assert a.in_force_revision == 2 and [r.id for r in a.in_force_routes] == [extra.id]
    assert not queries.activation_errors(db_session, extra, NOW)
    # Version 2 no longer covers the first route: it lost its basis when version 2 came into force.
    assert queries.activation_errors(db_session, world["route"], NOW)
    assert world["route"].status == "beeindigd"


def test_the_coordinators_are_told_when_a_termination_ends_their_route(db_session, world):
    from portal.models import Notification
    sign_all(db_session, world)
    activate(db_session, world)
    lifecycle.terminate(db_session, world["agreement"], date.today(), "Synthetische reden.", world["vmbo_user"])
    rows = db_session.scalars(select(Notification).where(Notification.event == "route_basis_ended")).all()
    # The mbo coordinator hears of it; the vmbo coordinator terminated it himself and is not told.
    assert [r.user_id for r in rows] == [world["mbo_user"].id]
    assert world["route"].title in rows[0].summary and world["agreement"].title in rows[0].summary
    assert rows[0].link == f"/leerroutes/{world['route'].id}"
