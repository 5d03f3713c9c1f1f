"""The /leerroutes pages as a user meets them: the list with facets and htmx,
the form with errors at the fields, the conflict message, the party picker
without JavaScript, history, archive/restore, and the CSV import."""
import re

import pytest
from sqlalchemy import select

from portal.models import AuditLog, LearningRoute
from portal.services.learning_routes import columns
from portal.services.learning_routes import operations as service
from tests.conftest import login_as
from tests.factories_routes import RouteWorld, route_data


@pytest.fixture
def world(db_session):
    w = RouteWorld()
    w.route = service.register_route(db_session, route_data(w.school, w.roc, title="Zorgroute Eerste"), w.staff)
    w.dlr = service.register_route(db_session, route_data(w.other_school, w.other_roc, title="Techniek DLR Ander",
                                                          kind="dlr", mbo_level="4", pathways=["KB"],
                                                          profiles=["PIE"], crebo=None, qualification_name=None,
                                                          mbo_domain="TP"), w.staff)
    return w


def form_data(world, **changes):
    data = {"title": "Nieuwe GLR", "kind": "glr", "status": "concept", "pathways": ["BB"], "profiles": ["ZW"],
            "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498", "qualification_name": "Helpende zorg en welzijn",
            "teaching_location": "vmbo", "first_school_year": "2026-2027", "last_school_year": "",
            "pupils_per_cohort": "15", "contact_name": "", "contact_email": "", "contact_phone": "",
            "description": "", "vmbo_parties": [str(world.school.id)], "mbo_parties": [str(world.roc.id)],
            "opslaan": "1"}
    data.update(changes)
    return data


def test_list_filters_and_facet_counts(client, world):
    html = client.get("/leerroutes/?kind=dlr").get_data(as_text=True)
    assert "Techniek DLR Ander" in html and "Zorgroute Eerste" not in html
    assert "1 leerroute gevonden" in html
    # the kind facet still counts the other kinds (its own filter is left out)
    assert re.search(r'id="fc-kind-glr">\((\d+)\)', html).group(1) != "0"
    assert 'id="f-kind-dlr" checked' in html
    assert re.search(r'id="fc-level-4">\(1\)', html)


