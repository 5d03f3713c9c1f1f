"""Issue 18: every kind of to-do item appears with the state that causes it,
disappears when that state is gone, and is shown only to those who may see
and act on its object."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.services.agreements import funding, lifecycle, operations, queries
from portal.services.learning_routes import operations as route_operations
from portal.services.practices import operations as practice_operations
from portal.services.todo.items import items_for
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement
from tests.factories_practices import make_practice
from tests.factories_routes import make_school, route_data

TODAY = date(2026, 12, 4)


def valid_route_world():
    """Two parties and a route that passes every route rule (it can really become actief)."""
    school = make_school(profiles=("ZW",), governing_body_name="Stichting Vmbo Te Doen")
    roc = make_organisation("mbo", governing_body_name="Stichting ROC Te Doen")
    route = route_operations.register_route(db.session, route_data(school, roc, status="voorbereiding",
                                                                   first_school_year="2026-2027"), make_user("staff"))
    return school, roc, route, make_user("coordinator", school), make_user("coordinator", roc)


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = valid_route_world()
    agreement = make_agreement(vmbo_user, route, mbo)
    outsider = make_user("coordinator")  # another organisation
    return dict(route=route, a=vmbo_user, b=mbo_user, agreement=agreement, outsider=outsider,
                staff=make_user("staff"), reader=make_user("reader"))


def kinds(user, on=TODAY):
    return [(i.kind, i.title) for i in items_for(db.session, user, on)]


def sign_all(agreement, *users):
    for user in users:
        lifecycle.sign(db.session, agreement, agreement.party_for(user.organisation_id), user)


def nobody_else_sees(world, title):
    for who in ("outsider", "staff", "reader"):
        assert all(t != title for _, t in kinds(world[who])), who


def test_waiting_for_my_signature(world):
    agreement = world["agreement"]
    assert ("sign", agreement.title) not in kinds(world["b"])  # a concept waits for nobody's signature
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    assert ("sign", agreement.title) in kinds(world["a"]) and ("sign", agreement.title) in kinds(world["b"])
    item = next(i for i in items_for(db.session, world["b"], TODAY) if i.kind == "sign")
    assert item.url == f"/overeenkomsten/{agreement.id}/partijen/{agreement.party_for(world['b'].organisation_id).id}/ondertekenen"
    nobody_else_sees(world, agreement.title)
    sign_all(agreement, world["b"])
    assert ("sign", agreement.title) not in kinds(world["b"])  # signed: gone for B
    assert ("sign", agreement.title) in kinds(world["a"])  # still waits for A


def test_route_can_become_actief_then_the_item_goes(world):
    agreement, route = world["agreement"], world["route"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign_all(agreement, world["a"])
    assert ("activate", route.title) not in kinds(world["a"])  # not fully signed yet
    sign_all(agreement, world["b"])
    assert ("activate", route.title) in kinds(world["a"]) and ("activate", route.title) in kinds(world["b"])
    nobody_else_sees(world, route.title)
    route_operations.set_status(db.session, route, "actief", world["a"], expected_version=route.version_id)
    assert ("activate", route.title) not in kinds(world["a"])


def test_route_must_stop_when_its_agreement_ended(world):
    agreement, route = world["agreement"], world["route"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign_all(agreement, world["a"], world["b"])
    route_operations.set_status(db.session, route, "actief", world["a"], expected_version=route.version_id)
    assert ("stop", route.title) not in kinds(world["a"])
    # Terminated per a date ahead: the version in force covers the route until then (issue 20: a termination
    # takes effect on its date). After it, while the daily run has not yet ended the route, it must stop.
    ahead = queries.today() + timedelta(days=60)
    lifecycle.terminate(db.session, agreement, ahead, "De samenwerking stopt.", world["a"])
    assert route.status == "actief"
    assert ("stop", route.title) not in kinds(world["a"], on=ahead - timedelta(days=1))
    assert ("stop", route.title) in kinds(world["a"], on=date(2027, 9, 1))
    for who in ("outsider", "staff", "reader"):
        assert all(t != route.title for _, t in kinds(world[who], on=date(2027, 9, 1)))


def test_expiring_within_90_days(world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign_all(agreement, world["a"], world["b"])
    assert ("expiring", agreement.title) not in kinds(world["a"], on=date(2030, 4, 1))  # 121 days left
    assert ("expiring", agreement.title) in kinds(world["a"], on=date(2030, 5, 15))
    assert ("expiring", agreement.title) not in kinds(world["a"], on=date(2030, 8, 1))  # ended: verlopen
    for who in ("outsider", "staff", "reader"):
        assert ("expiring", agreement.title) not in kinds(world[who], on=date(2030, 5, 15))


def test_funding_lacking_a_school_year(world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    assert ("funding", agreement.title) not in kinds(world["a"])
    # the period grows by a year while it is out for signature: back to concept,
    # and once sent again the new year has no funding split
    data = dict(title=agreement.title, start_date=agreement.start_date, end_date=date(2031, 7, 31),
                route_ids=[world["route"].id], **{k: getattr(agreement, k) for k in ("governance",)})
    operations.update_agreement(db.session, agreement, data, world["a"])
    assert ("funding", agreement.title) not in kinds(world["a"])  # a concept shows it on its checklist
    agreement.status = "ter_ondertekening"  # as if sent without the checklist's funding check
    db.session.flush()
    item = next(i for i in items_for(db.session, world["a"], TODAY) if i.kind == "funding")
    assert "2030-2031" in item.detail and item.url.endswith("/financiering")
    nobody_else_sees(world, agreement.title)
    vmbo_party = next(p for p in agreement.parties if p.role == "vmbo")
    mbo_party = next(p for p in agreement.parties if p.role == "mbo")
    shares = [dict(stream=s.stream, school_year=s.school_year, party_id=s.party_id, percentage=s.percentage)
              for s in agreement.funding_shares]
    shares += [dict(stream="lumpsum_vo", school_year="2030-2031", party_id=p.id, percentage=pct)
               for p, pct in ((vmbo_party, 60), (mbo_party, 40))]
    totals = [dict(stream=t.stream, school_year=t.school_year, amount=t.amount, recipient_party_id=t.recipient_party_id,
                   purpose=t.purpose) for t in agreement.funding_totals]
    funding.set_funding(db.session, agreement, shares, totals, world["a"])
    assert ("funding", agreement.title) not in kinds(world["a"])


def test_an_addendum_waiting_for_the_other_party(world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign_all(agreement, world["a"], world["b"])
    data = dict(title=agreement.title, start_date=agreement.start_date, end_date=agreement.end_date,
                route_ids=[world["route"].id], governance="Een nieuwe stuurgroep.")
    operations.update_agreement(db.session, agreement, data, world["a"])
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    assert ("addendum", agreement.title) not in kinds(world["a"])  # A has not signed version 2 yet
    sign_all(agreement, world["a"])
    assert ("addendum", agreement.title) in kinds(world["a"])
    assert ("addendum", agreement.title) not in kinds(world["b"])  # for B it is "wacht op jouw handtekening"
    assert ("sign", agreement.title) in kinds(world["b"])
    nobody_else_sees(world, agreement.title)
    sign_all(agreement, world["b"])
    assert ("addendum", agreement.title) not in kinds(world["a"])


def test_practice_sent_back_to_its_author(db_session):
    author, other, editor = make_user("coordinator"), make_user("coordinator"), make_user("staff")
    practice = make_practice(author=author, status="ingediend")
    assert ("practice_sent_back", practice.title) not in kinds(author)
    practice_operations.send_back_practice(db.session, practice, "Voeg een voorbeeld van een les toe.", editor)
    assert ("practice_sent_back", practice.title) in kinds(author)
    assert ("practice_sent_back", practice.title) not in kinds(other)
    practice_operations.submit_practice(db.session, practice, author)
    assert ("practice_sent_back", practice.title) not in kinds(author)


def test_staff_see_practices_waiting_for_moderation(db_session):
    staff, coordinator = make_user("staff"), make_user("coordinator")
    before = [i for i in items_for(db.session, staff) if i.kind == "moderation"]
    count = int(before[0].title.split()[0]) if before else 0
    practice = make_practice(author=coordinator, status="ingediend")
    item = next(i for i in items_for(db.session, staff) if i.kind == "moderation")
    assert int(item.title.split()[0]) == count + 1 and item.url == "/bibliotheek/moderatie"
    assert all(i.kind != "moderation" for i in items_for(db.session, coordinator))
    practice_operations.publish_practice(db.session, practice, staff)
    after = [i for i in items_for(db.session, staff) if i.kind == "moderation"]
    assert (int(after[0].title.split()[0]) if after else 0) == count


def test_anonymous_and_readers_have_nothing_to_do(world):
    assert items_for(db.session, None) == []
    assert kinds(world["reader"]) == []


def test_staff_items_of_other_areas_come_through_the_staff_sources(db_session, monkeypatch):
    """The interface the organisations area plugs its merge candidates into
    (not on this branch): a registered source's items reach staff, never a
    coordinator."""
    from portal.services.todo import items as todo
    staff, coordinator = make_user("staff"), make_user("coordinator")
    monkeypatch.setattr(todo, "STAFF_SOURCES", [lambda session, user: [todo.Item(
        "merge", "Vmbo De Eerste en Vmbo De Eerste (synthetisch)", "Twee vestigingen met dezelfde BRIN.",
        "Beslissen", "/beheer/")]])
    assert [i.kind_name for i in items_for(db.session, staff) if i.kind == "merge"] == [
        "Organisaties wachten op een besluit over samenvoegen"]
    assert all(i.kind != "merge" for i in items_for(db.session, coordinator))


def test_active_routes_of_my_school_not_registered_with_duo(world):
    from portal.services.learning_routes import rio
    agreement, route = world["agreement"], world["route"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign_all(agreement, world["a"], world["b"])
    assert not [k for k, _ in kinds(world["a"]) if k == "duo"]  # not actief yet: nothing to register
    route_operations.set_status(db.session, route, "actief", world["a"], expected_version=route.version_id)
    duo = [i for i in items_for(db.session, world["a"], TODAY) if i.kind == "duo"]
    assert len(duo) == 1 and duo[0].url == "/leerroutes/mijn?duo=niet-geregistreerd"
    assert not [k for k, _ in kinds(world["b"]) if k == "duo"]  # the mbo party registers nothing at DUO
    for who in ("outsider", "staff", "reader"):
        assert not [k for k, _ in kinds(world[who]) if k == "duo"]
    rio.set_registration(db.session, route, world["a"].organisation_id, True, TODAY, None, world["a"], today=TODAY)
    assert not [k for k, _ in kinds(world["a"]) if k == "duo"]


def test_staff_see_organisations_waiting_for_a_merge_decision(world):
    from portal.services.organisations import merge
    staff = world["staff"]
    from portal.models import Municipality
    municipality = Municipality(code="GM9990", name="Synthetische gemeente")
    db.session.add(municipality)
    db.session.flush()
    municipality_id = municipality.id
    first = make_organisation("employer", name="Bakkerij De Korenschoof", municipality_id=municipality_id)
    assert not [k for k, _ in kinds(staff) if k == "merge"]
    second = make_organisation("employer", name="Bakkerij de Korenschoof B.V.", municipality_id=municipality_id)
    merge_items = [i for i in items_for(db.session, staff, TODAY) if i.kind == "merge"]
    assert len(merge_items) == 1 and "Korenschoof" in merge_items[0].detail
    for who in ("a", "b", "outsider", "reader"):
        assert not [k for k, _ in kinds(world[who]) if k == "merge"]
    merge.merge_organisations(db.session, staff, first.id, second.id)
    assert not [k for k, _ in kinds(staff) if k == "merge"]
