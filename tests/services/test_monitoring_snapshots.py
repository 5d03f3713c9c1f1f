"""Indicators from the database, frozen snapshots that never change, and each
school year shown from where it stands (issue 17). On the real 2025 regions."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.domain.school_year import current_school_year, shift_school_year
from portal.extensions import db
from portal.models import MonitorSnapshot, Pathway
from portal.models.monitoring import FrozenSnapshotError
from portal.services.monitoring import indicators, snapshots
from portal.services.monitoring.facts import load_facts
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_map import make_region_route

YEAR = 2025
NOW = current_school_year()
LAST = shift_school_year(NOW, -1)
NOW_PEILDATUM = date(int(NOW[:4]), 10, 15)
LAST_PEILDATUM = date(int(LAST[:4]), 10, 15)


@pytest.fixture
def ctx(db_session, reference_data):
    return db_session


def with_pathways(route, *codes):
    route.pathways = list(db.session.scalars(select(Pathway).where(Pathway.code.in_(codes))))
    db.session.flush()
    return route


def live(school_years):
    return {y.school_year: y for y in indicators.indicator_years(db.session, YEAR, school_years)}


def test_indicators_from_the_database_follow_the_one_definition_of_active(ctx):
    with_pathways(make_region_route("AM38", kind_code="dlr", mbo_level_code="2", teaching_location="vmbo",
                                    first_school_year=LAST), "BB", "KB")
    make_region_route("AM38", kind_code="glr", mbo_level_code="3", first_school_year=LAST, pupils_per_cohort=12)
    make_region_route("AM09", kind_code="leerlab", status="concept", first_school_year=LAST)  # never public
    make_region_route("AM09", kind_code="dlr", status="beeindigd", first_school_year=LAST, last_school_year=LAST)
    years = live([LAST, NOW])
    now, last = years[NOW].results, years[LAST].results
    assert now["regions_with_route"].regions["AM38"] == 1 and now["regions_with_route"].regions["AM09"] == 0
    assert last["regions_with_route"].regions["AM09"] == 1  # the ended route was active last year
    assert now["regions_bbkb_mbo2_vmbo"].regions["AM38"] == 1
    assert now["regions_multiple_levels"].regions["AM38"] == 1
    assert now["pupils_per_cohort"].regions["AM38"] == 12
    assert now["regions_with_route"].region_total == 35
    assert years[NOW].label == "actueel" and years[LAST].label == indicators.BACKFILL_LABEL


def test_agreement_coverage_comes_from_the_agreements_in_force_rule(ctx):
    vmbo, mbo, route, vmbo_user, _mbo_user = make_parties_and_route(kind="dlr")
    agreement = make_agreement(vmbo_user, route, mbo, start_date=date(int(NOW[:4]), 8, 1),
                               end_date=date(int(NOW[:4]) + 2, 7, 31))
    route.status, route.first_school_year = "actief", NOW
    facts = load_facts(db.session, YEAR, [NOW])
    assert route.id not in facts.covered[NOW]  # a concept agreement covers nothing
    # Signed: version 1 is in force over its period, with its routes (as the last signature does).
    agreement.status, agreement.signed_at = "getekend", datetime.now(UTC)
    agreement.in_force_revision = agreement.revision
    agreement.in_force_start_date, agreement.in_force_end_date = agreement.start_date, agreement.end_date
    agreement.in_force_routes = list(agreement.routes)
    db.session.flush()
    facts = load_facts(db.session, YEAR, [NOW, shift_school_year(NOW, 5)])
    assert route.id in facts.covered[NOW]
    assert route.id not in facts.covered[shift_school_year(NOW, 5)]  # after its period


def test_a_snapshot_stays_as_it_was_after_routes_are_archived_and_edited(ctx):
    first = make_region_route("AM38", kind_code="dlr", mbo_level_code="2", pupils_per_cohort=20,
                              first_school_year=LAST)
    second = make_region_route("AM09", kind_code="glr", mbo_level_code="3", first_school_year=LAST)
    snapshot = snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    frozen = snapshot.data
    assert snapshot.version == 1 and snapshot.school_year == LAST and snapshot.code_version
    assert {r["id"] for r in frozen["routes"]} == {first.id, second.id}
    assert frozen["indicators"]["regions_with_route"]["value"] == 2

    first.archived_at = datetime.now(UTC)
    second.mbo_level_code, second.pupils_per_cohort = "4", 99
    db.session.flush()
    db.session.expire_all()

    years = live([LAST, NOW])
    assert years[NOW].results["regions_with_route"].value == 1  # live: the archived route is gone
    assert years[NOW].results["pupils_per_cohort"].value == 99
    assert years[LAST].label == f"stand op {LAST_PEILDATUM:%d-%m-%Y}"  # frozen: as it stood
    assert years[LAST].results["regions_with_route"].value == 2
    assert years[LAST].results["pupils_per_cohort"].value == 20
    stored = db.session.get(MonitorSnapshot, snapshot.id)
    assert stored.data == frozen

    again = snapshots.take_snapshot(db.session, LAST_PEILDATUM)  # a new version, the old one kept
    assert again.version == 2 and again.data["indicators"]["regions_with_route"]["value"] == 1
    assert db.session.get(MonitorSnapshot, snapshot.id).data == frozen
    assert live([LAST])[LAST].results["regions_with_route"].value == 1  # the newest version stands


def test_the_current_year_is_live_even_with_a_snapshot(ctx):
    make_region_route("AM38", first_school_year=NOW)
    snapshots.take_snapshot(db.session, NOW_PEILDATUM)
    make_region_route("AM09", first_school_year=NOW)
    year = live([NOW])[NOW]
    assert year.label == "actueel" and year.results["regions_with_route"].value == 2


def test_a_snapshot_is_never_edited_or_deleted(ctx):
    snapshot = snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    snapshot.code_version = "anders"
    with pytest.raises(FrozenSnapshotError):
        db.session.flush()
    db.session.rollback()


def test_a_snapshot_cannot_be_deleted(ctx):
    snapshot = snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    db.session.delete(snapshot)
    with pytest.raises(FrozenSnapshotError):
        db.session.flush()
    db.session.rollback()


def test_the_counted_routes_come_along_only_for_the_year_asked_for(ctx):
    """At national scale the routes that counted are tens of MBs per list of
    years, kept in every worker: the dashboard and region pages (no year asked
    for) keep none, the year report (and its Excel) those of its own year."""
    route = make_region_route("AM38", kind_code="dlr", mbo_level_code="2", first_school_year=LAST)
    snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    plain = indicators.indicator_years(db.session, YEAR, [LAST, NOW])
    assert [y.routes for y in plain] == [None, None]
    assert plain[1].results["regions_with_route"].value == 1
    for year in (NOW, LAST):  # live, and frozen in the snapshot
        asked = {y.school_year: y for y in indicators.indicator_years(db.session, YEAR, [LAST, NOW], routes_of=year)}
        assert [r["id"] for r in asked[year].routes] == [route.id]
        assert asked[shift_school_year(year, 1) if year == LAST else LAST].routes is None
