"""Issue 20 §4, duplicates: the service side of "bestaat al" (the key is the
title, a vmbo school and the first school year; archived routes and routes
the actor cannot see do not count) and of the CSV import's skipping."""
import pytest
from sqlalchemy import func, select

from portal.domain.routes import RouteInput
from portal.models import LearningRoute
from portal.services.learning_routes import columns, duplicates
from portal.services.learning_routes import csv_import as route_import
from portal.services.learning_routes import operations as service
from tests.factories_routes import RouteWorld, route_data

HEADER = ";".join(c for c, _ in columns.IMPORT_COLUMNS)


@pytest.fixture
def world(db_session):
    w = RouteWorld()
    w.route = service.register_route(db_session, route_data(w.school, w.roc, title="Zorg Één",
                                                            vmbo_parties=[w.school.id, w.other_school.id],
                                                            first_school_year="2026-2027"), w.staff)
    return w


def as_input(world, **changes) -> RouteInput:
    return RouteInput(**{**route_data(world.school, world.roc, title="Zorg Één", first_school_year="2026-2027"),
                         **changes})


def test_the_key_is_title_any_shared_vmbo_school_and_first_year(db_session, world):
    found = duplicates.find_duplicate(db_session, as_input(world, title=" ZORG   één "), world.staff)
    assert found == duplicates.ExistingRoute(world.route.id, "Zorg Één")
    # the route has two vmbo schools: sharing either one is the same school
    assert duplicates.find_duplicate(db_session, as_input(world, vmbo_parties=[world.other_school.id]),
                                     world.staff) is not None
    for changes in ({"title": "Zorg Twee"}, {"first_school_year": "2027-2028"}, {"vmbo_parties": []}):
        assert duplicates.find_duplicate(db_session, as_input(world, **changes), world.staff) is None, changes


def test_archived_and_invisible_routes_do_not_count(db_session, world):
    concept = service.register_route(db_session, route_data(world.other_school, world.other_roc, title="Concept X",
                                                            status="concept", first_school_year="2026-2027"),
                                     world.staff)
    data = as_input(world, title="Concept X", vmbo_parties=[world.other_school.id])
    assert duplicates.find_duplicate(db_session, data, world.staff) == duplicates.ExistingRoute(concept.id, "Concept X")
    assert duplicates.find_duplicate(db_session, data, world.mbo_coordinator) is None  # cannot see that concept
    assert duplicates.find_duplicate(db_session, data, world.other_coordinator) is not None  # their own concept
    service.archive_route(db_session, world.route, world.staff)
    assert duplicates.find_duplicate(db_session, as_input(world), world.staff) is None


def csv_rows(world, *titles, **changes):
    lines = [HEADER]
    for title in titles:
        values = {c: "" for c, _ in columns.IMPORT_COLUMNS}
        values.update({"titel": title, "soort": "GLR", "vmbo_partijen": world.school.name,
                       "mbo_partijen": world.roc.name, "leerwegen": "BB", "profielen": "Z&W", "mbo_niveau": "2",
                       "crebo": "25498", "kwalificatie": "Helpende", "eerste_schooljaar": "2026-2027", **changes})
        lines.append(";".join(values[c] for c, _ in columns.IMPORT_COLUMNS))
    return route_import.parse_csv(("\r\n".join(lines)).encode())


def count(db_session, title):
    return db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.title == title))


def test_the_import_skips_rows_identical_to_an_existing_route(db_session, world):
    result = route_import.import_routes(db_session, csv_rows(world, "zorg één", "Nieuw Eén"), world.coordinator)
    assert (result.created, result.failed_rows, result.should_commit) == (1, 0, True)
    assert result.skipped_duplicates == [(2, duplicates.ExistingRoute(world.route.id, "Zorg Één"))]
    assert [(m.row, m.column, m.level) for m in result.messages if "bestaat al" in m.message] == \
        [(2, "titel", "waarschuwing")]
    made = db_session.scalar(select(LearningRoute.id).where(LearningRoute.title == "Nieuw Eén"))
    assert result.created_routes == [duplicates.ExistingRoute(made, "Nieuw Eén")]
    assert count(db_session, "zorg één") == 0
    again = route_import.import_routes(db_session, csv_rows(world, "Nieuw Eén"), world.coordinator)
    assert (again.created, again.should_commit, len(again.skipped_duplicates)) == (0, False, 1)


def test_include_duplicates_imports_them(db_session, world):
    result = route_import.import_routes(db_session, csv_rows(world, "Zorg Één"), world.coordinator,
                                        include_duplicates=True)
    assert (result.created, result.skipped_duplicates) == (1, [])
    assert count(db_session, "Zorg Één") == 2


def test_a_skipped_duplicate_is_no_failed_row_in_all_or_nothing(db_session, world):
    """All-or-nothing still imports the rest when the only other rows are duplicates."""
    rows = csv_rows(world, "Zorg Één", "Nieuw A", "Nieuw B")
    result = route_import.import_routes(db_session, rows, world.coordinator, mode="all")
    assert (result.created, result.failed_rows, result.should_commit) == (2, 0, True)
    assert [line for line, _ in result.skipped_duplicates] == [2]
