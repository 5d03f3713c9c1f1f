"""Issue 18: a change leaves its notifications in the outbox in the same
transaction, for the right people only, in the state their choices give."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.errors import ServiceError
from portal.domain import notifications as rules
from portal.extensions import db
from portal.models import Notification, NotificationPreference
from portal.services.agreements import lifecycle, operations
from portal.services.agreements.reminders import schedule_expiry
from portal.services.learning_routes import operations as route_operations
from portal.services.notifications import digest, preferences
from portal.services.practices import operations as practice_operations
from portal.web.transaction import save
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_map import make_region_route
from tests.factories_practices import make_practice


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    return dict(vmbo=vmbo, mbo=mbo, route=route, a=vmbo_user, b=mbo_user, agreement=agreement)


def rows(**where):
    query = select(Notification).order_by(Notification.id)
    for key, value in where.items():
        query = query.where(getattr(Notification, key) == value)
    return list(db.session.scalars(query))


def party_of(agreement, user):
    return agreement.party_for(user.organisation_id)


def test_sending_for_signature_tells_the_other_party_not_the_sender(world):
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    got = rows(event="agreement_sent")
    assert [(n.user_id, n.status) for n in got] == [(world["b"].id, rules.PENDING)]
    assert world["agreement"].title in got[0].subject and got[0].link == f"/overeenkomsten/{world['agreement'].id}"
    assert world["a"].name not in got[0].summary  # no other person's name in the message


def test_signing_tells_the_others_and_the_last_signature_says_fully_signed(world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    lifecycle.sign(db.session, agreement, party_of(agreement, world["a"]), world["a"])
    assert [n.user_id for n in rows(event="agreement_signed")] == [world["b"].id]
    assert rows(event="agreement_fully_signed") == []
    lifecycle.sign(db.session, agreement, party_of(agreement, world["b"]), world["b"])
    fully = rows(event="agreement_fully_signed")
    assert [n.user_id for n in fully] == [world["a"].id]
    assert "kunnen nu actief worden" in fully[0].summary


def test_an_addendum_after_signing_is_announced(world):
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    for user in (world["a"], world["b"]):
        lifecycle.sign(db.session, agreement, party_of(agreement, user), user)
    data = dict(title=agreement.title, start_date=agreement.start_date, end_date=agreement.end_date,
                route_ids=[world["route"].id], governance="Een nieuwe stuurgroep.")
    assert operations.update_agreement(db.session, agreement, data, world["a"]) == "addendum"
    assert [n.user_id for n in rows(event="agreement_addendum")] == [world["b"].id]


def test_a_rolled_back_change_leaves_no_notification(world):
    def write():
        lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
        assert rows(event="agreement_sent")  # written in the change's transaction...
        raise ServiceError("Iets anders ging mis.")

    saved = save(write)
    assert not saved.ok
    assert rows(event="agreement_sent") == []  # ...and gone with it


def test_the_choices_decide_mail_portal_or_digest(world):
    b = world["b"]
    preferences.save_preferences(db.session, b, email_events=["agreement_signed"], regions=[], weekly_digest=False,
                                 expected_version=None)
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    assert [n.status for n in rows(event="agreement_sent")] == [rules.PORTAL]  # not by e-mail: portal only
    preferences.save_preferences(db.session, b, email_events=list(rules.EVENTS), regions=[], weekly_digest=True,
                                 expected_version=None)
    agreement = world["agreement"]
    lifecycle.sign(db.session, agreement, party_of(agreement, world["a"]), world["a"])
    assert [n.status for n in rows(event="agreement_signed")] == [rules.WAITING_FOR_DIGEST]
    assert digest.build_digests(db.session) == 1
    made = rows(event=rules.DIGEST)
    assert [(n.user_id, n.status) for n in made] == [(b.id, rules.PENDING)]
    assert [n.id for n in digest.items(db.session, made[0])] == [n.id for n in rows(event="agreement_signed")]
    assert rows(status=rules.WAITING_FOR_DIGEST) == []
    assert digest.build_digests(db.session) == 0  # nothing twice


def test_unknown_choices_are_refused_at_their_field(world):
    with pytest.raises(ServiceError) as exc:
        preferences.save_preferences(db.session, world["b"], email_events=["bestaat_niet"], regions=["XX99"],
                                     weekly_digest=False, expected_version=None)
    assert set(exc.value.errors) == {"email_events", "regions"}
    assert db.session.get(NotificationPreference, world["b"].id) is None  # nothing half-saved


def test_practice_sent_back_and_published_reach_the_author_only(db_session):
    author = make_user("coordinator")
    editor = make_user("staff")
    practice = make_practice(author=author, status="ingediend")
    practice_operations.send_back_practice(db.session, practice, "Voeg een voorbeeld van een les toe.", editor)
    practice_operations.submit_practice(db.session, practice, author)
    practice_operations.publish_practice(db.session, practice, editor)
    assert [(n.event, n.user_id) for n in rows(object_type="practice", object_id=practice.id)] == [
        ("practice_sent_back", author.id), ("practice_published", author.id)]


def test_region_followers_hear_of_new_and_ended_routes_and_new_white_spots(db_session, reference_data):
    follower = make_user("reader")
    elsewhere = make_user("reader")
    preferences.save_preferences(db.session, follower, email_events=list(rules.EVENTS), regions=["AM12"],
                                 weekly_digest=False, expected_version=None)
    preferences.save_preferences(db.session, elsewhere, email_events=list(rules.EVENTS), regions=["AM01"],
                                 weekly_digest=False, expected_version=None)
    route = make_region_route("AM12", profiles=(), status="voorbereiding", kind_code="leerlab")
    actor = make_user("staff")
    route_operations.set_status(db.session, route, "actief", actor, expected_version=route.version_id)
    assert [(n.event, n.user_id) for n in rows(object_type="route")] == [("region_route_new", follower.id)]
    route_operations.set_status(db.session, route, "beeindigd", actor, expected_version=route.version_id)
    events = [(n.event, n.user_id) for n in rows(object_type="route")]
    assert ("region_route_ended", follower.id) in events
    # its vmbo school takes part in no other actief route now: a new witte vlek
    assert ("region_white_spot", follower.id) in events
    assert all(user_id != elsewhere.id for _, user_id in events)


def test_expiry_is_announced_once_per_window(world, monkeypatch):
    from datetime import date
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    for user in (world["a"], world["b"]):
        lifecycle.sign(db.session, agreement, party_of(agreement, user), user)
    assert schedule_expiry(db.session, on=date(2030, 3, 1)) == 0  # 152 days before the end: nothing yet
    assert schedule_expiry(db.session, on=date(2030, 5, 15)) == 2  # within 90 days: both coordinators
    assert schedule_expiry(db.session, on=date(2030, 5, 16)) == 0  # not twice
    assert schedule_expiry(db.session, on=date(2030, 7, 10)) == 2  # within 30 days
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.event.like("agreement_expiring_%"))) == 4


def test_an_archived_actief_route_that_is_restored_is_new_again_for_its_regions_followers(db_session, reference_data):
    follower = make_user("reader")
    preferences.save_preferences(db.session, follower, email_events=list(rules.EVENTS), regions=["AM12"],
                                 weekly_digest=False, expected_version=None)
    route = make_region_route("AM12", profiles=(), status="voorbereiding", kind_code="leerlab")
    staff = make_user("staff")
    route_operations.set_status(db.session, route, "actief", staff, expected_version=route.version_id)
    route_operations.archive_route(db.session, route, staff)
    route_operations.restore_route(db.session, route, staff)
    assert [n.event for n in rows(object_type="route", user_id=follower.id)] == [
        "region_route_new", "region_route_ended", "region_white_spot", "region_route_new"]
    # a restored concept is no news (control: only an actief route is new in its regions)
    concept = make_region_route("AM12", profiles=(), status="concept", kind_code="leerlab")
    route_operations.archive_route(db.session, concept, staff)
    route_operations.restore_route(db.session, concept, staff)
    assert rows(object_type="route", object_id=concept.id) == []
