"""Issue 18: every import run leaves a record (also when the import rolls
back), staff see the runs that ended with errors on their to-do list until a
later run of the same import succeeds or they mark it handled, and the CSV
import tells region followers of the actief routes it made."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.domain import imports as rules
from portal.domain import notifications as note_rules
from portal.extensions import db
from portal.models import ImportRun, LearningRoute, Notification, Organisation
from portal.services.imports import runs
from portal.services.learning_routes import csv_import
from portal.services.notifications import preferences
from portal.services.todo.items import items_for
from tests.conftest import require_data_file
from tests.factories import make_user
from tests.factories_map import make_school
from tests.services.test_routes_io import csv_bytes, row


def import_items(user):
    return [i for i in items_for(db.session, user) if i.kind == "import_errors"]


def record(kind="routes_csv", actor=None, *, errors=(), committed=True, rows=3, scope=""):
    return runs.record_run(db.session, kind, actor, committed=committed, rows_total=rows,
                           rows_ok=rows - len(errors), errors=list(errors), scope=scope)


ERROR = rules.RunError(4, "titel", "Titel is verplicht.")


def test_a_run_with_errors_waits_for_staff_until_a_later_run_of_the_same_import_succeeds(db_session):
    staff, coordinator, other = make_user("staff"), make_user("coordinator"), make_user("coordinator")
    scope = rules.scope_for_user(coordinator.id)
    failed = record(actor=coordinator, errors=[ERROR], committed=False, scope=scope)
    assert failed.outcome == rules.FAILED and failed.rows_ok == 0
    items = import_items(staff)
    assert [i.url for i in items] == [f"/beheer/imports/{failed.id}"]
    assert "1 fout, niets geladen" in items[0].detail and coordinator.name in items[0].detail
    assert import_items(coordinator) == [] and import_items(make_user("reader")) == []
    # another person's successful import settles nothing (control), a failed rerun neither
    record(actor=other, scope=rules.scope_for_user(other.id))
    record("mbo")
    assert [i.url for i in import_items(staff)] == [f"/beheer/imports/{failed.id}"]
    record(actor=coordinator, scope=scope)
    assert import_items(staff) == []


def test_staff_can_mark_a_run_handled_and_it_leaves_the_list(db_session):
    staff = make_user("staff")
    run = record("schools", errors=[ERROR, ERROR], committed=True)
    assert run.outcome == rules.PARTIAL and run.rows_ok == 1
    assert len(import_items(staff)) == 1
    runs.mark_handled(db.session, run, staff)
    assert import_items(staff) == [] and run.handled_by_id == staff.id
    with pytest.raises(ServiceError):
        runs.mark_handled(db.session, run, staff)
    with pytest.raises(ServiceError):
        runs.mark_handled(db.session, record("schools"), staff)  # a run without errors: nothing to handle


def test_only_the_first_errors_are_kept_and_all_are_counted(db_session):
    errors = [rules.RunError(n, "", f"Regel {n}: fout") for n in range(2, 2 + rules.MAX_KEPT_ERRORS + 7)]
    run = record(errors=errors, committed=False, rows=len(errors))
    assert run.error_count == rules.MAX_KEPT_ERRORS + 7 and len(run.errors) == rules.MAX_KEPT_ERRORS
    assert run.errors[0] == {"line": 2, "column": "", "message": "Regel 2: fout"}


def test_error_lines_are_read_from_a_loaders_message():
    assert rules.error_from_message("Regel 12: de gemeentenaam ontbreekt.").line == 12
    assert rules.error_from_message("Het bestand is leeg.").line is None


# --- the CLI importers ------------------------------------------------------------------------

def school_files(tmp_path: Path) -> tuple[Path, Path]:
    lines = require_data_file("vo_vestigingen_2024.csv").read_text(encoding="utf-8").splitlines()[:3]
    good = tmp_path / "scholen.csv"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = lines[0].split(",")
    broken = lines[2].split(",")
    broken[header.index("gemeente_code_2025")] = "GM9999"
    bad = tmp_path / "scholen-fout.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(broken)]) + "\n", encoding="utf-8")
    return good, bad


def test_a_refused_cli_import_loads_nothing_but_leaves_its_record(app, db_session, reference_data, tmp_path):
    good, bad = school_files(tmp_path)
    staff = make_user("staff")
    before = db_session.scalar(select(func.max(Organisation.updated_at)))
    result = app.test_cli_runner().invoke(args=["schools", "import", str(bad)])
    assert result.exit_code != 0 and "Niets geladen" in result.output
    assert db_session.scalar(select(func.max(Organisation.updated_at))) == before  # nothing half-loaded
    run = db_session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert (run.kind, run.channel, run.outcome, run.source) == ("schools", "cli", rules.FAILED, str(bad))
    assert run.errors[0]["line"] == 3 and "GM9999" in run.errors[0]["message"]
    assert [i.url for i in import_items(staff)] == [f"/beheer/imports/{run.id}"]
    ok = app.test_cli_runner().invoke(args=["schools", "import", str(good)])
    assert ok.exit_code == 0, ok.output
    last = db_session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert (last.outcome, last.rows_ok) == (rules.OK, 2)
    assert import_items(staff) == []


# --- the CSV import tells region followers ------------------------------------------------------

class RegionWorld:
    def __init__(self):
        self.school = make_school("AM12", name="Vmbo Volgregio")
        self.roc = make_school("AM12", kind="mbo", name="ROC Volgregio")
        self.elsewhere = make_school("AM01", name="Vmbo Elders")
        self.elsewhere_roc = make_school("AM01", kind="mbo", name="ROC Elders")
        self.coordinator = make_user("coordinator", self.school)
        self.staff = make_user("staff")
        self.follower = make_user("reader")
        self.other = make_user("reader")
        preferences.save_preferences(db.session, self.follower, email_events=list(note_rules.EVENTS),
                                     regions=["AM12"], weekly_digest=False, expected_version=None)
        preferences.save_preferences(db.session, self.other, email_events=list(note_rules.EVENTS),
                                     regions=["AM01"], weekly_digest=False, expected_version=None)


def leerlab(world, title, school=None, roc=None, **changes):
    return row(world, title, soort="leerlab", status="actief", vmbo_partijen=(school or world.school).name,
               mbo_partijen=(roc or world.roc).name, crebo="", kwalificatie="", **changes)


def run_import(world, *lines, actor=None):
    return csv_import.import_routes(db.session, csv_import.parse_csv(csv_bytes(*lines)),
                                    actor or world.coordinator, include_duplicates=True)


def region_rows():
    return list(db.session.scalars(select(Notification).where(Notification.event == "region_route_new")
                                   .order_by(Notification.id)))


def test_one_imported_actief_route_reaches_its_regions_followers_as_the_form_would(db_session, reference_data):
    world = RegionWorld()
    result = run_import(world, leerlab(world, "Import leerlab volgregio"),
                        row(world, "Import GLR concept", vmbo_partijen=world.school.name,
                            mbo_partijen=world.roc.name))
    assert result.created == 2 and result.should_commit, [m.message for m in result.messages]
    route = db.session.scalar(select(LearningRoute).where(LearningRoute.title == "Import leerlab volgregio"))
    got = region_rows()
    assert [(n.user_id, n.link, n.subject) for n in got] == [
        (world.follower.id, f"/leerroutes/{route.id}", "Nieuwe leerroute: Import leerlab volgregio")]


def test_many_imported_routes_are_one_message_per_follower(db_session, reference_data):
    world = RegionWorld()
    titles = [f"Import leerlab {n}" for n in range(12)]
    result = run_import(world, *(leerlab(world, t) for t in titles), leerlab(world, "Import elders", world.elsewhere, world.elsewhere_roc),
                        actor=world.staff)
    assert result.created == 13, [m.message for m in result.messages]
    got = {n.user_id: n for n in region_rows()}
    assert set(got) == {world.follower.id, world.other.id}
    summary = got[world.follower.id]
    assert summary.subject == "12 nieuwe leerroutes in regio's die je volgt"
    assert "Import leerlab 0" in summary.summary and "en nog 2" in summary.summary
    assert "Import elders" not in summary.summary
    assert summary.link == "/leerroutes/?status=actief&region=AM12"
    assert got[world.other.id].subject == "Nieuwe leerroute: Import elders"


def test_an_import_that_stores_nothing_tells_nobody(db_session, reference_data):
    world = RegionWorld()
    result = run_import(world, leerlab(world, "Import leerlab goed"), leerlab(world, ""))  # a row without title
    assert not result.should_commit
    assert region_rows() == []
