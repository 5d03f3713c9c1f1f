"""Registration at DUO (RIO) over HTTP: the row editor on the route page (the
vmbo school's coordinator and staff; the mbo party may not), the route page,
export and API showing it, /beheer/rio with its CSV export and the comparison
upload, and the notice and filter in "Mijn leerroutes". Synthetic data."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from portal.domain.school_year import current_school_year
from portal.models import AuditLog
from tests.conftest import login_as
from tests.factories import make_organisation, make_route, make_user

YEAR = current_school_year()


@pytest.fixture
def world(db_session):
    class World:
        school = make_organisation("vmbo", name="Synthetisch Vmbo RIO", vestigingscode="98RA00", city="Ede")
        roc = make_organisation("mbo", name="Synthetisch ROC RIO")
        coordinator = make_user("coordinator", school)
        mbo_coordinator = make_user("coordinator", roc)
        staff = make_user("staff")
    w = World()
    w.route = make_route([(w.school, "vmbo"), (w.roc, "mbo")], title="Synthetische DLR zorg", kind_code="dlr",
                         crebo="25498")
    w.leerlab = make_route([(w.school, "vmbo"), (w.roc, "mbo")], title="Synthetisch leerlab", kind_code="leerlab")
    db_session.commit()
    return w


def editor_url(w) -> str:
    return f"/leerroutes/{w.route.id}/duo-registratie/{w.school.id}"


def test_the_route_page_shows_the_registration_row_with_an_editor_for_the_school(client, world):
    html = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert "Registratie bij DUO" in html and "niet geregistreerd bij DUO" in html
    assert editor_url(world) not in html  # anonymous: no editor
    login_as(client, world.coordinator)
    assert editor_url(world) in client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    login_as(client, world.mbo_coordinator)
    assert editor_url(world) not in client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    # A leerlab is not registered at DUO: no section.
    assert "Registratie bij DUO" not in client.get(f"/leerroutes/{world.leerlab.id}").get_data(as_text=True)


def test_the_school_coordinator_registers_without_javascript(client, db_session, world):
    login_as(client, world.coordinator)
    assert client.get(editor_url(world)).status_code == 200
    on = date.today() - timedelta(days=10)
    response = client.post(editor_url(world), data={"registered": "ja", "registered_on": on.strftime("%d-%m-%Y"),
                                                     "code": "100b490"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#rio-{world.school.id}")
    html = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert f"geregistreerd bij DUO op {on:%d-%m-%Y}, RIO-code 100B490" in html
    history = client.get(f"/leerroutes/{world.route.id}/geschiedenis").get_data(as_text=True)
    assert "Registratie bij DUO" in history


def test_the_htmx_editor_swaps_the_row(client, world):
    login_as(client, world.coordinator)
    headers = {"HX-Request": "true"}
    form = client.get(editor_url(world), headers=headers).get_data(as_text=True)
    assert form.lstrip().startswith("<li id=\"rio-") and "<html" not in form and 'hx-post=' in form
    row = client.post(editor_url(world), headers=headers,
                      data={"registered": "ja", "registered_on": date.today().isoformat(), "code": ""})
    text = row.get_data(as_text=True)
    assert row.status_code == 200 and "Opgeslagen." in text and "geregistreerd bij DUO op" in text
    assert "<form" not in text


def test_a_date_in_the_future_is_a_dutch_error_at_the_field_and_nothing_is_saved(client, db_session, world):
    login_as(client, world.coordinator)
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d-%m-%Y")
    response = client.post(editor_url(world), data={"registered": "ja", "registered_on": tomorrow, "code": "1 2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "De datum van de registratie kan niet in de toekomst liggen." in html
    assert "zonder spaties" in html and 'id="registered_on-fout"' in html
    db_session.expire_all()
    assert not any(p.rio_registered for p in world.route.parties)
    # htmx gets the form back with its errors as a 200 (htmx swaps only 2xx answers).
    htmx = client.post(editor_url(world), headers={"HX-Request": "true"},
                       data={"registered": "ja", "registered_on": "31-02-2026"})
    assert htmx.status_code == 200 and "Schrijf de datum als dd-mm-jjjj" in htmx.get_data(as_text=True)


def test_the_mbo_party_and_other_schools_may_not_edit(client, world):
    login_as(client, world.mbo_coordinator)
    assert client.get(editor_url(world)).status_code == 403
    assert client.post(editor_url(world), data={"registered": "ja"}).status_code == 403
    login_as(client, world.staff)
    assert client.get(f"/leerroutes/{world.route.id}/duo-registratie/{world.roc.id}").status_code == 404


def test_staff_register_and_it_is_audited(client, db_session, world):
    login_as(client, world.staff)
    client.post(editor_url(world), data={"registered": "ja", "registered_on": date.today().isoformat()})
    entry = db_session.query(AuditLog).filter_by(object_id=world.route.id, action="duo_registration").one()
    assert entry.actor_id == world.staff.id


def test_export_and_api_show_the_registration(client, db_session, world):
    login_as(client, world.coordinator)
    on = date.today() - timedelta(days=1)
    client.post(editor_url(world), data={"registered": "ja", "registered_on": on.isoformat(), "code": "X-9"})
    body = client.get("/leerroutes/export.csv?q=Synthetische+DLR").get_data(as_text=True).lstrip("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert row["duo_registratie"] == f"Synthetisch Vmbo RIO (Ede) [98RA00]: geregistreerd {on.isoformat()} RIO-code X-9"
    item = client.get("/api/v1/routes?q=Synthetische+DLR").get_json()["items"][0]
    vmbo = next(o for o in item["organisations"] if o["role"] == "vmbo")
    mbo = next(o for o in item["organisations"] if o["role"] == "mbo")
    assert vmbo["duo_registration"] == {"registered": True, "registered_on": on.isoformat(), "rio_code": "X-9"}
    assert mbo["duo_registration"] is None


def test_mijn_leerroutes_shows_a_notice_and_filters_the_unregistered(client, world):
    registered = make_route([(world.school, "vmbo"), (world.roc, "mbo")], title="Synthetische GLR al gemeld",
                            kind_code="glr")
    registered.parties[0].rio_registered, registered.parties[0].rio_registered_on = True, date.today()
    login_as(client, world.coordinator)
    html = client.get("/leerroutes/mijn").get_data(as_text=True)
    assert "1 actieve leerroute is nog niet geregistreerd bij DUO." in html
    assert "Synthetische GLR al gemeld" in html and "Synthetisch leerlab" in html
    filtered = client.get("/leerroutes/mijn?duo=niet-geregistreerd").get_data(as_text=True)
    assert "Synthetische DLR zorg" in filtered
    assert "Synthetische GLR al gemeld" not in filtered and "Synthetisch leerlab" not in filtered
    # The mbo coordinator has no registrations to make: no notice.
    login_as(client, world.mbo_coordinator)
    assert "nog niet geregistreerd bij DUO" not in client.get("/leerroutes/mijn").get_data(as_text=True)


def test_the_staff_page_lists_unregistered_routes_per_school_with_a_csv(client, world):
    login_as(client, world.staff)
    html = client.get("/beheer/rio/").get_data(as_text=True)
    assert "Synthetisch Vmbo RIO" in html and "Synthetische DLR zorg" in html
    assert "Synthetisch leerlab" not in html
    assert f"15-10-{YEAR[:4]}" in html
    response = client.get(f"/beheer/rio/niet-geregistreerd.csv?schooljaar={YEAR}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "vestigingscode"
    assert ["98RA00", "Synthetisch Vmbo RIO"] in [r[:2] for r in rows[1:]]
    # Once registered it is off the list.
    client.post(editor_url(world), data={"registered": "ja", "registered_on": date.today().isoformat()})
    assert "Synthetische DLR zorg" not in client.get("/beheer/rio/").get_data(as_text=True)
    # A bad school year in the URL falls back to the current one rather than failing.
    assert client.get("/beheer/rio/?schooljaar=2025-2027").status_code == 200


def upload(client, text: str, encoding: str = "utf-8"):
    return client.post("/beheer/rio/vergelijken", content_type="multipart/form-data",
                       data={"bestand": (io.BytesIO(text.encode(encoding)), "duo.csv")})


def test_the_comparison_shows_differences_both_ways_and_marks_after_confirmation(client, db_session, world):
    other = make_route([(world.school, "vmbo"), (world.roc, "mbo")], title="Synthetische GLR niet bij DUO",
                       kind_code="glr", crebo="25655")
    db_session.commit()
    login_as(client, world.staff)
    response = upload(client, "vestigingscode;crebo;soort;schooljaar\r\n"
                              f"98RA00;25498;DLR;{YEAR}\r\n98RB00;25000;GLR;{YEAR}\r\n", "cp1252")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Deze vestiging is onbekend in het portaal." in html  # only at DUO
    assert other.title in html  # only in the portal
    assert "markeer 1 als geregistreerd" in html
    match = f'value="{world.route.id}:{world.school.id}:{YEAR}"'
    assert match in html
    db_session.expire_all()
    assert not world.route.parties[0].rio_registered  # nothing changed before the confirmation
    confirmed = client.post("/beheer/rio/vergelijken/bevestigen",
                            data={"match": f"{world.route.id}:{world.school.id}:{YEAR}"})
    assert confirmed.status_code == 302
    db_session.expire_all()
    assert world.route.parties[0].rio_registered and world.route.parties[0].rio_registered_on == date.today()
    assert not other.parties[0].rio_registered


def test_a_bad_upload_names_the_line_and_compares_nothing(client, world):
    login_as(client, world.staff)
    response = upload(client, f"vestigingscode;crebo;soort;schooljaar\r\n98RA00;25498;DLR;{YEAR}\r\n"
                              f"98RA00;25498;vmbo;{YEAR}\r\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Regel 3: soort" in html and "Uitkomst" not in html
    assert "kolom(men) ontbreken" in upload(client, "naam;crebo\r\nx;1\r\n").get_data(as_text=True)
    missing = client.post("/beheer/rio/vergelijken", data={}, content_type="multipart/form-data")
    assert "Kies een CSV-bestand." in missing.get_data(as_text=True)


def test_a_tampered_confirmation_is_refused(client, world):
    login_as(client, world.staff)
    for value in ("1:2", "x:1:2025-2026", f"{world.route.id}:{world.school.id}:2025-2027"):
        assert client.post("/beheer/rio/vergelijken/bevestigen", data={"match": value}).status_code == 400
