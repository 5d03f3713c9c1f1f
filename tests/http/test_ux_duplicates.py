"""Issue 20 §4, duplicates: Back and submit the create form again, or import
the same CSV again, must not silently make a second identical route (same
title, vmbo school and first school year, not archived)."""
import io
import re

import pytest
from sqlalchemy import func, select

from portal.models import LearningRoute
from portal.services.learning_routes import columns
from portal.services.learning_routes import operations as service
from tests.conftest import login_as
from tests.factories_routes import RouteWorld, route_data


@pytest.fixture
def world(db_session):
    w = RouteWorld()
    w.route = service.register_route(db_session, route_data(w.school, w.roc, title="Zorgroute Eerste",
                                                            first_school_year="2026-2027"), w.staff)
    return w


def form_data(world, **changes):
    data = {"title": "Zorgroute Eerste", "kind": "glr", "status": "concept", "pathways": ["BB"],
            "profiles": ["ZW"], "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498",
            "qualification_name": "Helpende zorg en welzijn", "teaching_location": "vmbo",
            "first_school_year": "2026-2027", "last_school_year": "", "pupils_per_cohort": "15",
            "contact_name": "", "contact_email": "", "contact_phone": "", "description": "",
            "vmbo_parties": [str(world.school.id)], "mbo_parties": [str(world.roc.id)], "opslaan": "1",
            "submission_key": "k" * 32}
    data.update(changes)
    return data


def count(db_session, title):
    return db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.title == title))


def test_a_duplicate_is_held_with_a_link_to_the_existing_route(client, world, db_session):
    """Back, then submit again (a new submission key): the form comes back with the question."""
    login_as(client, world.coordinator)
    response = client.post("/leerroutes/nieuw", data=form_data(world, title="  zorgroute   EERSTE "))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    link = f'<a href="/leerroutes/{world.route.id}">Zorgroute Eerste</a>'
    assert f"Deze leerroute bestaat al: {link}. Toch opslaan?" in html
    assert 'name="toch_opslaan" value="1"' in html
    assert 'value="zorgroute   EERSTE"' in html  # the input is kept (stripped by the input boundary)
    assert count(db_session, "Zorgroute Eerste") == 1
    assert db_session.scalar(select(func.count(LearningRoute.id))
                             .where(func.lower(LearningRoute.title).like("%zorgroute%eerste%"))) == 1


def test_confirming_saves_the_second_route(client, world, db_session):
    login_as(client, world.coordinator)
    held = client.post("/leerroutes/nieuw", data=form_data(world))
    assert "Toch opslaan?" in held.get_data(as_text=True)
    response = client.post("/leerroutes/nieuw", data=form_data(world, toch_opslaan="1"))
    assert response.status_code == 302
    assert count(db_session, "Zorgroute Eerste") == 2
    second = db_session.scalar(select(LearningRoute.id).where(LearningRoute.title == "Zorgroute Eerste",
                                                              LearningRoute.id != world.route.id))
    assert response.headers["Location"].endswith(f"/leerroutes/{second}")


@pytest.mark.parametrize("changes", [{"title": "Zorgroute Tweede"}, {"first_school_year": "2027-2028"}],
                         ids=["other-title", "other-first-year"])
