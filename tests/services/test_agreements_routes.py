"""Issue 4 through the route service: a DLR or GLR becomes actief only when a
signed agreement valid in that school year covers it; and the demo data."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.models.agreement import Agreement
from portal.services.agreements import lifecycle as agreement_lifecycle
from portal.services.agreements import queries as agreement_queries
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement
from tests.factories_routes import make_school, route_data


@pytest.fixture
def world(db_session):
    school = make_school(name="Vmbo Activatie", profiles=("ZW",), governing_body_name="Stichting Activatie")
    roc = make_organisation("mbo", name="ROC Activatie", governing_body_name="Stichting ROC Activatie")
    staff = make_user("staff")
    route = route_service.register_route(db_session, route_data(school, roc, status="voorbereiding",
                                                                first_school_year="2026-2027"), staff)
    return dict(school=school, roc=roc, route=route, staff=staff,
                vmbo_user=make_user("coordinator", school), mbo_user=make_user("coordinator", roc))


def activate(db_session, w):
    data = route_snapshots.route_input_from(w["route"])
    data.status = "actief"
    return route_service.update_route(db_session, w["route"], data, w["staff"], expected_version=None)


def sign_all(db_session, agreement, w):
    agreement_lifecycle.send_for_signature(db_session, agreement, w["vmbo_user"])
    for party in agreement.parties:
        user = w["vmbo_user"] if party.organisation_id == w["school"].id else w["mbo_user"]
        agreement_lifecycle.sign(db_session, agreement, party, user)


def test_glr_cannot_become_actief_without_a_signed_agreement(db_session, world):
    with pytest.raises(ServiceError) as exc:
        activate(db_session, world)
    assert "getekende samenwerkingsovereenkomst" in exc.value.errors["status"][-1]
    agreement = make_agreement(world["vmbo_user"], world["route"], world["roc"])
    with pytest.raises(ServiceError):  # a concept is not enough
        activate(db_session, world)
    sign_all(db_session, agreement, world)
    assert agreement.status == "getekend"
    assert activate(db_session, world).status == "actief"


@pytest.mark.parametrize("on, year, other_year", [
    (date(2025, 9, 1), "2026-2027", "2025-2026"),  # the route's first school year lies ahead: that one
    (date(2027, 9, 1), "2027-2028", "2026-2027"),  # the first school year has passed: the current one
])
def test_agreement_must_be_valid_in_the_school_year(db_session, world, monkeypatch, on, year, other_year):
    """The route (first school year 2026-2027) would become actief in `year`,
    after the agreement ended (31-07-2026): refused, naming that school year.
    The agreement was made while the route still began in 2025-2026 (issue 20
    §4 refuses an agreement whose period misses its routes); the route was
    moved a year later afterwards."""
    world["route"].first_school_year = "2025-2026"
    agreement = make_agreement(world["vmbo_user"], world["route"], world["roc"],
                               start_date=date(2024, 8, 1), end_date=date(2026, 7, 31))
    world["route"].first_school_year = "2026-2027"
    monkeypatch.setattr(agreement_queries, "today", lambda: date(2025, 9, 1))
    sign_all(db_session, agreement, world)
    monkeypatch.setattr(agreement_queries, "today", lambda: on)
    with pytest.raises(ServiceError) as exc:
        activate(db_session, world)
    message = exc.value.errors["status"][-1]
    assert year in message and other_year not in message, message


def test_activation_school_year_is_the_later_of_now_and_the_first_year():
    assert agreement_queries.activation_school_year("2030-2031", date(2026, 11, 1)) == "2030-2031"
    assert agreement_queries.activation_school_year("2020-2021", date(2026, 11, 1)) == "2026-2027"


def test_demo_has_a_signed_perron_agreement_and_one_in_preparation(db_session, reference_data):
    from seeds.demo import seed_demo
    seed_demo(db_session)
    seed_demo(db_session)  # safe to rerun
    agreements = db_session.scalars(select(Agreement).where(Agreement.is_demo.is_(True))).all()
    by_title = {a.title: a for a in agreements}
    from seeds.demo_agreements import SIGNED_DEMO
    assert len(agreements) == 2 + len(SIGNED_DEMO)  # rerunning created nothing twice
    assert all(by_title[spec["title"]].status == "getekend" for spec in SIGNED_DEMO)
    perron = next(a for t, a in by_title.items() if "Perron" in t)
    talent = next(a for t, a in by_title.items() if "Talentontwikkeling" in t)
    assert perron.status == "getekend" and all(p.is_signed for p in perron.parties)
    assert {p.organisation.name for p in perron.parties} >= {"ROC A12"}
    assert all(r.kind_code != "glr" for r in perron.routes)  # the Perron GLR is left for a new agreement
    assert talent.status == "concept"
    assert {p.role for p in talent.parties} >= {"vmbo", "mbo"} and len([p for p in talent.parties if p.role == "vmbo"]) == 2
