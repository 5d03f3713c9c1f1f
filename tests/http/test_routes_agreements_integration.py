"""The route pages show the agreements that cover a route, and a
coordinator's overview warns about agreements that end within 90 days."""
from datetime import date, timedelta

from portal.extensions import db
from tests.conftest import login_as
from tests.factories import make_organisation, make_route, make_user


def _agreement(route, parties, end_date, title="Overeenkomst Zorgroute"):
    from portal.models.agreement import Agreement, AgreementParty
    start = date.today() - timedelta(days=300)
    agreement = Agreement(title=title, start_date=start, end_date=end_date, status="getekend", revision=1,
                          in_force_revision=1, in_force_start_date=start, in_force_end_date=end_date)
    agreement.routes = [route]
    agreement.in_force_routes = [route]
    agreement.parties = [AgreementParty(organisation_id=o.id, role=r, governing_body_name=o.name)
                         for o, r in parties]
    db.session.add(agreement)
    db.session.flush()
    return agreement


def test_route_detail_lists_its_agreement(client, db_session):
    school, roc = make_organisation("vmbo"), make_organisation("mbo")
    route = make_route(parties=[(school, "vmbo"), (roc, "mbo")])
    html = client.get(f"/leerroutes/{route.id}").get_data(as_text=True)
    assert "Er is nog geen samenwerkingsovereenkomst voor deze leerroute." in html
    _agreement(route, [(school, "vmbo"), (roc, "mbo")], date.today() + timedelta(days=400))
    html = client.get(f"/leerroutes/{route.id}").get_data(as_text=True)
    assert "Overeenkomst Zorgroute" in html


def test_mine_warns_about_agreements_ending_within_90_days(client, db_session):
    school, roc = make_organisation("vmbo"), make_organisation("mbo")
    route = make_route(parties=[(school, "vmbo"), (roc, "mbo")])
    login_as(client, make_user("coordinator", organisation=school))
    # the panel, by its id (the filter link "Verloopt binnen 90 dagen" of issue 18 carries the same words)
    assert 'id="verloopt-binnenkort"' not in client.get("/leerroutes/mijn").get_data(as_text=True)
    _agreement(route, [(school, "vmbo"), (roc, "mbo")], date.today() + timedelta(days=30), title="Bijna voorbij")
    html = client.get("/leerroutes/mijn").get_data(as_text=True)
    assert 'id="verloopt-binnenkort"' in html and "Bijna voorbij" in html
