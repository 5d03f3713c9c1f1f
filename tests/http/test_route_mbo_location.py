"""A route's mbo party names the location where it is taught: offered in the
form (the chosen institution's locations), validated, shown, exported, audited."""
import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.models import AuditLog, MboLocation
from portal.services.learning_routes import operations as service
from tests.conftest import login_as
from tests.factories_routes import RouteWorld, route_data


def _location(org, code, name, ended=None):
    from portal.extensions import db
    loc = MboLocation(organisation_id=org.id, code=code, name=name, city="Ede", street="Teststraat 1",
                      ended_on=ended)
    db.session.add(loc)
    db.session.flush()
    return loc


@pytest.fixture
def world(db_session):
    w = RouteWorld()
    w.roc_campus = _location(w.roc, "99XA01", "Campus Zuid (testdata)")
    w.roc_old = _location(w.roc, "99XA02", "Oude locatie (testdata)", ended=date(2025, 1, 1))
    w.other_campus = _location(w.other_roc, "99XB01", "Campus Ander (testdata)")
    w.route = service.register_route(db_session, route_data(w.school, w.roc, title="Zorgroute locatie"), w.staff)
    db_session.commit()
    return w


def _form(world, **changes):
    data = {"title": "Zorgroute locatie", "kind": "glr", "status": "voorbereiding", "pathways": ["BB"],
            "profiles": ["ZW"], "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498",
            "qualification_name": "Helpende zorg en welzijn", "teaching_location": "beide",
            "first_school_year": "2025-2026", "last_school_year": "", "pupils_per_cohort": "",
            "contact_name": "Jan Contact", "contact_email": "jan@example.org", "contact_phone": "0318-123456",
            "description": "", "vmbo_parties": [str(world.school.id)], "mbo_parties": [str(world.roc.id)],
            "version_id": str(world.route.version_id), "opslaan": "1"}
    data.update(changes)
    return data


def test_the_form_offers_the_current_locations_of_the_chosen_institution(client, world):
    login_as(client, world.coordinator)
    page = client.get(f"/leerroutes/{world.route.id}/bewerken").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="mbo_location".*?</select>', page, re.S).group(0)
    assert "Campus Zuid (testdata)" in select_html
    assert "Oude locatie" not in select_html and "Campus Ander" not in select_html


def test_a_location_is_saved_shown_exported_and_audited(client, db_session, world):
    login_as(client, world.coordinator)
    response = client.post(f"/leerroutes/{world.route.id}/bewerken",
                           data=_form(world, mbo_location=str(world.roc_campus.id)))
    assert response.status_code == 302
    db_session.expire_all()
    party = next(p for p in world.route.parties if p.role == "mbo")
    assert party.mbo_location_id == world.roc_campus.id
    page = client.get(f"/leerroutes/{world.route.id}").get_data(as_text=True)
    assert "Les op locatie Campus Zuid (testdata), Ede (99XA01), Teststraat 1" in page
    exported = client.get("/leerroutes/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported), delimiter=";"))
    row = next(r for r in rows if r["titel"] == "Zorgroute locatie")
    assert row["mbo_locatie"] == "Campus Zuid (testdata), Ede (99XA01)"
    entry = db_session.scalars(select(AuditLog).where(AuditLog.object_id == world.route.id,
                                                      AuditLog.action == "update")).all()[-1]
    assert entry.after["mbo_location"] == "Campus Zuid (testdata), Ede (99XA01)"
    # The edit form starts from the stored location; clearing it clears it.
    page = client.get(f"/leerroutes/{world.route.id}/bewerken").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world.roc_campus.id}"|<option value="{world.roc_campus.id}" selected',
                     page)
    version = db_session.get(type(world.route), world.route.id).version_id
    client.post(f"/leerroutes/{world.route.id}/bewerken", data=_form(world, mbo_location="", version_id=str(version)))
    db_session.expire_all()
    assert next(p for p in world.route.parties if p.role == "mbo").mbo_location_id is None


@pytest.mark.parametrize("which", ["other", "ended", "missing", "text"])
def test_a_location_of_another_institution_or_an_ended_one_is_refused_at_the_field(client, db_session, world, which):
    login_as(client, world.coordinator)
    value = {"other": lambda: str(world.other_campus.id), "ended": lambda: str(world.roc_old.id),
             "missing": lambda: "987654", "text": lambda: "campus"}[which]()
    response = client.post(f"/leerroutes/{world.route.id}/bewerken", data=_form(world, mbo_location=value))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = re.search(r'id="mbo_location-fout">([^<]*)', page).group(1)
    expected = {"other": "Kies een locatie van een van de mbo-partijen", "missing": "Kies een locatie van een van",
                "ended": "Deze locatie is beëindigd", "text": "Kies een van de mogelijkheden"}[which]
    assert expected in message
    db_session.expire_all()
    assert all(p.mbo_location_id is None for p in world.route.parties)

