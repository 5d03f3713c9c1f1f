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
