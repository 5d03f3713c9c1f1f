"""Issue 18 over HTTP: /account/te-doen with its count and 'zet op actief',
/account/meldingen (choices, errors at the field, the user's own
notifications), and the filters of the agreement list and Mijn leerroutes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import NotificationPreference
from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement
from tests.services.test_todo_items import valid_route_world


@pytest.fixture
def world(db_session):
    school, roc, route, a, b = valid_route_world()
    agreement = make_agreement(a, route, roc, title="Overeenkomst Te Doen HTTP")
    other = make_agreement(a, route, roc, title="Overeenkomst Nog Concept HTTP")
    return dict(route=route, a=a, b=b, agreement=agreement, other=other, outsider=make_user("coordinator"))


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def sign(agreement, user):
    lifecycle.sign(db.session, agreement, agreement.party_for(user.organisation_id), user)


def test_the_count_and_the_item_for_a_signature(client, world):
    login_as(client, world["b"])
    assert "todo-count" not in page(client, "/account/te-doen/aantal")
    assert "Er wacht nu niets op je." in page(client, "/account/te-doen")
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    count = page(client, "/account/te-doen/aantal")
    assert re.search(r'class="todo-count"[^>]*>1<', count) and "taak" in count
    html = page(client, "/account/te-doen")
    party = world["agreement"].party_for(world["b"].organisation_id)
    assert "Wacht op jouw handtekening" in html and "Overeenkomst Te Doen HTTP" in html
    assert f'href="/overeenkomsten/{world["agreement"].id}/partijen/{party.id}/ondertekenen"' in html
    # another organisation's coordinator sees nothing of it
    login_as(client, world["outsider"])
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/account/te-doen")
    assert "todo-count" not in page(client, "/account/te-doen/aantal")
    # anonymous: an empty badge, not an error or a login page
    login_as(client, None)
    assert "todo-count" not in page(client, "/account/te-doen/aantal")


def test_activate_from_the_list(client, world):
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    sign(world["agreement"], world["a"])
    sign(world["agreement"], world["b"])
    login_as(client, world["a"])
    html = page(client, "/account/te-doen")
    assert "Leerroute kan actief worden" in html and "Zet op actief" in html
    route = world["route"]
    stale = client.post(f"/account/te-doen/leerroutes/{route.id}/actief", data={"version_id": route.version_id + 5},
                        follow_redirects=True)
    assert "Deze leerroute is intussen door iemand anders gewijzigd; er is niets veranderd." \
        in stale.get_data(as_text=True)
    db.session.refresh(route)
    assert route.status == "voorbereiding"
    done = client.post(f"/account/te-doen/leerroutes/{route.id}/actief", data={"version_id": route.version_id},
                       follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"De leerroute “{route.title}” staat nu op actief." in text
    assert "Leerroute kan actief worden" not in text
    db.session.refresh(route)
    assert route.status == "actief"


def test_the_notification_choices_are_saved_and_errors_stay_at_their_field(client, world, reference_data):
    login_as(client, world["b"])
    html = page(client, "/account/meldingen")
    assert "Per e-mail" in html and "Arbeidsmarktregio" in html and "weekoverzicht" in html
    assert "Deze portal verstuurt nu geen e-mail" in html  # no MAIL_SERVER in the tests' app
    bad = client.post("/account/meldingen", data={"email_events": ["agreement_sent"], "regions": ["XX99"],
                                                  "version_id": "0"})
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "Kies een van de mogelijkheden uit de lijst" in text and 'id="regions-fout"' in text
    assert db.session.get(NotificationPreference, world["b"].id) is None
    saved = client.post("/account/meldingen", data={"email_events": ["agreement_sent"], "regions": ["AM12"],
                                                    "weekly_digest": "y", "version_id": "0"}, follow_redirects=True)
    assert "Je keuzes voor meldingen zijn opgeslagen." in saved.get_data(as_text=True)
    pref = db.session.scalar(select(NotificationPreference).where(NotificationPreference.user_id == world["b"].id)
                             .execution_options(populate_existing=True))
    assert pref.email_events == ["agreement_sent"] and pref.regions == ["AM12"] and pref.weekly_digest is True


def test_the_users_own_notifications_are_listed(client, world):
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    login_as(client, world["b"])
    html = page(client, "/account/meldingen")
    assert "Ter ondertekening: Overeenkomst Te Doen HTTP" in html and "wacht op verzending" in html
    login_as(client, world["a"])  # the sender got none
    assert "Ter ondertekening: Overeenkomst Te Doen HTTP" not in page(client, "/account/meldingen")


def test_filters_on_the_agreement_list_and_mijn_leerroutes(client, world):
    lifecycle.send_for_signature(db.session, world["agreement"], world["a"])
    login_as(client, world["b"])
    everything = page(client, "/overeenkomsten/")
    assert "Overeenkomst Te Doen HTTP" in everything and "Overeenkomst Nog Concept HTTP" in everything
    waiting = page(client, "/overeenkomsten/?wacht=handtekening")
    assert "Overeenkomst Te Doen HTTP" in waiting and "Overeenkomst Nog Concept HTTP" not in waiting
    assert "Wacht op mijn handtekening (1)" in waiting
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/overeenkomsten/?wacht=verloopt")
    mine = page(client, "/leerroutes/mijn?wacht=handtekening")
    assert world["route"].title in mine
    assert world["route"].title not in page(client, "/leerroutes/mijn?wacht=verloopt")
    sign(world["agreement"], world["b"])
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/overeenkomsten/?wacht=handtekening")
    # another organisation's coordinator: the filter shows nothing of theirs
    login_as(client, make_user("coordinator", make_organisation("vmbo")))
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/overeenkomsten/?wacht=handtekening")


def test_the_expiring_filter_shows_a_signed_agreement_ending_within_90_days(client, world, monkeypatch):
    """The positive side of "verloopt binnen 90 dagen" on both lists (above
    only its absence is checked): today the agreement has years to go (the
    control); on 15 May 2030 it ends within 90 days."""
    from datetime import date

    from portal.services.agreements import queries
    agreement = world["agreement"]
    lifecycle.send_for_signature(db.session, agreement, world["a"])
    sign(agreement, world["a"])
    sign(agreement, world["b"])
    login_as(client, world["a"])
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/overeenkomsten/?wacht=verloopt")
    assert world["route"].title not in page(client, "/leerroutes/mijn?wacht=verloopt")
    monkeypatch.setattr(queries, "today", lambda: date(2030, 5, 15))
    expiring = page(client, "/overeenkomsten/?wacht=verloopt")
    assert "Overeenkomst Te Doen HTTP" in expiring and "Overeenkomst Nog Concept HTTP" not in expiring
    assert world["route"].title in page(client, "/leerroutes/mijn?wacht=verloopt")
    login_as(client, world["outsider"])
    assert "Overeenkomst Te Doen HTTP" not in page(client, "/overeenkomsten/?wacht=verloopt")
