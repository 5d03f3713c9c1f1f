"""/organisaties/<id>/aanbod (a school's own offer) and /beheer/mbo-instellingen
(bekostigd): pages, permissions, validation at the field, audit, CSRF."""
import re

import pytest
from sqlalchemy import select

from portal.domain.school_year import current_school_year
from portal.models import AuditLog, OfferBasis, OfferProfileFigure, OfferStatement
from portal.services.reference.offer_basis import refresh_offer
from tests.conftest import login_as
from tests.factories import make_organisation, make_user


@pytest.fixture
def school(db_session, reference_data):
    """A synthetic vmbo school (test data) with DUO figures of 2019-2020."""
    org = make_organisation("vmbo", name="Synthetische Vmbo (testdata)", vestigingscode="99XA00", brin="99XA",
                            vestigingsnummer="00")
    db_session.add_all([
        OfferProfileFigure(vestigingscode="99XA00", school_year="2019-2020", source="duo_leerlingen",
                           pathway_code="BB", profile_code="ZW", duo_name="Zorg en welzijn", pupils_year3=12,
                           pupils_year4=10),
        OfferProfileFigure(vestigingscode="99XA00", school_year="2019-2020", source="duo_leerlingen",
                           pathway_code="BB", profile_code=None, duo_name="Vakmanschapsroute Techniek",
                           pupils_year3=4, pupils_year4=0),
    ])
    db_session.flush()
    refresh_offer(db_session, [org.id])
    db_session.commit()
    return org


def test_the_school_coordinator_sees_duo_and_corrects_the_offer(client, db_session, school):
    login_as(client, make_user("coordinator", school))
    page = client.get(f"/organisaties/{school.id}/aanbod").get_data(as_text=True)
    assert "De portal rekent met de profielen volgens DUO, 2019-2020." in page
    assert "Vakmanschapsroute Techniek" in page and "(programma, geen profiel)" in page
    assert "nog niet opgegeven" in page
    # the form starts from what the portal uses now (DUO): BB with Zorg en welzijn
    assert re.search(r'name="pathways" value="BB" id="pathways-1" checked', page)
    response = client.post(f"/organisaties/{school.id}/aanbod", data={"pathways": ["BB", "KB"],
                                                                      "profiles": ["ZW", "PIE"]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"profielen opgegeven door de school, {current_school_year()}" in page
    assert re.search(r"opgegeven door de school, \d\d-\d\d-\d{4}, schooljaar", page)
    db_session.expire_all()
    assert {p.code for p in school.profiles} == {"ZW", "PIE"}
    assert [p.code for p in school.pathways] == ["BB", "KB"]
    basis = db_session.get(OfferBasis, school.id)
    assert (basis.profiles_source, basis.profiles_school_year) == ("school", current_school_year())
    entry = db_session.scalar(select(AuditLog).where(AuditLog.object_id == school.id,
                                                     AuditLog.action == "state_offer"))
    assert entry.after["profielen"] == ["PIE", "ZW"]


def test_a_wrong_offer_is_an_error_at_the_field_and_saves_nothing(client, db_session, school):
    login_as(client, make_user("coordinator", school))
    response = client.post(f"/organisaties/{school.id}/aanbod", data={"pathways": ["TL"], "profiles": ["ZW"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="profiles-fout">Een beroepsgericht profiel hoort bij BB, KB of GL', page)
    response = client.post(f"/organisaties/{school.id}/aanbod", data={"profiles": ["XX"]})
    page = response.get_data(as_text=True)
    assert 'id="pathways-fout">Kies minstens één leerweg' in page and "Kies profielen uit de lijst." in page
    assert db_session.scalar(select(OfferStatement).where(OfferStatement.organisation_id == school.id)) is None


def test_only_the_school_and_staff_may_state_its_offer(client, db_session, school):
    other = make_user("coordinator", make_organisation("vmbo"))
    login_as(client, other)
    assert client.get(f"/organisaties/{school.id}/aanbod").status_code == 403
    assert client.post(f"/organisaties/{school.id}/aanbod", data={"pathways": ["BB"]}).status_code == 403
    login_as(client, make_user("staff"))
    assert client.get(f"/organisaties/{school.id}/aanbod").status_code == 200
    mbo = make_organisation("mbo")
    assert client.get(f"/organisaties/{mbo.id}/aanbod").status_code == 404


def test_staff_mark_an_institution_funded_and_the_list_puts_it_first(client, db_session, reference_data):
    a = make_organisation("mbo", name="Aaa Synthetisch mbo (testdata)", brin="99XB", city="Ede")
    z = make_organisation("mbo", name="Zzz Synthetisch mbo (testdata)", brin="99XC", city="Ede")
    login_as(client, make_user("staff"))
    page = client.get("/beheer/mbo-instellingen?q=synthetisch").get_data(as_text=True)
    assert page.index("Aaa Synthetisch") < page.index("Zzz Synthetisch")
    response = client.post(f"/beheer/mbo-instellingen/{z.id}/bekostigd", data={"bekostigd": "ja", "q": "synthetisch"})
    assert response.status_code == 302 and "q=synthetisch" in response.headers["Location"]
    db_session.expire_all()
    assert z.is_funded and not a.is_funded
    page = client.get("/beheer/mbo-instellingen?q=synthetisch").get_data(as_text=True)
    assert page.index("Zzz Synthetisch") < page.index("Aaa Synthetisch")
    assert "1 instelling" in client.get("/beheer/mbo-instellingen?q=99X&bekostigd=ja").get_data(as_text=True)
    entry = db_session.scalar(select(AuditLog).where(AuditLog.object_id == z.id, AuditLog.action == "set_funded"))
    assert entry.before == {"bekostigd": False} and entry.after == {"bekostigd": True}
    # a value that is neither ja nor nee changes nothing
    client.post(f"/beheer/mbo-instellingen/{z.id}/bekostigd", data={"bekostigd": "misschien"})
    db_session.expire_all()
    assert z.is_funded


def test_the_funded_toggle_needs_its_csrf_token(client, csrf_app, db_session, reference_data):
    institution = make_organisation("mbo", name="Synthetisch mbo CSRF (testdata)")
    login_as(client, make_user("staff"))
    response = client.post(f"/beheer/mbo-instellingen/{institution.id}/bekostigd", data={"bekostigd": "ja"})
    assert response.status_code == 400
    db_session.expire_all()
    assert not institution.is_funded
    page = client.get("/beheer/mbo-instellingen").get_data(as_text=True)
    assert 'name="csrf_token"' in page
