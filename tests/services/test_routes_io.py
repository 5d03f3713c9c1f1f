"""CSV/XLSX export and CSV import of leerroutes."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models import LearningRoute
from portal.services.learning_routes import columns, snapshots
from portal.services.learning_routes import csv_import as route_import
from portal.services.learning_routes import export as route_export
from portal.services.learning_routes import operations as service
from tests.factories_routes import RouteWorld, route_data

HEADER = ";".join(c for c, _ in columns.IMPORT_COLUMNS)


@pytest.fixture
def world(db_session):
    return RouteWorld()


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join((HEADER,) + lines) + "\r\n").encode("utf-8")


def row(world, title="Import GLR", **changes) -> str:
    values = {"titel": title, "soort": "GLR", "status": "concept", "vmbo_partijen": world.school.name,
              "mbo_partijen": f"Iets [id:{world.roc.id}]", "bedrijven": "", "leerwegen": "BB, KB",
              "profielen": "Z&W", "mbo_niveau": "2", "opleidingsdomein": "Zorg en welzijn", "crebo": "25498",
              "kwalificatie": "Helpende zorg en welzijn", "lesplaats": "vmbo-locatie",
              "eerste_schooljaar": "2026-2027", "laatste_schooljaar": "", "leerlingen_per_cohort": "12",
              "contactpersoon": "", "contact_email": "", "contact_telefoon": "", "omschrijving": ""}
    values.update(changes)
    return ";".join(values[c] for c, _ in columns.IMPORT_COLUMNS)


def count(session, title_prefix="Import"):
    return session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.title.startswith(title_prefix)))


def test_a_valid_file_imports_every_row_through_the_service(db_session, world):
    rows = route_import.parse_csv(csv_bytes(row(world, "Import 1"), row(world, "Import 2", soort="vakmanschaproute",
                                                                      leerwegen="KB", mbo_niveau="3", crebo="", lesplaats="")))
    result = route_import.import_routes(db_session, rows, world.coordinator)
    assert (result.total, result.created, result.errors, result.should_commit) == (2, 2, [], True)
    route = db_session.scalar(select(LearningRoute).where(LearningRoute.title == "Import 2"))
    assert route.kind_code == "vakmanschap" and route.mbo_level_code == "3"
    assert route.teaching_location == "beide"
    first = db_session.scalar(select(LearningRoute).where(LearningRoute.title == "Import 1"))
    assert first.teaching_location == "vmbo" and first.pupils_per_cohort == 12
    assert [p.code for p in first.profiles] == ["ZW"]


def test_all_or_nothing_reports_row_column_and_dutch_message(db_session, world):
    rows = route_import.parse_csv(csv_bytes(row(world, "Import goed"), row(world, "Import fout", mbo_niveau="3"),
                                        row(world, "Import ook fout", profielen="Onzin", leerlingen_per_cohort="-2")))
    result = route_import.import_routes(db_session, rows, world.coordinator, mode="all")
    assert result.should_commit is False and result.failed_rows == 2
    found = {(m.row, m.column) for m in result.errors}
    assert (3, "mbo_niveau") in found and (4, "profielen") in found and (4, "leerlingen_per_cohort") in found
    message = next(m.message for m in result.errors if m.row == 3)
    assert "mbo-niveau 2" in message


def test_an_imported_new_glr_cannot_be_actief_without_a_signed_agreement(db_session, world):
    """Issue 4 holds for the import too: the row is refused at the status column."""
    rows = route_import.parse_csv(csv_bytes(row(world, "Import actief", status="actief"), row(world, "Import goed")))
    result = route_import.import_routes(db_session, rows, world.coordinator, mode="valid")
    assert (result.created, result.failed_rows) == (1, 1)
    assert [(m.row, m.column) for m in result.errors] == [(2, "status")]
    assert "getekende samenwerkingsovereenkomst" in result.errors[0].message
    assert count(db_session, "Import actief") == 0


def test_import_the_valid_rows_skips_the_bad_ones(db_session, world):
    rows = route_import.parse_csv(csv_bytes(row(world, "Import goed"), row(world, "Import fout", eerste_schooljaar="2026")))
    result = route_import.import_routes(db_session, rows, world.coordinator, mode="valid")
    assert (result.created, result.failed_rows, result.should_commit) == (1, 1, True)
    assert [(m.row, m.column) for m in result.errors] == [(3, "eerste_schooljaar")]


def test_a_coordinator_cannot_import_routes_of_other_organisations(db_session, world):
    rows = route_import.parse_csv(csv_bytes(row(world, "Import vreemd", vmbo_partijen=world.other_school.name)))
    result = route_import.import_routes(db_session, rows, world.coordinator)
    assert result.created == 0 and "eigen organisatie" in result.errors[0].message


def test_unknown_and_ambiguous_organisations_are_reported(db_session, world):
    rows = route_import.parse_csv(csv_bytes(row(world, "Import x", vmbo_partijen="Bestaat Niet", mbo_partijen="id:999999")))
    result = route_import.import_routes(db_session, rows, world.staff)
    columns = {m.column for m in result.errors}
    assert {"vmbo_partijen", "mbo_partijen"} <= columns


@pytest.mark.parametrize("raw, fragment", [
    (b"", "leeg"),
    (b"titel;soort\r\nx;y\r\n", "ontbreken"),
    ("\ufeff".encode() + HEADER.encode() + b"\r\n", "geen leerroutes"),
    (b"\xff\xfe\x00t", "UTF-8"),
])
def test_unusable_files_are_refused_as_a_whole(raw, fragment):
    with pytest.raises(route_import.ImportFileError) as caught:
        route_import.parse_csv(raw)
    assert fragment in str(caught.value)


def test_the_template_imports_cleanly_when_its_organisations_exist(db_session, world):
    rows = route_import.parse_csv(route_import.template_csv())
    assert rows[0][1]["soort"] == "GLR" and rows[0][1]["vmbo_partijen"] == "02MF00"


def test_export_round_trip_and_formula_escaping(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc, title="=HYPERLINK(\"x\")"),
                                   world.coordinator)
    rows = route_export.export_rows([route], {}, show_contact=True)
    data = route_export.to_csv(rows)
    assert data.startswith("\ufeff".encode()) and b";" in data
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "jan@example.org" in text
    # XLSX: a text cell, quote-prefixed, its value unchanged (tests/http/test_routes_export_cells.py)
    workbook = load_workbook(io.BytesIO(route_export.to_xlsx(rows)))
    title = workbook.active.cell(row=2, column=2)
    assert (title.value, title.data_type, title.quotePrefix) == ('=HYPERLINK("x")', "s", True)
    # exported rows import again (as new routes, once told to import rows identical to a route: issue 20 §4)
    parsed = route_import.parse_csv(data)
    assert parsed[0][1]["titel"] == '=HYPERLINK("x")'
    result = route_import.import_routes(db_session, parsed, world.coordinator, include_duplicates=True)
    assert result.errors == [] and result.created == 1


def test_export_leaves_out_contact_details_when_not_allowed(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    rows = route_export.export_rows([route], {}, show_contact=False)
    assert "contact_email" not in rows[0]
    assert "jan@example.org" not in route_export.to_csv(rows).decode("utf-8-sig")


def test_an_imported_route_has_the_same_audit_snapshot_as_one_from_the_form(db_session, world):
    from portal.models import AuditLog
    rows = route_import.parse_csv(csv_bytes(row(world, "Import audit", leerwegen="KB, BB", profielen="Z&W")))
    result = route_import.import_routes(db_session, rows, world.coordinator)
    assert result.created == 1
    route = db_session.scalar(select(LearningRoute).where(LearningRoute.title == "Import audit"))
    entry = db_session.scalar(select(AuditLog).where(AuditLog.object_type == "learning_route",
                                                     AuditLog.object_id == route.id))
    assert entry.action == "create" and entry.actor_id == world.coordinator.id and entry.before is None
    assert entry.after == snapshots.snapshot(route)
    assert entry.after["pathways"] == ["BB", "KB"] and entry.after["vmbo_parties"] == [world.school.display_name]


def test_export_names_the_profielen_and_writes_times_in_iso_8601_with_the_amsterdam_offset(db_session, world):
    """Issue 20 §5: "Z&W" alone is a code nobody outside the sector reads, and
    laatst_gewijzigd was UTC without saying so."""
    from datetime import UTC, datetime
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    route.updated_at = datetime(2026, 12, 4, 16, 48, 5, tzinfo=UTC)       # winter: CET, +01:00
    rows = route_export.export_rows([route], {}, show_contact=False)
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["profielen"] == "Z&W"
    assert values["profielnamen"] == "Zorg en welzijn"
    assert values["laatst_gewijzigd"] == "2026-12-04T17:48:05+01:00"
    route.updated_at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)              # summer: CEST, +02:00
    summer = dict(zip(rows[0], route_export.export_rows([route], {}, show_contact=False)[1], strict=True))
    assert summer["laatst_gewijzigd"] == "2026-06-01T12:00:00+02:00"
