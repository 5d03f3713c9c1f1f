"""No half-saved data: every multi-row save runs in one transaction.

A failure is injected halfway through each multi-row save: a listener on the
engine raises when the save's statements reach a given table (the parent row
and some child rows are already written in the transaction by then). After
the caller's rollback, as the views and the CLI do, the database must hold
exactly what it held before.

Where this is checked: every test runs inside one outer transaction and the
app's commits are savepoints (tests/conftest.py). A save that committed part
of its rows before the failure (a commit inside a service, a save split over
two transactions) releases its savepoint, so those rows survive the rollback
and the comparison below fails; test_the_check_sees_a_save_that_commits_halfway
proves that. The state is read on the test's connection after the rollback,
on SQLite and on PostgreSQL alike.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import LearningRoute
from portal.services.accounts import users as user_service
from portal.services.agreements import funding as agreement_funding
from portal.services.agreements import operations as agreement_operations
from portal.services.learning_routes import csv_import as route_import
from portal.services.learning_routes import operations as route_service
from portal.services.practices import attachments as practice_attachments
from portal.services.practices import operations as practice_service
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_practices import practice_data
from tests.factories_routes import RouteWorld, route_data


class InjectedFailure(RuntimeError):
    """The failure a test injects (an unexpected error: not a ServiceError)."""


def _insert_into(table: str):
    return re.compile(rf"^\s*INSERT INTO\s+\"?{re.escape(table)}\"?[\s(]", re.IGNORECASE)


@contextmanager
def fail_at(table: str, nth: int = 1, after: str | None = None):
    """Raise InjectedFailure when the nth INSERT INTO `table` is about to run
    (counting only those after a first INSERT INTO `after`, if given). Yields
    a dict with the statements that ran before the failure."""
    pattern, start = _insert_into(table), _insert_into(after) if after else None
    seen = {"matching": 0, "started": start is None, "before": []}

    def listener(conn, cursor, statement, parameters, context, executemany):
        if seen["started"] and pattern.match(statement):
            seen["matching"] += 1
            if seen["matching"] == nth:
                raise InjectedFailure(f"injected failure at INSERT INTO {table} #{nth}")
        if start is not None and start.match(statement):
            seen["started"] = True
        seen["before"].append(statement.split("(")[0].strip()[:60])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def database_state(session, detail_tables=()) -> dict:
    """Row counts of every table, and the full rows of `detail_tables` (for
    saves that change or replace rows rather than only add them)."""
    state = {}
    for table in db.metadata.sorted_tables:
        state[table.name] = session.execute(select(func.count()).select_from(table)).scalar_one()
    for name in detail_tables:
        table = db.metadata.tables[name]
        rows = session.execute(select(table)).all()
        state[f"{name} rows"] = sorted(tuple(str(v) for v in row) for row in rows)
    return state


def run_and_roll_back(session, save, table: str, nth: int = 1, detail_tables=(), after: str | None = None):
    """Run `save` with a failure injected at `table`; roll back as the caller
    does; assert the database is as before and return the statements that
    ran before the failure (the part that had been written)."""
    session.commit()  # the test's own setup is kept (a savepoint release)
    before = database_state(session, detail_tables)
    with fail_at(table, nth, after) as seen, pytest.raises(InjectedFailure):
        save()
    session.rollback()
    session.expire_all()
    assert database_state(session, detail_tables) == before, "a failed save left rows behind"
    return seen["before"]


def wrote(statements, *tables) -> bool:
    """Whether rows of all these tables had been written before the failure
    (so the failure really came halfway, not before the save began)."""
    return all(any(re.search(rf"(INSERT INTO|UPDATE|DELETE FROM)\s+\"?{t}\"?\b", s, re.I) for s in statements)
               for t in tables)


# --- leerroutes -------------------------------------------------------------------

@pytest.fixture
def routes(db_session):
    return RouteWorld()


def test_route_create_with_parties_pathways_and_profiles(db_session, routes):
    data = route_data(routes.school, routes.roc, profiles=["ZW", "EO"], pathways=["BB", "KB"])
    done = run_and_roll_back(db_session, lambda: route_service.register_route(db_session, data, routes.coordinator),
                             "route_parties")
    assert wrote(done, "learning_routes", "route_pathways", "route_profiles")


def test_route_update_with_its_child_rows(db_session, routes):
    route = route_service.register_route(db_session, route_data(routes.school, routes.roc), routes.coordinator)
    changed = route_data(routes.school, routes.roc, title="Gewijzigd", profiles=["EO"], pathways=["KB"],
                         mbo_parties=[routes.roc.id, routes.other_roc.id])

    def save():
        route_service.update_route(db_session, route, changed, routes.coordinator, expected_version=route.version_id)

    done = run_and_roll_back(db_session, save, "audit_log",
                             detail_tables=("learning_routes", "route_parties", "route_profiles", "route_pathways"))
    assert wrote(done, "learning_routes", "route_parties", "route_profiles")
    assert db_session.get(LearningRoute, route.id).title == "GLR Zorg"


def test_route_csv_import_of_several_chunks(db_session, routes):
    """150 rows are written in two chunks of 100 and 50: the failure comes in
    the second chunk, after the first chunk's routes, parties and audit rows."""
    from tests.services.test_routes_io import csv_bytes, row
    rows = route_import.parse_csv(csv_bytes(*[row(routes, f"Import fout {i}") for i in range(150)]))
    done = run_and_roll_back(db_session, lambda: route_import.import_routes(db_session, rows, routes.coordinator),
                             "learning_routes", after="audit_log")
    assert wrote(done, "learning_routes", "route_parties", "route_profiles", "audit_log")


