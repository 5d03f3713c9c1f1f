"""Route outcomes (issue 17): recorded per route and school year, audited,
validated with Dutch messages at the field, one row per route x year; the
public form suppresses small counts and the agreement's promise is compared
with what happened. Synthetic organisations."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core.errors import ConflictError, ServiceError
from portal.domain.outcomes import LeaverGroup
from portal.domain.school_year import current_school_year, shift_school_year
from portal.extensions import db
from portal.models import AuditLog, RouteOutcome
from portal.services.outcomes import operations, queries
from tests.factories_agreements import make_agreement, make_parties_and_route

NOW = current_school_year()
LAST = shift_school_year(NOW, -1)


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    route.first_school_year = LAST
    agreement = make_agreement(vmbo_user, route, mbo)  # phases 1-12 (max 5 days) and 13-48 (max 10 days)
    db.session.flush()
    return dict(route=route, agreement=agreement, user=vmbo_user, mbo_user=mbo_user)


def data(started=20, vmbo=8, mbo=3, groups=()):
    return operations.OutcomeData(started, vmbo, mbo, list(groups))


def leavers(destination, waits, phase=(1, 12)):
    return LeaverGroup(phase[0], phase[1], destination, tuple(waits))


def test_a_party_records_a_year_and_it_is_audited_without_names(world):
    route = world["route"]
    outcome = operations.save_outcome(db.session, route, LAST, data(groups=[
        leavers("vmbo_bb", (0, 3, 7)), leavers("mbo2", (12,), (13, 48)), leavers("vmbo_bb", (1,))]), world["user"])
    assert (outcome.started, outcome.diplomas_vmbo, outcome.diplomas_mbo, outcome.left) == (20, 8, 3, 5)
    # two groups of the same phase and destination became one, the waits sorted
    assert [(g.phase_from_month, g.destination, g.waits) for g in outcome.leavers] == [
        (1, "vmbo_bb", [0, 1, 3, 7]), (13, "mbo2", [12])]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "route_outcome",
                                                     AuditLog.object_id == outcome.id))
    assert entry.action == "create" and entry.actor_id == world["user"].id
    assert entry.after["started"] == 20 and "wachttijden [0, 1, 3, 7]" in entry.after["leavers"][0]


@pytest.mark.parametrize("figures, school_year, field, message", [
    (data(started=-1), LAST, "started", "negatief"),
    (data(vmbo=-3), LAST, "diplomas_vmbo", "negatief"),
    (data(started=2, vmbo=0, mbo=0, groups=[leavers("mbo2", (1, 2, 3), (13, 48))]), LAST, "leavers",
     "meer leerlingen uitgestroomd (3) dan er gestart zijn (2)"),
    (data(groups=[leavers("mbo2", (1,), (13, 24))]), LAST, "leavers", "fase van de overstapgarantie"),
    (data(), shift_school_year(LAST, -1), "school_year", "buiten de looptijd"),
    (data(), shift_school_year(NOW, 1), "school_year", "buiten de looptijd"),
    (data(), "2025/2026", "school_year", "schooljaar"),
])
def test_wrong_figures_are_refused_with_a_dutch_message_at_the_field(world, figures, school_year, field, message):
    with pytest.raises(ServiceError) as refused:
        operations.save_outcome(db.session, world["route"], school_year, figures, world["user"])
    assert message in " ".join(refused.value.errors[field]).lower() or message in " ".join(refused.value.errors[field])
    assert db.session.scalar(select(func.count(RouteOutcome.id))) == 0


def test_a_second_new_form_for_the_same_year_is_a_conflict_not_a_duplicate(world):
    route = world["route"]
    first = operations.save_outcome(db.session, route, NOW, data(started=10), world["user"])
    with pytest.raises(ConflictError) as conflict:
        operations.save_outcome(db.session, route, NOW, data(started=12), world["mbo_user"])  # opened as new
    assert "intussen vastgelegd" in str(conflict.value)
    assert conflict.value.current_version == first.version_id
    assert db.session.scalar(select(func.count(RouteOutcome.id)).where(RouteOutcome.route_id == route.id)) == 1
    assert first.started == 10


def test_a_stale_form_is_refused_and_the_current_version_is_saved_over(world):
    route = world["route"]
    outcome = operations.save_outcome(db.session, route, NOW, data(started=10), world["user"])
    opened = outcome.version_id
    operations.save_outcome(db.session, route, NOW, data(started=11, groups=[leavers("entree", (4,))]),
                            world["mbo_user"], opened)
    assert outcome.version_id == opened + 1 and outcome.left == 1
    with pytest.raises(ConflictError):
        operations.save_outcome(db.session, route, NOW, data(started=99), world["user"], opened)
    assert outcome.started == 11
    # a change of the leavers alone is a new version as well
    operations.save_outcome(db.session, route, NOW, data(started=11, groups=[leavers("entree", (6,))]),
                            world["user"], opened + 1)
    assert outcome.version_id == opened + 2 and [g.waits for g in outcome.leavers] == [[6]]


def test_the_database_refuses_a_second_row_for_the_same_route_and_year(world):
    db.session.add(RouteOutcome(route_id=world["route"].id, school_year=NOW, started=1))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(RouteOutcome(route_id=world["route"].id, school_year=NOW, started=2))
        db.session.flush()


def test_an_archived_route_takes_no_outcomes(world):
    from portal.services.learning_routes import operations as route_service
    from tests.factories import make_user
    route_service.archive_route(db.session, world["route"], make_user("staff"))
    with pytest.raises(ServiceError, match="gearchiveerd"):
        operations.save_outcome(db.session, world["route"], NOW, data(), world["user"])


def test_the_public_sees_counts_under_five_as_less_than_five(world):
    outcome = operations.save_outcome(db.session, world["route"], LAST, data(started=30, vmbo=4, mbo=12, groups=[
        leavers("vmbo_bb", (0, 1, 2, 3, 4, 5)), leavers("entree", (2, 2)), leavers("mbo2", (1, 2, 3, 4, 5, 6, 7),
                                                                                    (13, 48))]), world["user"])
    public = queries.public_year(outcome)
    assert (public.started, public.left, public.diplomas_vmbo, public.diplomas_mbo) == ("30", "15", "<5", "12")
    # entree (2) is hidden, and with it the next smallest (vmbo_bb, 6), or 15 - 7 would give the 2 away
    assert public.destinations == {"vmbo_bb": "<5", "mbo2": "7", "entree": "<5"}


def test_the_agreement_compares_the_promised_maximum_with_the_waits(world):
    route, agreement = world["route"], world["agreement"]
    operations.save_outcome(db.session, route, LAST, data(groups=[
        leavers("vmbo_bb", (0, 5, 6, 9)), leavers("mbo2", (10, 11), (13, 48))]), world["user"])
    operations.save_outcome(db.session, route, NOW, data(groups=[leavers("vmbo_bb", (2,))]), world["user"])
    by_year = {ry.school_year: ry for ry in queries.agreement_waits(db.session, agreement)}
    assert by_year[LAST].beyond == 3  # 6 and 9 > 5 days; 11 > 10 days; 5 and 10 are kept
    assert [(p.promised_max, p.pupils, p.beyond) for p in by_year[LAST].phases] == [(5, 4, 2), (10, 2, 1)]
    assert by_year[NOW].beyond == 0


def test_the_phases_offered_are_those_of_the_route_s_agreement(world):
    assert queries.phase_choices(db.session, world["route"], NOW) == [(1, 12, 5), (13, 48, 10)]
    assert queries.recordable_years(world["route"]) == [NOW, LAST]