def test_a_different_route_saves_at_once(client, world, db_session, changes):
    login_as(client, world.coordinator)
    response = client.post("/leerroutes/nieuw", data=form_data(world, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "Toch opslaan?" not in client.get(response.headers["Location"]).get_data(as_text=True)
    title = changes.get("title", "Zorgroute Eerste")
    assert count(db_session, title) == (1 if "title" in changes else 2)


def test_another_vmbo_school_or_an_archived_route_is_no_duplicate(client, world, db_session):
    login_as(client, world.staff)
    response = client.post("/leerroutes/nieuw", data=form_data(world, vmbo_parties=[str(world.other_school.id)]))
    assert response.status_code == 302
    service.archive_route(db_session, world.route, world.staff)
    db_session.commit()
    response = client.post("/leerroutes/nieuw", data=form_data(world, submission_key="m" * 32))
    assert response.status_code == 302
    assert count(db_session, "Zorgroute Eerste") == 3


def test_a_route_the_user_cannot_see_is_not_named(client, world, db_session):
    """A concept of other organisations stays hidden: no title, no link."""
    hidden = service.register_route(db_session, route_data(world.other_school, world.other_roc, title="Geheim concept",
                                                           status="concept", first_school_year="2026-2027"),
                                    world.staff)
    db_session.commit()
    login_as(client, world.mbo_coordinator)
    response = client.post("/leerroutes/nieuw", data=form_data(
        world, title="Geheim concept", vmbo_parties=[str(world.other_school.id)]))
    assert f"/leerroutes/{hidden.id}" not in response.get_data(as_text=True)
    assert response.status_code == 302


# --- the CSV import ------------------------------------------------------------

def csv_upload(world, titles):
    lines = [";".join(c for c, _ in columns.IMPORT_COLUMNS)]
    for title in titles:
        values = {c: "" for c, _ in columns.IMPORT_COLUMNS}
        values.update({"titel": title, "soort": "GLR", "vmbo_partijen": world.school.name,
                       "mbo_partijen": world.roc.name, "leerwegen": "BB", "profielen": "Z&W", "mbo_niveau": "2",
                       "crebo": "25498", "kwalificatie": "Helpende", "eerste_schooljaar": "2026-2027"})
        lines.append(";".join(values[c] for c, _ in columns.IMPORT_COLUMNS))
    return ("\ufeff" + "\r\n".join(lines)).encode()


def post_import(client, raw, **extra):
    return client.post("/leerroutes/importeren", data={"mode": "all", "bestand": (io.BytesIO(raw), "r.csv"), **extra},
                       content_type="multipart/form-data")


def test_reimporting_the_same_csv_skips_the_rows_that_exist_and_links_them(client, world, db_session):
    login_as(client, world.coordinator)
    raw = csv_upload(world, ["Dubbel A", "Dubbel B"])
    first = post_import(client, raw).get_data(as_text=True)
    ids = dict(db_session.execute(select(LearningRoute.title, LearningRoute.id)
                                  .where(LearningRoute.title.startswith("Dubbel "))).all())
    assert "2 van 2 leerroutes geïmporteerd" in first
    for title, route_id in ids.items():  # the report names and links what it created
        assert f'<li><a href="/leerroutes/{route_id}">{title}</a></li>' in first
    again = post_import(client, csv_upload(world, ["Dubbel A", "Dubbel B", "Dubbel C"])).get_data(as_text=True)
    assert "1 van 3 leerroutes geïmporteerd" in again and "2 regels bestonden al" in again
    for line, title in ((2, "Dubbel A"), (3, "Dubbel B")):
        assert f'<tr><td>{line}</td><td><a href="/leerroutes/{ids[title]}">{title}</a></td></tr>' in again
    assert re.search(r"<td>2</td><td>titel</td><td>waarschuwing</td><td>Deze leerroute bestaat al", again)
    assert [count(db_session, t) for t in ("Dubbel A", "Dubbel B", "Dubbel C")] == [1, 1, 1]
    nothing = post_import(client, csv_upload(world, ["Dubbel C"])).get_data(as_text=True)
    assert "Er is niets geïmporteerd" in nothing and "De regel bestaat al als leerroute" in nothing
    assert count(db_session, "Dubbel C") == 1


def test_ticking_include_duplicates_imports_them_again(client, world, db_session):
    login_as(client, world.coordinator)
    html = client.get("/leerroutes/importeren").get_data(as_text=True)
    assert "ook dubbele rijen importeren" in html
    response = post_import(client, csv_upload(world, ["Zorgroute Eerste"]), include_duplicates="y")
    assert "1 van 1 leerroute geïmporteerd" in response.get_data(as_text=True)
    assert count(db_session, "Zorgroute Eerste") == 2


def test_a_large_streamed_reimport_skips_the_duplicates_too(client, world, db_session):
    login_as(client, world.coordinator)
    raw = csv_upload(world, [f"Stroom {i}" for i in range(201)])
    first = post_import(client, raw)
    assert first.is_streamed and "201 van 201 leerroutes geïmporteerd" in first.get_data(as_text=True)
    response = post_import(client, raw)
    assert response.is_streamed
    html = response.get_data(as_text=True)
    assert "Er is niets geïmporteerd" in html and "Alle regels bestaan al als leerroute" in html
    assert html.count('<tr><td>') >= 201 and html.rstrip().endswith("</html>")
    assert db_session.scalar(select(func.count(LearningRoute.id))
                             .where(LearningRoute.title.startswith("Stroom "))) == 201
    ticked = post_import(client, raw, include_duplicates="y")
    assert ticked.is_streamed and "201 van 201 leerroutes geïmporteerd" in ticked.get_data(as_text=True)
    assert count(db_session, "Stroom 0") == 2