# --- samenwerkingsovereenkomsten --------------------------------------------------------

@pytest.fixture
def agreement_world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    return {"vmbo": vmbo, "mbo": mbo, "route": route, "user": vmbo_user}


AGREEMENT_TABLES = ("agreements", "agreement_parties", "funding_shares", "funding_totals",
                    "transfer_guarantees", "agreement_versions", "agreement_routes")


def test_agreement_create_with_parties_routes_and_first_version(db_session, agreement_world):
    w = agreement_world
    done = run_and_roll_back(db_session, lambda: make_agreement(w["user"], w["route"], w["mbo"], complete=False),
                             "agreement_versions")
    assert wrote(done, "agreements", "agreement_parties", "agreement_routes")


def test_agreement_set_parties(db_session, agreement_world):
    from tests.factories import make_organisation
    w = agreement_world
    agreement = make_agreement(w["user"], w["route"], w["mbo"])
    employer = make_organisation("employer", governing_body_name="Bedrijf BV")
    rows = [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name + " NV")
            for p in agreement.parties] + [dict(organisation_id=employer.id, role="employer",
                                                governing_body_name="Bedrijf BV")]
    done = run_and_roll_back(db_session,
                             lambda: agreement_operations.set_parties(db_session, agreement, rows, w["user"]),
                             "audit_log", detail_tables=AGREEMENT_TABLES)
    assert wrote(done, "agreement_parties", "agreement_versions")


def test_agreement_set_funding_replaces_rows_or_keeps_the_old_ones(db_session, agreement_world):
    w = agreement_world
    agreement = make_agreement(w["user"], w["route"], w["mbo"])  # with funding 60/40
    v, m = (next(p for p in agreement.parties if p.role == role) for role in ("vmbo", "mbo"))
    shares = [dict(stream="lumpsum_vo", school_year="2027-2028", party_id=v.id, percentage=Decimal("70")),
              dict(stream="lumpsum_vo", school_year="2027-2028", party_id=m.id, percentage=Decimal("30"))]
    totals = [dict(stream="lumpsum_vo", school_year="2027-2028", amount=Decimal("5000.00"),
                   recipient_party_id=v.id, purpose="Lessen")]
    done = run_and_roll_back(
        db_session, lambda: agreement_funding.set_funding(db_session, agreement, shares, totals, w["user"]),
        "funding_totals", detail_tables=AGREEMENT_TABLES)
    assert wrote(done, "funding_shares")  # the old shares deleted and the new ones inserted, then the failure
    assert [s.percentage for s in agreement.funding_shares] == [Decimal("60.00"), Decimal("40.00")] * 4  # every year


