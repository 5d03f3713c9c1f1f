"""Issue 18: a route CSV import that ended with errors (and stored nothing)
leaves its record; staff find it on /account/te-doen and its errors, with
line numbers, on /beheer/imports/<id>; a coordinator never sees it; a later
successful import by the same person, or staff marking it handled, takes it
off the list."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.models import ImportRun, LearningRoute
from portal.routes.learning_routes.csv_io import STREAM_THRESHOLD
from tests.conftest import login_as
from tests.factories_routes import RouteWorld
from tests.services.test_routes_io import csv_bytes, row


@pytest.fixture
def world(db_session):
    return RouteWorld()


def post(client, raw: bytes, name="leerroutes-maart.csv"):
    return client.post("/leerroutes/importeren", content_type="multipart/form-data",
                       data={"mode": "all", "bestand": (io.BytesIO(raw), name)})


def routes(session):
    return session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.title.startswith("Import")))


def last_run(session):
    return session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()


def todo(client, user) -> str:
    login_as(client, user)
    return client.get("/account/te-doen").get_data(as_text=True)


@pytest.mark.parametrize("clean_rows", [2, STREAM_THRESHOLD + 5], ids=["small", "streamed"])
def test_an_import_with_errors_stores_nothing_and_waits_for_staff_until_a_later_one_succeeds(
        client, db_session, world, clean_rows):
    login_as(client, world.coordinator)
    bad = csv_bytes(*(row(world, f"Import goed {i}") for i in range(clean_rows)),
                    row(world, "Import zonder jaar", eerste_schooljaar=""), row(world, "Import fout", soort="XYZ"))
    response = post(client, bad)
    assert response.status_code == 200 and "Onbekende soort" in response.get_data(as_text=True)  # (streams to its end)
    assert routes(db_session) == 0  # rolled back: nothing half-loaded
    run = last_run(db_session)
    assert (run.kind, run.outcome, run.actor_id, run.source) == ("routes_csv", "failed", world.coordinator.id,
                                                                  "leerroutes-maart.csv")
    assert (run.rows_total, run.rows_ok, run.error_count) == (clean_rows + 2, 0, 2)
    assert {e["line"] for e in run.errors} == {clean_rows + 2, clean_rows + 3}

    page = todo(client, world.staff)
    assert "Import met fouten" in page and f"/beheer/imports/{run.id}" in page
    errors = client.get(f"/beheer/imports/{run.id}").get_data(as_text=True)
    assert "Onbekende soort ‘XYZ’" in errors and f"<td>{clean_rows + 3}</td>" in errors
    for user in (world.coordinator, world.other_coordinator, world.reader):
        assert "Import met fouten" not in todo(client, user)
        assert client.get(f"/beheer/imports/{run.id}").status_code == 403

    login_as(client, world.coordinator)
    assert post(client, csv_bytes(row(world, "Import goed"))).status_code == 200
    assert routes(db_session) == 1 and last_run(db_session).outcome == "ok"
    assert "Import met fouten" not in todo(client, world.staff)


def test_a_file_that_cannot_be_read_is_recorded_and_staff_can_mark_it_handled(client, db_session, world):
    login_as(client, world.coordinator)
    post(client, b"titel;soort\n", name="leeg.csv")
    run = last_run(db_session)
    assert run.outcome == "failed" and run.errors[0]["line"] == 1 and "kolom(men) ontbreken" in run.errors[0]["message"]
    assert f"/beheer/imports/{run.id}" in todo(client, world.staff)
    assert "Markeer als afgehandeld" in client.get(f"/beheer/imports/{run.id}").get_data(as_text=True)
    response = client.post(f"/beheer/imports/{run.id}/afgehandeld", follow_redirects=True)
    assert "afgehandeld" in response.get_data(as_text=True)
    assert f"/beheer/imports/{run.id}" not in todo(client, world.staff)
    listing = client.get("/beheer/imports/").get_data(as_text=True)
    assert "leeg.csv" in listing and "Leerroutes (CSV-import)" in listing


def test_the_list_of_runs_and_the_todo_list_read_a_constant_number_of_statements(client, db_session, world):
    """Who ran each import is read with the runs, not per run (no N+1)."""
    from portal.domain.imports import RunError
    from portal.services.imports import runs
    from tests.conftest import count_queries
    from tests.factories import make_user

    def add_runs(n):
        for _ in range(n):
            runs.record_run(db_session, "routes_csv", make_user("coordinator"), committed=False, rows_total=1,
                            rows_ok=0, errors=[RunError(2, "titel", "Titel ontbreekt.")])

    login_as(client, world.staff)
    add_runs(2)
    counted = {}
    for label in ("few", "many"):
        client.get("/beheer/imports/")
        for url in ("/beheer/imports/", "/account/te-doen"):
            with count_queries(db_session.connection()) as statements:
                assert client.get(url).status_code == 200
            counted[(label, url)] = len(statements)
        add_runs(10)
    assert counted[("few", "/beheer/imports/")] == counted[("many", "/beheer/imports/")]
    assert counted[("few", "/account/te-doen")] == counted[("many", "/account/te-doen")]
    assert client.get("/account/te-doen").get_data(as_text=True).count("Import met fouten") == 22
