"""The demo seed: real example organisations, one user per role, safe to rerun."""
from sqlalchemy import func, select

from portal.models import Organisation, User
from seeds.demo import DEMO_ORGANISATIONS, seed_demo


def test_demo_seed_is_idempotent_and_covers_every_role(db_session, reference_data):
    first = seed_demo(db_session)
    orgs = db_session.scalar(select(func.count(Organisation.id)))
    users = db_session.scalar(select(func.count(User.id)))
    second = seed_demo(db_session)
    assert second.created_users == []
    assert db_session.scalar(select(func.count(Organisation.id))) == orgs
    assert db_session.scalar(select(func.count(User.id))) == users
    roles = {u.role for u in first.users.values()}
    assert roles == {"admin", "staff", "coordinator", "reader"}
    assert all(u.is_demo for u in first.users.values())


def test_demo_uses_the_real_schools_and_spans_three_regions(db_session, reference_data):
    result = seed_demo(db_session)
    perron = result.organisations["perron"]
    assert perron.vestigingscode == "02MF00" and not perron.is_demo  # the real DUO school
    assert perron.governing_body_name.startswith("Christelijke Scholengemeenschap Veenendaal")
    from portal.models import MunicipalityRegion, Region
    region_codes = set(db_session.scalars(
        select(Region.code).join(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
        .join(Organisation, Organisation.municipality_id == MunicipalityRegion.municipality_id)
        .where(Organisation.id.in_([o.id for o in result.organisations.values() if o.kind in ("mbo", "employer")]))
    ))
    assert len(region_codes) >= 3
    assert {"AM38", "AM23", "AM32"} <= region_codes
    assert set(result.organisations) == set(DEMO_ORGANISATIONS)


def test_demo_employers_come_in_through_the_add_partner_service(db_session, reference_data):
    """Issue 15: the seed adds its (fictional) employers as a coordinator
    would, through services/organisations/partners: audited creations, still
    labelled demo."""
    from sqlalchemy import select

    from portal.models import AuditLog
    result = seed_demo(db_session)
    employers = [result.organisations[k] for k, spec in DEMO_ORGANISATIONS.items() if spec["kind"] == "employer"]
    assert employers and all(org.is_demo and "(demo)" in org.name for org in employers)
    created = {e.object_id for e in db_session.scalars(select(AuditLog).where(
        AuditLog.object_type == "organisation", AuditLog.action == "create"))}
    assert {org.id for org in employers} <= created


def test_demo_outcomes_show_a_wait_beyond_the_promise_on_the_agreement_page(client, db_session, reference_data):
    """Issue 17 in the demo: the seed records route outcomes through the
    outcomes service (audited, by a party's coordinator), and the Perron
    agreement page compares them with its overstapgarantie: one pupil of the
    Kok route waited 14 school days where 10 were promised. Rerunning the seed
    records nothing twice."""
    import re

    from portal.models import Agreement, AuditLog, LearningRoute, RouteOutcome
    from seeds.demo_agreements import PERRON_TITLE
    from tests.conftest import login_as

    result = seed_demo(db_session)
    outcomes = list(db_session.scalars(select(RouteOutcome)))
    assert len(outcomes) >= 3 and all(o.route.is_demo for o in outcomes)
    recorded = {e.object_id: e.actor_id for e in db_session.scalars(select(AuditLog).where(
        AuditLog.object_type == "route_outcome", AuditLog.action == "create"))}
    assert {o.id for o in outcomes} == set(recorded)
    assert {recorded[o.id] for o in outcomes} <= {u.id for u in result.users.values() if u.role == "coordinator"}
    seed_demo(db_session)
    assert db_session.scalar(select(func.count(RouteOutcome.id))) == len(outcomes)

    agreement = db_session.scalar(select(Agreement).where(Agreement.title == PERRON_TITLE))
    login_as(client, result.users["coordinator.perron@demo.leerroutes.nl"])
    html = client.get(f"/overeenkomsten/{agreement.id}").get_data(as_text=True)
    section = html[html.index("Overstapgarantie in de praktijk"):]
    assert "1 leerling wachtte langer dan de overstapgarantie belooft." in section
    rows = re.findall(r"<tr class=\"warning-row\">\s*<td><a[^>]*>([^<]*)</a></td>(.*?)</tr>", section, re.S)
    cells = [[title] + [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
             for title, r in rows]
    assert cells == [["Het Perron vakmanschaproute Kok", "2025-2026", "Maand 21 tot en met 48", "10", "2",
                      "14", "1"]]
    # a kept promise elsewhere: the Profijt agreement's page says so
    profijt = db_session.scalar(select(LearningRoute).where(LearningRoute.title == "Profijt Achterhoek"))
    profijt_agreement = next(a for a in db_session.scalars(select(Agreement)) if profijt in a.routes)
    login_as(client, result.users["programma@demo.leerroutes.nl"])
    page = client.get(f"/overeenkomsten/{profijt_agreement.id}").get_data(as_text=True)
    assert "Geen enkele leerling wachtte langer dan beloofd." in page