def test_agreement_set_guarantee(db_session, agreement_world):
    w = agreement_world
    agreement = make_agreement(w["user"], w["route"], w["mbo"])
    v = next(p for p in agreement.parties if p.role == "vmbo")
    phases = [dict(from_month=1, to_month=24, destination="vmbo_bb", responsible_party_id=v.id, max_wait_days=3)]
    done = run_and_roll_back(
        db_session, lambda: agreement_funding.set_guarantee(db_session, agreement, 24, phases, w["user"]),
        "audit_log", detail_tables=AGREEMENT_TABLES)
    assert wrote(done, "transfer_guarantees", "agreements")
    assert agreement.route_duration_months == 48 and len(agreement.guarantee_phases) == 2


# --- goede voorbeelden ---------------------------------------------------------------

def test_practice_create_with_themes_regions_and_organisations(db_session, reference_data, routes):
    from portal.models import Region
    regions = list(db_session.scalars(select(Region.id).where(Region.year == 2025).limit(2)))
    assert len(regions) == 2
    data = practice_data(themes=["lob", "techniek", "overstap"], tags="stage, praktijk",
                         region_ids=regions, organisation_ids=[routes.school.id, routes.roc.id])
    done = run_and_roll_back(db_session, lambda: practice_service.create_practice(db_session, data, routes.coordinator),
                             "audit_log")
    assert wrote(done, "good_practices", "practice_themes", "practice_tags", "practice_regions",
                 "practice_organisations")


# --- gebruikers ------------------------------------------------------------------------

def test_user_create_with_its_audit_entry(db_session):
    staff = make_user("staff")

    def save():
        user_service.create_user(db_session, email="half@example.org", name="Half Opgeslagen", role="reader",
                                 password="een lang genoeg wachtwoord", actor=staff)

    done = run_and_roll_back(db_session, save, "audit_log")
    assert wrote(done, "users")
    assert user_service.find_user_by_email(db_session, "half@example.org") is None


# --- the control ------------------------------------------------------------------------

def test_the_check_sees_a_save_that_commits_halfway(db_session, routes, monkeypatch):
    """A route service that committed the route before its audit entry (two
    transactions) leaves the route behind when the audit insert fails; the
    comparison in run_and_roll_back must notice."""
    real_record = route_service.record

    def commit_then_record(session, *args, **kwargs):
        session.commit()
        return real_record(session, *args, **kwargs)

    monkeypatch.setattr(route_service, "record", commit_then_record)
    data = route_data(routes.school, routes.roc, title="Half opgeslagen route")
    with pytest.raises(AssertionError, match="left rows behind"):
        run_and_roll_back(db_session, lambda: route_service.register_route(db_session, data, routes.coordinator),
                          "audit_log")
    assert db_session.scalar(select(LearningRoute).where(LearningRoute.title == "Half opgeslagen route"))


# --- through HTTP --------------------------------------------------------------------------

def _route_form(world, **changes):
    data = {"title": "Route via formulier", "kind": "glr", "status": "concept", "pathways": ["BB", "KB"],
            "profiles": ["ZW"], "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498",
            "qualification_name": "Helpende zorg en welzijn", "teaching_location": "vmbo",
            "first_school_year": "2026-2027", "last_school_year": "", "pupils_per_cohort": "15",
            "contact_name": "", "contact_email": "", "contact_phone": "", "description": "",
            "vmbo_parties": [str(world.school.id)], "mbo_parties": [str(world.roc.id)], "opslaan": "1"}
    data.update(changes)
    return data


def _http(client, db_session, table, request, nth=1, detail_tables=(), after=None, reports=()):
    """Send the request with a failure injected; the view must answer the
    Dutch error page and the database must be as before, except for the
    `reports` tables (an import's record of its own failed run, written after
    the rollback on purpose), which the caller checks."""
    db_session.commit()
    before = database_state(db_session, detail_tables)
    with fail_at(table, nth, after) as seen:
        response = request()
    assert seen["matching"] >= nth, "the failure was not reached"
    db_session.expire_all()
    after_state = database_state(db_session, detail_tables)
    assert {k: v for k, v in after_state.items() if k not in reports} == \
        {k: v for k, v in before.items() if k not in reports}, "a failed request left rows behind"
    return response, seen["before"]