def test_htmx_request_returns_the_results_and_the_counts_only(client, world):
    response = client.get("/leerroutes/?q=Zorgroute", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="route-results"' in html
    assert 'hx-swap-oob="true"' in html and "Zorgroute Eerste" in html and "Techniek DLR" not in html
    assert "HX-Request" in response.headers["Vary"]
    # the export links carry the same filters
    assert "/leerroutes/export.csv?q=Zorgroute" in html


def test_sorting_and_pagination(client, world, app):
    app.config["PAGE_SIZE"] = 25
    html = client.get("/leerroutes/?sort=titel&q=r").get_data(as_text=True)
    assert html.index("Techniek DLR Ander") < html.index("Zorgroute Eerste")
    html = client.get("/leerroutes/?sort=onzin").get_data(as_text=True)
    assert 'value="titel" selected' in html
    assert client.get("/leerroutes/?pagina=999").status_code == 200
    assert client.get("/leerroutes/?pagina=x&region=XX&level=9").status_code == 200


def test_detail_shows_the_derived_regions_line(client, world):
    html = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert "Zorgroute Eerste" in html and "arbeidsmarktregio" in html


def test_create_shows_the_dutch_error_at_the_field_and_keeps_the_input(client, world):
    login_as(client, world.coordinator)
    response = client.post("/leerroutes/nieuw", data=form_data(world, mbo_level="3", description="Mijn tekst"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # re-rendered with the errors (a 4xx would log a console error)
    error = re.search(r'<p class="error" id="mbo_level-fout">([^<]*)</p>', html)
    assert error and "mbo-niveau 2" in error.group(1)
    assert 'aria-describedby="mbo_level-hint mbo_level-fout"' in html
    assert "Mijn tekst" in html and 'value="Nieuwe GLR"' in html
    assert f'id="party-mbo-{world.roc.id}" checked' in html
    response = client.post("/leerroutes/nieuw", data=form_data(world))
    assert response.status_code == 302
    route = client.application.extensions["sqlalchemy"].session.scalar(
        select(LearningRoute).where(LearningRoute.title == "Nieuwe GLR"))
    assert response.headers["Location"].endswith(f"/leerroutes/{route.id}")
    assert route.created_by_id == world.coordinator.id and route.status == "concept"


@pytest.mark.parametrize("kind", ["glr", "dlr"])
def test_a_new_dlr_or_glr_cannot_start_as_actief_without_a_signed_agreement(client, world, db_session, kind):
    """Issue 4: no agreement can cover a route that does not exist yet, so a
    new DLR/GLR registered as actief is refused at the status field, and
    nothing is saved. Other kinds may start as actief."""
    login_as(client, world.coordinator)
    title = f"Nieuwe {kind} meteen actief"
    response = client.post("/leerroutes/nieuw", data=form_data(world, title=title, kind=kind, status="actief"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'<p class="error" id="status-fout">([^<]*)</p>', html)
    assert error and "getekende samenwerkingsovereenkomst" in error.group(1)
    assert db_session.scalar(select(LearningRoute.id).where(LearningRoute.title == title)) is None
    response = client.post("/leerroutes/nieuw", data=form_data(
        world, title="Vakmanschaproute meteen actief", kind="vakmanschap", status="actief",
        teaching_location="beide", crebo="", qualification_name=""))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_the_create_form_prefills_the_coordinators_organisation(client, world):
    login_as(client, world.coordinator)
    html = client.get("/leerroutes/nieuw").get_data(as_text=True)
    assert f'id="party-vmbo-{world.school.id}" checked' in html


def test_party_search_works_without_javascript(client, world):
    login_as(client, world.coordinator)
    data = form_data(world, mbo_parties=[], zoek="mbo", zoek_mbo_q="Andere")
    response = client.post("/leerroutes/nieuw", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="result-mbo-{world.other_roc.id}"' in html and "ROC Andere" in html
    assert "Controleer het formulier" not in html  # a search does not save or validate
    # with JavaScript the picker asks the search as you type
    htmx = client.get("/zoeken/organisaties?kind=mbo&q=Andere&field=zoek_mbo_q").get_data(as_text=True)
    assert f'data-value="{world.other_roc.id}"' in htmx and f'data-value="{world.roc.id}"' not in htmx


def test_conflicting_edits_show_the_other_change_and_keep_the_input(client, world, db_session):
    route = world.route
    opened = route.version_id
    # somebody else saves first
    service.update_route(db_session, route, route_data(world.school, world.roc, title="Zorgroute Eerste",
                                                       pupils_per_cohort=33), world.mbo_coordinator,
                         expected_version=opened)
    db_session.flush()
    login_as(client, world.coordinator)
    data = form_data(world, title="Mijn nieuwe titel", version_id=str(opened), status="voorbereiding")
    response = client.post(f"/leerroutes/{route.id}/bewerken", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Iemand anders heeft deze leerroute intussen gewijzigd" in html
    assert world.mbo_coordinator.name in html and "Leerlingen per cohort" in html and "33" in html
    assert 'value="Mijn nieuwe titel"' in html
    version = re.search(r'id="version_id" name="version_id" type="hidden" value="(\d+)"', html).group(1)
    assert int(version) == route.version_id
    db_session.refresh(route)
    assert route.title == "Zorgroute Eerste"
    # saving again (now on the current version) applies the second person's input
    response = client.post(f"/leerroutes/{route.id}/bewerken", data={**data, "version_id": version})
    assert response.status_code == 302
    db_session.refresh(route)
    assert route.title == "Mijn nieuwe titel"


def test_history_tab_lists_who_changed_what_from_what_to_what(client, world, db_session):
    login_as(client, world.coordinator)
    route = world.route
    data = form_data(world, title="Zorgroute Gewijzigd", version_id=str(route.version_id), status="voorbereiding")
    assert client.post(f"/leerroutes/{route.id}/bewerken", data=data).status_code == 302
    html = client.get(f"/leerroutes/{route.id}/geschiedenis").get_data(as_text=True)
    assert "Geschiedenis" in html and world.coordinator.name in html
    row = re.search(r"<td>Titel</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", html)
    assert row and row.groups() == ("Zorgroute Eerste", "Zorgroute Gewijzigd")
    assert "Gewijzigd" in html and "Geregistreerd" in html


def test_archive_hides_the_route_and_staff_restore_it(client, world, db_session):
    login_as(client, world.coordinator)
    assert client.post(f"/leerroutes/{world.route.id}/archiveren").status_code == 302
    assert client.get(f"/leerroutes/{world.route.id}").status_code == 404
    assert "Zorgroute Eerste" not in client.get("/leerroutes/").get_data(as_text=True)
    client.post("/logout")
    login_as(client, world.staff)
    html = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert "gearchiveerd" in html and "Herstellen" in html
    assert client.post(f"/leerroutes/{world.route.id}/herstellen").status_code == 302
    client.post("/logout")
    assert client.get(f"/leerroutes/{world.route.id}").status_code == 200
    actions = [e.action for e in db_session.scalars(select(AuditLog).where(
        AuditLog.object_type == "learning_route", AuditLog.object_id == world.route.id).order_by(AuditLog.id))]
    assert actions == ["create", "archive", "restore"]


def test_mine_lists_the_organisations_routes_including_concepts(client, world, db_session):
    service.register_route(db_session, route_data(world.school, world.roc, title="Mijn concept", status="concept"),
                           world.staff)
    login_as(client, world.coordinator)
    html = client.get("/leerroutes/mijn").get_data(as_text=True)
    assert "Zorgroute Eerste" in html and "Mijn concept" in html and "Techniek DLR Ander" not in html


def csv_upload(world, rows):
    header = ";".join(c for c, _ in columns.IMPORT_COLUMNS)
    lines = [header]
    for title, level in rows:
        values = {c: "" for c, _ in columns.IMPORT_COLUMNS}
        values.update({"titel": title, "soort": "GLR", "vmbo_partijen": world.school.name,
                       "mbo_partijen": world.roc.name, "leerwegen": "BB", "profielen": "Z&W", "mbo_niveau": level,
                       "crebo": "25498", "kwalificatie": "Helpende", "eerste_schooljaar": "2026-2027"})
        lines.append(";".join(values[c] for c, _ in columns.IMPORT_COLUMNS))
    return ("\ufeff" + "\r\n".join(lines)).encode()


def imported(db_session, prefix):
    return db_session.scalars(select(LearningRoute.title).where(LearningRoute.title.startswith(prefix))).all()


def test_import_all_or_nothing_then_valid_rows(client, world, db_session):
    import io
    login_as(client, world.coordinator)
    raw = csv_upload(world, [("CSV goed", "2"), ("CSV fout", "3")])
    response = client.post("/leerroutes/importeren", data={"mode": "all", "bestand": (io.BytesIO(raw), "r.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Er is niets geïmporteerd" in html
    assert re.search(r"<td>3</td><td>mbo_niveau</td><td>fout</td><td>[^<]*mbo-niveau 2", html)
    assert imported(db_session, "CSV") == []
    response = client.post("/leerroutes/importeren", data={"mode": "valid", "bestand": (io.BytesIO(raw), "r.csv")},
                           content_type="multipart/form-data")
    assert "1 van 2 leerroutes geïmporteerd" in response.get_data(as_text=True)
    assert imported(db_session, "CSV") == ["CSV goed"]


def test_a_large_import_streams_progress_then_the_report(client, world, db_session):
    import io
    login_as(client, world.coordinator)
    raw = csv_upload(world, [(f"Groot {i}", "2") for i in range(250)])
    response = client.post("/leerroutes/importeren", data={"mode": "all", "bestand": (io.BytesIO(raw), "r.csv")},
                           content_type="multipart/form-data")
    assert response.is_streamed
    html = response.get_data(as_text=True)
    assert html.count("<progress") == 3  # after 100, 200 and 250 rows
    assert 'value="250" max="250"' in html
    assert "250 van 250 leerroutes geïmporteerd" in html and html.rstrip().endswith("</html>")
    assert len(imported(db_session, "Groot ")) == 250


def test_import_refuses_an_unusable_file_with_a_message_at_the_field(client, world):
    import io
    login_as(client, world.coordinator)
    response = client.post("/leerroutes/importeren", data={"mode": "all", "bestand": (io.BytesIO(b"a,b\n1,2"), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200  # re-rendered with the errors (a 4xx would log a console error)
    assert 'id="bestand-fout"' in response.get_data(as_text=True)
    template = client.get("/leerroutes/importeren/sjabloon.csv")
    assert template.data.startswith("\ufeff".encode()) and b"titel;soort;status" in template.data


def test_the_list_pages_with_links_htmx_swaps_and_the_url_keeps(client, db_session):
    from tests.factories import make_route
    for n in range(27):
        make_route(title=f"Bladerroute {n:02d}", status="actief")
    db_session.flush()
    first = client.get("/leerroutes/?q=Bladerroute").get_data(as_text=True)
    assert "Bladerroute 00" in first and "Bladerroute 26" not in first
    nav = first[first.index('aria-label="Paginering"'):]
    assert '<span aria-current="page">1</span>' in nav
    nxt = re.search(r'<a href="([^"]*pagina=2[^"]*)" hx-get="[^"]*" hx-target="#route-results"[^>]*>Volgende</a>', nav)
    assert nxt, nav[:600]
    second = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Bladerroute 26" in second and "Bladerroute 00" not in second
    assert "Vorige</a>" in second and '<span aria-current="page">2</span>' in second
