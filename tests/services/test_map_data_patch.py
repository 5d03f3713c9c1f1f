"""Issue 21, after a write: /kaart's figures are patched from the kept ones
for the routes that changed (core/aggregates kept(..., patch=...), the log
of steps in core/data_version), not counted again, and a patched map equals
a count from the rows. A change to anything but routes, or a log that no
longer reaches back, counts again."""
from __future__ import annotations

import random

import pytest
from flask import current_app
from sqlalchemy import delete, select

from portal.core import data_version
from portal.devdata.generator import generate
from portal.domain.school_year import shift_school_year
from portal.models import DataVersionChange, Organisation
from portal.services.coverage import figures as coverage
from portal.services.coverage import map_data
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from portal.services.learning_routes.filters import RouteFilters
from portal.services.reference.boundaries import current_region_year
from tests.conftest import DATA_DIR
from tests.factories_routes import route_data
from tests.services.test_kept_aggregates import PREVIOUS, Writer, recounting


def selections(staff) -> dict:
    return {
        "national": (coverage.selection_filters(), None),
        "profile": (coverage.selection_filters(RouteFilters(profile=["ZW"])), None),
        "region": (coverage.selection_filters(RouteFilters(region=["AM38"])), None),
        "staff": (coverage.selection_filters(RouteFilters(status=["concept", "voorbereiding"])), staff),
    }


def maps(session, staff) -> dict:
    year = current_region_year(session)
    return {name: map_data.map_data(session, selection, user, year, 50)
            for name, (selection, user) in selections(staff).items()}


@pytest.fixture
def writer(db_session, reference_data):
    generate(db_session, scale=0.02, seed=21, data_dir=DATA_DIR)
    db_session.commit()
    return Writer(db_session, random.Random(4021))


@pytest.fixture
def store(app):
    return current_app.extensions["kept_aggregates"]


def test_patched_maps_equal_a_count_after_random_writes(writer, store):
    session = writer.session
    maps(session, writer.staff)
    patched = store.patched
    for n in range(40):
        writer.step()
        if n % 3 == 0:
            session.commit()  # some steps committed, some read inside the writing transaction
        kept = maps(session, writer.staff)
        with recounting():
            counted = maps(session, writer.staff)
        for name, value in counted.items():
            assert kept[name] == value, f"{name} after {writer.done}"
            assert kept[name].routes == value.routes and kept[name].pins == value.pins
    assert {"create", "edit", "archive", "end"} <= set(writer.done)
    assert store.patched > patched  # the writes were patched in, not only counted again
    assert kept["national"].totals.routes > 0


def _active_route(writer, title: str, pupils: int = 10):
    """An active leerlab (active without an agreement) of a school of the writer's."""
    school, roc, *_ = writer.pairs[0]
    data = route_data(school, roc, title=title, kind="leerlab", status="actief", mbo_level=None, crebo="",
                      qualification_name="", first_school_year=PREVIOUS, profiles=["EO"], pupils_per_cohort=pupils)
    return route_service.register_route(writer.session, data, writer.staff)


def _save(session, route, staff, **changes):
    data = route_snapshots.route_input_from(route)
    for name, value in changes.items():
        setattr(data, name, value)
    route_service.update_route(session, route, data, staff, expected_version=None)
    session.commit()


def test_a_saved_route_is_patched_in_and_its_figures_move(writer, store):
    session = writer.session
    first, second = _active_route(writer, "Patch A", 10), _active_route(writer, "Patch B", 20)
    session.commit()
    before = maps(session, writer.staff)["national"]
    computed, patched = store.computed, store.patched
    _save(session, first, writer.staff, pupils_per_cohort=35)
    after = maps(session, writer.staff)["national"]
    assert store.patched == patched + 4 and store.computed == computed  # every selection patched
    assert after.totals.pupils_in_routes == before.totals.pupils_in_routes + 25
    with recounting():
        assert maps(session, writer.staff)["national"] == after

    # A new title takes the route to its place in the title order (asked of the database).
    _save(session, second, writer.staff, title="AAA Patch B eerst")
    after = maps(session, writer.staff)["national"]
    assert after.routes[0].title == "AAA Patch B eerst"
    with recounting():
        assert maps(session, writer.staff)["national"].routes == after.routes

    # Ended: out of the national selection of active routes.
    _save(session, first, writer.staff, status="beeindigd")
    after = maps(session, writer.staff)["national"]
    assert first.id not in after.facts and after.totals.routes == before.totals.routes - 1
    assert store.computed == computed
    with recounting():
        assert maps(session, writer.staff)["national"] == after


def test_a_change_to_an_organisation_counts_again(writer, store):
    session = writer.session
    route = _active_route(writer, "Patch C")
    session.commit()
    maps(session, writer.staff)
    computed, patched = store.computed, store.patched
    school = session.get(Organisation, next(p.organisation_id for p in route.parties if p.role == "vmbo"))
    school.name = "Hernoemde school"
    session.commit()
    after = maps(session, writer.staff)["national"]
    assert store.patched == patched and store.computed > computed
    assert any(pin.name == "Hernoemde school" for pin in after.pins)