def _failed_import_recorded(db_session, total: int) -> None:
    """The route CSV import that failed left exactly its own record: failed, nothing loaded."""
    from portal.models import ImportRun
    run = db_session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert (run.kind, run.outcome, run.rows_total, run.rows_ok) == ("routes_csv", "failed", total, 0)


def test_route_form_fails_halfway_with_the_error_page_and_nothing_saved(client, db_session, routes):
    login_as(client, routes.coordinator)
    response, done = _http(client, db_session, "route_parties",
                           lambda: client.post("/leerroutes/nieuw", data=_route_form(routes)))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.get_data(as_text=True)
    assert wrote(done, "learning_routes", "route_pathways", "route_profiles")
    # The same form without the failure is stored: the failure, not the input, stopped it.
    assert client.post("/leerroutes/nieuw", data=_route_form(routes)).status_code == 302


def test_funding_form_fails_halfway_and_keeps_the_old_funding(client, db_session, agreement_world):
    w = agreement_world
    agreement = make_agreement(w["user"], w["route"], w["mbo"])
    v, m = (next(p for p in agreement.parties if p.role == role) for role in ("vmbo", "mbo"))
    form = {"share-rows": ["0", "1"], "total-rows": ["0"], "version_id": str(agreement.version_id), "action": "save",
            "share-0-stream": "lumpsum_vo", "share-0-school_year": "2027-2028", "share-0-party_id": str(v.id),
            "share-0-percentage": "55", "share-1-stream": "lumpsum_vo", "share-1-school_year": "2027-2028",
            "share-1-party_id": str(m.id), "share-1-percentage": "45", "total-0-stream": "lumpsum_vo",
            "total-0-school_year": "2027-2028", "total-0-amount": "1000", "total-0-recipient_party_id": str(v.id),
            "total-0-purpose": "Lessen"}
    login_as(client, w["user"])
    response, done = _http(client, db_session, "funding_totals",
                           lambda: client.post(f"/overeenkomsten/{agreement.id}/financiering", data=form),
                           detail_tables=AGREEMENT_TABLES)
    assert response.status_code == 500 and "Er ging iets mis" in response.get_data(as_text=True)
    assert wrote(done, "funding_shares")
    assert client.post(f"/overeenkomsten/{agreement.id}/financiering", data=form).status_code == 302


def test_csv_import_fails_in_the_second_chunk_and_stores_no_row(client, db_session, routes):
    import io

    from tests.services.test_routes_io import csv_bytes, row
    raw = csv_bytes(*[row(routes, f"Import http {i}") for i in range(150)])
    login_as(client, routes.coordinator)

    def send():
        return client.post("/leerroutes/importeren", content_type="multipart/form-data",
                           data={"mode": "all", "bestand": (io.BytesIO(raw), "routes.csv")})

    runs_before = db_session.scalar(select(func.count()).select_from(db.metadata.tables["import_runs"]))
    # The run's record is a write of its own, so it moves the data version (a counter row may appear, and its step is logged).
    response, done = _http(client, db_session, "learning_routes", send, after="audit_log",
                           reports=("import_runs", "data_version_slots", "data_version_changes"))
    assert response.status_code == 500 and "Er ging iets mis" in response.get_data(as_text=True)
    assert wrote(done, "learning_routes", "route_parties", "audit_log")
    assert db_session.scalar(select(func.count()).select_from(db.metadata.tables["import_runs"])) == runs_before + 1
    _failed_import_recorded(db_session, 150)
    count = db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.title.like("Import http %")))
    assert count == 0


