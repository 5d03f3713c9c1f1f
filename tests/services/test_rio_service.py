"""Registration of routes at DUO (RIO): recording it per vmbo party (checked,
locked, audited), the active DLR/GLR not registered, marking matches, and
comparing an uploaded DUO list with the portal both ways. Synthetic schools
and routes made by the factories."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.domain.school_year import current_school_year, shift_school_year
from portal.models import AuditLog, RouteParty
from portal.services.learning_routes import history as route_history
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import rio as service
from portal.services.learning_routes import rio_compare
from tests.factories import make_organisation, make_route, make_user

YEAR = current_school_year()


@pytest.fixture
def world(db_session):
    class World:
        school = make_organisation("vmbo", name="Synthetisch Vmbo Noord", vestigingscode="99XA00")
        other_school = make_organisation("vmbo", name="Synthetisch Vmbo Zuid", vestigingscode="99XB00")
        roc = make_organisation("mbo", name="Synthetisch ROC")
        staff = make_user("staff")
        coordinator = make_user("coordinator", school)
    w = World()
    pair = [(w.school, "vmbo"), (w.roc, "mbo")]
    w.dlr = make_route(pair, title="DLR zorg", kind_code="dlr", crebo="25498")
    w.glr = make_route([(w.school, "vmbo"), (w.other_school, "vmbo"), (w.roc, "mbo")], title="GLR techniek",
                       kind_code="glr", crebo="25655")
    w.concept = make_route(pair, title="Concept", kind_code="dlr", crebo="25111", status="concept")
    w.leerlab = make_route(pair, title="Leerlab", kind_code="leerlab", crebo="25112")
    w.ended = make_route(pair, title="Afgelopen", kind_code="dlr", crebo="25113", first_school_year="2020-2021",
                         last_school_year=shift_school_year(YEAR, -1))
    w.later = make_route(pair, title="Start later", kind_code="glr", crebo="25114",
                         first_school_year=shift_school_year(YEAR, 1))
    return w


def party(route, org) -> RouteParty:
    return next(p for p in route.parties if p.organisation_id == org.id)


def test_a_registration_is_stored_and_audited_on_the_route(db_session, world):
    on = date.today() - timedelta(days=3)
    service.set_registration(db_session, world.dlr, world.school.id, True, on, " 100b490 ", world.coordinator)
    p = party(world.dlr, world.school)
    assert (p.rio_registered, p.rio_registered_on, p.rio_code) == (True, on, "100B490")
    (entry,) = db_session.scalars(select(AuditLog).where(AuditLog.object_type == "learning_route",
                                                         AuditLog.object_id == world.dlr.id,
                                                         AuditLog.action == "duo_registration")).all()
    assert entry.before == {"duo_registration": "Synthetisch Vmbo Noord: niet geregistreerd bij DUO"}
    assert entry.after["duo_registration"].startswith("Synthetisch Vmbo Noord: geregistreerd bij DUO op ")
    # The history tab lists it as a change of the field "Registratie bij DUO".
    assert [name for name, _, _ in route_history.field_changes(entry)] == ["duo_registration"]


def test_saving_the_same_registration_again_records_nothing_new(db_session, world):
    on = date.today()
    for _ in range(2):
        service.set_registration(db_session, world.dlr, world.school.id, True, on, None, world.coordinator)
    entries = db_session.scalars(select(AuditLog).where(AuditLog.action == "duo_registration",
                                                        AuditLog.object_id == world.dlr.id)).all()
    assert len(entries) == 1


@pytest.mark.parametrize("registered, on, code, field", [
    (True, date.today() + timedelta(days=1), None, "registered_on"),
    (True, None, None, "registered_on"),
    (True, date.today(), "100 B490", "code"),
    (False, date.today(), None, "registered"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_changes(db_session, world, registered, on, code, field):
    with pytest.raises(ServiceError) as caught:
        service.set_registration(db_session, world.dlr, world.school.id, registered, on, code, world.coordinator)
    assert field in caught.value.errors
    assert party(world.dlr, world.school).rio_registered is False


def test_only_a_vmbo_party_of_a_live_route_has_a_registration(db_session, world):
    with pytest.raises(ServiceError, match="geen vmbo-partij"):
        service.set_registration(db_session, world.dlr, world.roc.id, True, date.today(), None, world.staff)
    route_service.archive_route(db_session, world.glr, world.staff)
    with pytest.raises(ServiceError, match="gearchiveerd"):
        service.set_registration(db_session, world.glr, world.school.id, True, date.today(), None, world.staff)


def test_the_database_refuses_a_registration_on_an_mbo_party(db_session, world):
    """The check constraint, should a write ever bypass the service."""
    from sqlalchemy.exc import IntegrityError
    p = party(world.dlr, world.roc)
    p.rio_registered = True
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_unregistered_lists_the_active_dlr_and_glr_per_school(db_session, world):
    got = {(u.school.name, u.route.title) for u in service.unregistered(db_session, YEAR)
           if u.school.name.startswith("Synthetisch")}
    assert got == {("Synthetisch Vmbo Noord", "DLR zorg"), ("Synthetisch Vmbo Noord", "GLR techniek"),
                   ("Synthetisch Vmbo Zuid", "GLR techniek")}
    service.set_registration(db_session, world.glr, world.school.id, True, date.today(), None, world.staff)
    got = {(u.school.name, u.route.title) for u in service.unregistered(db_session, YEAR)
           if u.school.name.startswith("Synthetisch")}
    assert got == {("Synthetisch Vmbo Noord", "DLR zorg"), ("Synthetisch Vmbo Zuid", "GLR techniek")}
    # Next school year the route that starts later counts too.
    later = {u.route.title for u in service.unregistered(db_session, shift_school_year(YEAR, 1))
             if u.school.id == world.school.id}
    assert later == {"DLR zorg", "Start later"}
    assert service.unregistered_route_ids(db_session, world.school.id, YEAR) == {world.dlr.id}


def test_the_export_rows_name_school_route_and_count_date(db_session, world):
    rows = service.unregistered_rows(service.unregistered(db_session, YEAR, world.other_school.id), YEAR)
    assert rows[0][:3] == ["vestigingscode", "school", "plaats"]
    assert rows[1][0] == "99XB00" and rows[1][4] == "GLR techniek" and rows[1][5] == "GLR"
    assert rows[1][-1] == f"{YEAR[:4]}-10-15"


def test_mark_registered_marks_only_active_unregistered_matches(db_session, world):
    service.set_registration(db_session, world.glr, world.school.id, True, date(2025, 9, 1), "X-1", world.staff)
    changed = service.mark_registered(db_session, [
        (world.dlr.id, world.school.id, YEAR),       # marked
        (world.glr.id, world.school.id, YEAR),       # registered already: its date stays
        (world.concept.id, world.school.id, YEAR),   # not active
        (world.dlr.id, world.roc.id, YEAR),          # no vmbo party
    ], world.staff, date.today())
    assert changed == 1
    assert party(world.dlr, world.school).rio_registered_on == date.today()
    assert party(world.glr, world.school).rio_registered_on == date(2025, 9, 1)
    assert party(world.concept, world.school).rio_registered is False


# --- comparing DUO's list ---------------------------------------------------------

def csv_bytes(lines: list[str], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    return "\r\n".join(line.replace(";", delimiter) for line in lines).encode(encoding)


HEADER = "vestigingscode;crebo;soort;schooljaar"


@pytest.mark.parametrize("delimiter, encoding", [(";", "utf-8"), (",", "utf-8-sig"), ("\t", "cp1252")])
def test_the_file_is_read_in_every_usual_encoding_and_delimiter(delimiter, encoding):
    raw = csv_bytes(["Vestigingscode;CREBO;Soort;Schooljaar", f"99XA00;25498;DLR;{YEAR}", "", f"99xb00;25655;glr;{YEAR}",
                     f"99XA00;25498;DLR;{YEAR}"], delimiter, encoding)
    rows = rio_compare.parse_registered_csv(raw)
    assert [r.key for r in rows] == [("99XA00", "25498", "dlr", YEAR), ("99XB00", "25655", "glr", YEAR)]


def test_a_windows_1252_file_with_accents_is_read():
    raw = ("vestigingscode;crebo;soort;schooljaar;opmerking\r\n"
           f"99XA00;25498;DLR;{YEAR};geïntegreerd\r\n").encode("cp1252")
    assert len(rio_compare.parse_registered_csv(raw)) == 1


@pytest.mark.parametrize("raw, message", [
    (b"", "Het bestand is leeg."),
    (b"vestigingscode;crebo\r\n99XA00;25498\r\n", "Regel 1: kolom(men) ontbreken: soort, schooljaar."),
    (f"{HEADER}\r\n".encode(), "Het bestand bevat geen regels (alleen een kopregel)."),
    (f"{HEADER}\r\n99XA00;25498;DLR;{YEAR}\r\n99XA00;2549;DLR;{YEAR}\r\n".encode(), "Regel 3: "),
    (b"\x00\x01\x02", "Het bestand is geen CSV-tekst."),
])
def test_a_bad_file_is_refused_with_the_line_named(raw, message):
    with pytest.raises(rio_compare.RioFileError) as caught:
        rio_compare.parse_registered_csv(raw)
    assert caught.value.problems[0].startswith(message)


def test_many_bad_lines_are_listed_up_to_a_limit():
    lines = [HEADER] + [f"X{i};1;DLR;{YEAR}" for i in range(30)]
    with pytest.raises(rio_compare.RioFileError) as caught:
        rio_compare.parse_registered_csv(csv_bytes(lines))
    assert len(caught.value.problems) == rio_compare.MAX_REPORTED + 1
    assert caught.value.problems[-1].startswith("… en nog ")


def test_compare_lists_the_differences_both_ways(db_session, world):
    make_organisation("vmbo", name="Synthetisch Vmbo Zonder Route", vestigingscode="99XC00")
    rows = rio_compare.parse_registered_csv(csv_bytes([
        HEADER,
        f"99XA00;25498;DLR;{YEAR}",   # matches the DLR
        f"99XB00;25655;GLR;{YEAR}",   # matches the GLR for the other school
        f"99ZZ99;25498;DLR;{YEAR}",   # unknown school
        f"99XC00;25498;DLR;{YEAR}",   # known school, no such route
        f"99XA00;25111;DLR;{YEAR}",   # the concept: not active
    ]))
    result = rio_compare.compare(db_session, rows)
    assert result.school_years == [YEAR]
    assert {(e.route.title, e.school.name) for e in result.matches} == {
        ("DLR zorg", "Synthetisch Vmbo Noord"), ("GLR techniek", "Synthetisch Vmbo Zuid")}
    reasons = {row.vestigingscode + row.crebo: reason for row, reason in result.only_duo}
    assert reasons == {
        "99ZZ9925498": "Deze vestiging is onbekend in het portaal.",
        "99XC0025498": "Synthetisch Vmbo Zonder Route heeft in het portaal geen DLR met crebo 25498.",
        "99XA0025111": f"De route is in het portaal niet actief in schooljaar {YEAR}.",
    }
    only_portal = {(e.route.title, e.school.name) for e in result.only_portal if e.school.name.startswith("Synth")}
    assert only_portal == {("GLR techniek", "Synthetisch Vmbo Noord")}
    assert {e.route.title for e in result.to_mark} == {"DLR zorg", "GLR techniek"}
