"""The CSV import over HTTP with hostile cells (issue 14): the small import
and the streamed one (more than STREAM_THRESHOLD rows) answer the report with
each hostile cell at its row and column, save nothing, and the streamed page
ends normally (before, '--5' or 4,301 digits raised halfway through the
stream after the page had said "niets opgeslagen", which breaks the
connection; NUL was stored on SQLite and a 500 on PostgreSQL)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.models import AuditLog, LearningRoute
from portal.routes.learning_routes.csv_io import STREAM_THRESHOLD
from tests.conftest import login_as
from tests.factories_routes import RouteWorld
from tests.services.test_routes_io import csv_bytes, row

HOSTILE = {
    "titel": "Import \x00 nul", "leerlingen_per_cohort": "--5", "eerste_schooljaar": "0000-0001",
    "mbo_partijen": "id:" + "9" * 5000, "kwalificatie": "Helpende \u202ezorg", "contactpersoon": "c" * 300,
}


@pytest.fixture
def world(db_session):
    return RouteWorld()


def counts(session):
    return (session.scalar(select(func.count(LearningRoute.id))), session.scalar(select(func.count(AuditLog.id))))


def post(client, raw: bytes, mode: str = "all"):
    return client.post("/leerroutes/importeren", content_type="multipart/form-data",
                       data={"mode": mode, "bestand": (io.BytesIO(raw), "routes.csv")})


def hostile_file(world, clean_rows: int) -> bytes:
    lines = [row(world, f"Import schoon {i}") for i in range(clean_rows)]
    lines += [row(world, f"Import vijandig {column}", **{column: value}) for column, value in HOSTILE.items()]
    return csv_bytes(*lines)


def reported(html: str) -> set[tuple[int, str]]:
    return {(int(line), column) for line, column in
            re.findall(r"<tr><td>(\d+)</td><td>([a-z_]+)</td><td>fout</td>", html)}


@pytest.mark.parametrize("clean_rows", [3, STREAM_THRESHOLD + 20], ids=["small", "streamed"])
def test_hostile_cells_are_reported_per_row_and_nothing_is_saved(client, db_session, world, clean_rows):
    login_as(client, world.coordinator)
    before = counts(db_session)
    response = post(client, hostile_file(world, clean_rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)  # the streamed body is read to its end without an exception
    assert ("<progress" in html) is (clean_rows > STREAM_THRESHOLD)
    assert html.rstrip().endswith("</html>")
    assert "Er is niets geïmporteerd" in html and "De import is mislukt" not in html
    first_hostile = clean_rows + 2
    expected = {(first_hostile + i, column) for i, column in enumerate(HOSTILE)}
    assert expected <= reported(html)
    assert "\x00" not in html and "\u202e" not in html
    db_session.expire_all()
    assert counts(db_session) == before


def test_importing_the_valid_rows_saves_the_clean_ones_only(client, db_session, world):
    """The control: the same file with 'the valid rows' saves the clean rows,
    so the hostile ones were refused one by one, not the file as a whole."""
    login_as(client, world.coordinator)
    response = post(client, hostile_file(world, 3), mode="valid")
    assert "3 van 9 leerroutes geïmporteerd" in response.get_data(as_text=True)
    db_session.expire_all()
    titles = db_session.scalars(select(LearningRoute.title).where(LearningRoute.title.like("Import %"))).all()
    assert sorted(titles) == ["Import schoon 0", "Import schoon 1", "Import schoon 2"]


def test_a_file_with_undecodable_bytes_names_the_line(client, world):
    login_as(client, world.coordinator)
    raw = csv_bytes(row(world, "Import 1"), row(world, "Import 2")).replace(b"Import 2", b"Import \xff 2")
    html = post(client, raw).get_data(as_text=True)
    assert 'id="bestand-fout"' in html and "Regel 3: het bestand is geen UTF-8-tekst" in html