def test_without_the_log_of_the_steps_it_counts_again_the_control(writer, store):
    """The patch trusts the log: with the steps since the kept map deleted,
    the log no longer reaches back and the map is counted again (still right)."""
    session = writer.session
    route = _active_route(writer, "Patch D", 10)
    session.commit()
    maps(session, writer.staff)
    computed, patched = store.computed, store.patched
    data = route_snapshots.route_input_from(route)
    data.pupils_per_cohort = 30
    route_service.update_route(session, route, data, writer.staff, expected_version=None)
    session.flush()
    data_version.add_step(session)
    session.execute(delete(DataVersionChange))  # (the commit's own step is logged after this)
    session.commit()
    after = maps(session, writer.staff)["national"]
    assert store.patched == patched and store.computed > computed
    with recounting():
        assert maps(session, writer.staff)["national"] == after


def test_the_log_names_the_routes_of_each_step(writer):
    session = writer.session
    route = _active_route(writer, "Patch E")
    session.commit()
    start = data_version.read_slots(session)
    _save(session, route, writer.staff, pupils_per_cohort=12)
    middle = data_version.read_slots(session)
    changes = data_version.changes_between(session, start, middle)
    assert changes == data_version.Changes(frozenset({route.id}), False)
    assert data_version.changes_between(session, middle, middle) == data_version.Changes(frozenset(), False)
    # A counter that went back (figures read in a transaction that was rolled back) is not followed.
    assert data_version.changes_between(session, middle, start).other
    other = session.scalar(select(Organisation).where(Organisation.kind == "mbo"))
    other.city = "Elders"
    session.commit()
    assert data_version.changes_between(session, start, data_version.read_slots(session)).other


def test_a_version_read_before_the_request_began_its_transaction_is_used_once(app):
    """The page cache reads the version on a connection of its own before the
    request's session begins (web/caching); kept() of the session's first
    transaction uses that version, a later transaction reads its own."""
    from portal.core.aggregates import KeptAggregates, adopt_request_version
    from portal.extensions import db

    store = KeptAggregates()
    with app.app_context():
        session = db.session()
        assert not session.in_transaction()
        adopt_request_version(session, "read-before")
        assert store.get(session, ("adopted",), lambda: "value") == "value"
        assert store._version == "read-before"
        session.rollback()  # the transaction ends: the next one reads the database's version
        store.get(session, ("adopted",), lambda: "value")
        assert store._version == data_version.read(session)
        db.session.remove()


def test_the_first_school_year_follows_saved_routes(writer, store):
    """trend.first_school_year is patched after a save: an earlier start moves it
    back at once; when the route that started first starts later, it is counted again."""
    from portal.services.coverage import trend

    session = writer.session
    route = _active_route(writer, "Patch F")
    session.commit()
    first = trend.first_school_year(session)
    earlier = shift_school_year(first, -2)
    patched = store.patched
    _save(session, route, writer.staff, first_school_year=earlier)
    assert trend.first_school_year(session) == earlier and store.patched == patched + 1
    _save(session, route, writer.staff, first_school_year=PREVIOUS)
    assert trend.first_school_year(session) == first  # the route that started first moved on: counted again
    with recounting():
        assert trend.first_school_year(session) == first


def test_a_statement_that_changes_no_data_is_not_a_write(db_session):
    """A text statement through the session moves the version unless it only
    reads or sets something of the transaction (the library search's SET LOCAL
    on PostgreSQL): otherwise every search would write a version step."""
    from sqlalchemy import text

    from portal.core import aggregates

    db_session.commit()
    db_session.execute(text("EXPLAIN SELECT 1"))
    assert not db_session.info.get(aggregates._DIRTY)
    db_session.execute(text("UPDATE learning_routes SET pupils_per_cohort = pupils_per_cohort WHERE 1 = 0"))
    assert db_session.info.get(aggregates._DIRTY)  # the control: a data statement is one


def test_a_page_reads_the_counters_and_the_log_once_for_all_it_patches(writer, store, app):
    """/kaart patches several kept values after a save (the map, its parts, the
    shapes, the first school year); the counters and the log of steps are read
    once for all of them, in the request's first kept read."""
    from sqlalchemy import event

    from portal.extensions import db
    session = writer.session
    route = _active_route(writer, "Patch E", 10)
    session.commit()
    client = app.test_client()
    assert client.get("/kaart/").status_code == 200
    _save(session, route, writer.staff, pupils_per_cohort=12)
    statements: list[str] = []

    def grab(_conn, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        patched = store.patched
        assert client.get("/kaart/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    assert store.patched - patched >= 3  # several values patched in this request
    assert sum("FROM data_version_slots" in s and "sum(" not in s for s in statements) == 1
    assert sum("FROM data_version_changes" in s for s in statements) == 1