def test_streamed_csv_import_fails_halfway_says_so_and_stores_no_row(client, db_session, routes, caplog):
    """More than 200 rows: the page streams progress, so the status is sent
    before the failure; the page then says in Dutch that nothing was saved and
    ends normally (raising after the report would break the connection), and
    the failure is logged with its traceback."""
    import io

    from tests.services.test_routes_io import csv_bytes, row
    raw = csv_bytes(*[row(routes, f"Import stroom {i}") for i in range(230)])
    login_as(client, routes.coordinator)
    db_session.commit()
    before = database_state(db_session)
    with fail_at("learning_routes", after="audit_log") as seen:
        response = client.post("/leerroutes/importeren", content_type="multipart/form-data",
                               data={"mode": "all", "bestand": (io.BytesIO(raw), "routes.csv")})
        # The whole body is read without an exception: the stream is not cut off.
        html = "".join(part if isinstance(part, str) else part.decode() for part in response.response)
    assert seen["matching"] == 1
    assert "De import is mislukt" in html and "er is niets opgeslagen" in html
    assert html.rstrip().endswith("</html>")
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is InjectedFailure]
    assert len(logged) == 1 and "nothing was saved" in logged[0].getMessage()
    db_session.expire_all()
    after = database_state(db_session)
    assert after.pop("import_runs") == before.pop("import_runs") + 1  # its own record, written after the rollback
    for table in ("data_version_slots", "data_version_changes"):  # which that record's write moved and logged
        after.pop(table), before.pop(table)
    assert after == before
    _failed_import_recorded(db_session, 230)


# --- uploads: no file on disk without its row ---------------------------------------------

def _stored_files() -> set[str]:
    from portal.core.uploads import upload_dir
    return {p.name for p in upload_dir().iterdir()}


def test_attachment_that_fails_halfway_leaves_no_file_behind(db_session, routes):
    import io

    from werkzeug.datastructures import FileStorage

    from tests.factories_practices import PDF_BYTES, make_practice
    practice = make_practice(routes.coordinator, status="concept")
    files = _stored_files()

    def save():
        practice_attachments.add_attachment(db_session, practice, FileStorage(io.BytesIO(PDF_BYTES), "plan.pdf"),
                                            "Plan", routes.coordinator)

    done = run_and_roll_back(db_session, save, "audit_log", detail_tables=("practice_attachments",))
    assert wrote(done, "practice_attachments")
    assert _stored_files() == files


def test_refused_signed_document_leaves_no_file_behind(client, db_session, agreement_world):
    import io

    from tests.factories_practices import PDF_BYTES
    w = agreement_world
    agreement = make_agreement(w["user"], w["route"], w["mbo"])  # not signed: the document is refused
    db_session.commit()
    files = _stored_files()
    login_as(client, w["user"])
    response = client.post(f"/overeenkomsten/{agreement.id}/document", content_type="multipart/form-data",
                           data={"document": (io.BytesIO(PDF_BYTES), "getekend.pdf")}, follow_redirects=True)
    assert "nadat alle partijen hebben getekend" in response.get_data(as_text=True)
    assert agreement.document_name is None
    assert _stored_files() == files


@pytest.mark.parametrize("failing_commit", [True, False])
def test_an_attachment_whose_final_commit_fails_leaves_no_file_behind(client, db_session, routes, monkeypatch,
                                                                      failing_commit):
    """The database goes away between the upload and the request's commit: the
    answer is a 503 and the stored file is gone with the row. With a working
    commit the file stays (the control)."""
    import io

    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from tests.factories_practices import PDF_BYTES, make_practice
    practice = make_practice(routes.coordinator, status="concept")
    db_session.commit()
    login_as(client, routes.coordinator)
    page = client.get(f"/bibliotheek/{practice.id}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    files = _stored_files()
    if failing_commit:
        real_commit, inserted = Session.commit, []

        def note_insert(_conn, _cursor, statement, *_args):
            if _insert_into("practice_attachments").match(statement):
                inserted.append(statement)

        def commit(self):
            if inserted:  # the request's commit after the attachment's row was written
                raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))
            return real_commit(self)
        event.listen(db.engine, "before_cursor_execute", note_insert)
        monkeypatch.setattr(Session, "commit", commit)
    response = client.post(f"/bibliotheek/{practice.id}/bijlagen", content_type="multipart/form-data",
                           data={"title": "Plan", "file": (io.BytesIO(PDF_BYTES), "plan.pdf"),
                                 "csrf_token": token.group(1) if token else ""})
    if failing_commit:
        event.remove(db.engine, "before_cursor_execute", note_insert)
        assert inserted and response.status_code == 503
        assert _stored_files() == files
    else:
        assert response.status_code == 302
        assert len(_stored_files() - files) == 1
