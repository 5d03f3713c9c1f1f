"""Route outcomes over HTTP (issue 17): a party's coordinator records a
school year without JavaScript, wrong input gets its Dutch message at the
field, a coordinator of an unrelated organisation is refused, the route page
shows every figure to the parties and "<5" to the public, and the agreement
page shows the waits beyond the promised maximum to its parties only.
Synthetic organisations."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.domain.school_year import current_school_year, shift_school_year
from portal.models import RouteOutcome
from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import make_organisation, make_user
from tests.factories_agreements import make_agreement, make_parties_and_route

NOW = current_school_year()
LAST = shift_school_year(NOW, -1)


@pytest.fixture
def world(db_session):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    route.first_school_year, route.status = LAST, "actief"
    agreement = make_agreement(vmbo_user, route, mbo)  # phases 1-12 (max 5 days), 13-48 (max 10 days)
    lifecycle.send_for_signature(db_session, agreement, vmbo_user)
    for user in (vmbo_user, mbo_user):
        lifecycle.sign(db_session, agreement, agreement.party_for(user.organisation_id), user)
    other = make_user("coordinator", make_organisation("vmbo", name="Synthetisch Vmbo Elders"))
    db_session.commit()
    return dict(route=route, agreement=agreement, party=vmbo_user, mbo_party=mbo_user, other=other,
                staff=make_user("staff"))


def url(w) -> str:
    return f"/leerroutes/{w['route'].id}/uitkomsten"


def form(**changes) -> dict:
    values = {"school_year": LAST, "started": "24", "diplomas_vmbo": "9", "diplomas_mbo": "6",
              "wait_1_vmbo_bb": "0, 2, 4, 7", "wait_13_mbo2": "3, 12", "wait_13_geen_plek": "20"}
    values.update(changes)
    return values


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-fout">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def count(db_session) -> int:
    return db_session.scalar(select(func.count(RouteOutcome.id)))


def test_a_party_records_a_year_and_sees_it_on_the_route_page(client, db_session, world):
    login_as(client, world["party"])
    page = client.get(url(world)).get_data(as_text=True)
    assert "Maand 1 tot en met 12" in page and "beloofde maximale wachttijd 5 schooldagen" in page
    assert 'name="wait_13_geen_plek"' in page
    response = client.post(url(world), data=form())
    assert response.status_code == 302 and response.headers["Location"].endswith("#uitkomsten")
    html = client.get(f"/leerroutes/{world['route'].id}").get_data(as_text=True)
    row = re.search(rf"<th scope=\"row\">{LAST}</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["24", "7", "4", "2", "0", "0", "1", "9", "6"]
    # the form opens again with what was recorded, at its version
    again = client.get(url(world) + f"?schooljaar={LAST}").get_data(as_text=True)
    assert 'value="0, 2, 4, 7"' in again and 'name="version_id" type="hidden" value="1"' in again


def test_the_public_sees_counts_under_five_as_less_than_five(client, db_session, world):
    login_as(client, world["party"])
    client.post(url(world), data=form())
    login_as(client, None)
    html = client.get(f"/leerroutes/{world['route'].id}").get_data(as_text=True)
    row = re.search(rf"<th scope=\"row\">{LAST}</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["24", "7", "&lt;5", "&lt;5", "&lt;5", "&lt;5", "&lt;5", "9", "6"]
    assert url(world) not in html  # no form link for the public
    # the agreement page's comparison is not public either
    assert "Overstapgarantie in de praktijk" not in client.get(
        f"/overeenkomsten/{world['agreement'].id}").get_data(as_text=True)


@pytest.mark.parametrize("changes, field, message", [
    ({"started": "-3"}, "started", "Een aantal kan niet negatief zijn."),
    ({"diplomas_mbo": "30"}, "diplomas_mbo", "Er zijn meer mbo-diploma's (30) dan gestarte leerlingen (24)."),
    ({"started": "5"}, "leavers", "Er zijn meer leerlingen uitgestroomd (7) dan er gestart zijn (5)."),
    ({"wait_1_entree": "2, -1"}, "wait_1_entree", "Een wachttijd kan niet negatief zijn."),
    ({"wait_1_entree": "2, 400"}, "wait_1_entree", "Een wachttijd ligt tussen 0 en 365 schooldagen."),
    ({"wait_1_entree": "twee"}, "wait_1_entree", "geen aantal schooldagen"),
    ({"school_year": shift_school_year(LAST, -1)}, "school_year", "valt buiten de looptijd van deze leerroute"),
])
def test_wrong_input_gets_a_dutch_message_at_its_field_and_nothing_is_saved(client, db_session, world, changes,
                                                                            field, message):
    login_as(client, world["party"])
    response = client.post(url(world), data=form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in error_of(html, field).replace("&#39;", "'")
    assert "Controleer het formulier" in html
    assert count(db_session) == 0


def test_a_coordinator_of_an_unrelated_organisation_is_refused(client, db_session, world):
    login_as(client, world["other"])
    assert client.get(url(world)).status_code == 403
    assert client.post(url(world), data=form()).status_code == 403
    assert count(db_session) == 0
    # control: the mbo party's coordinator may
    login_as(client, world["mbo_party"])
    assert client.post(url(world), data=form()).status_code == 302 and count(db_session) == 1


def test_a_second_new_form_for_a_recorded_year_is_a_conflict_with_the_input_kept(client, db_session, world):
    login_as(client, world["party"])
    client.post(url(world), data=form())
    login_as(client, world["mbo_party"])
    response = client.post(url(world), data=form(started="30"))  # a form opened before the first save
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "iemand anders was je voor" in html
    assert "intussen vastgelegd" in html and 'value="30"' in html
    assert count(db_session) == 1
    # saving again from the conflict page (now at the current version) applies it
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', html).group(1)
    assert client.post(url(world), data=form(started="30", version_id=version)).status_code == 302
    assert db_session.scalar(select(RouteOutcome.started)) == 30


def test_the_agreement_page_shows_the_waits_beyond_the_promise_to_its_parties(client, db_session, world):
    login_as(client, world["party"])
    client.post(url(world), data=form())
    html = client.get(f"/overeenkomsten/{world['agreement'].id}").get_data(as_text=True)
    section = html[html.index("Overstapgarantie in de praktijk"):]
    rows = re.findall(r"<tr[^>]*>\s*<td><a[^>]*>[^<]*</a></td>(.*?)</tr>", section, re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]
    # phase 1-12: waits 0, 2, 4, 7 against 5 days -> 1 beyond; phase 13-48: 3, 12, 20 against 10 -> 2 beyond
    assert cells == [[LAST, "Maand 1 tot en met 12", "5", "4", "7", "1"],
                     [LAST, "Maand 13 tot en met 48", "10", "3", "20", "2"]]
    assert "3 leerlingen wachtten langer dan de overstapgarantie belooft." in section
    login_as(client, world["staff"])
    assert "3 leerlingen wachtten langer" in client.get(f"/overeenkomsten/{world['agreement'].id}").get_data(
        as_text=True)


def test_the_pages_read_the_outcomes_in_a_fixed_number_of_queries(client, db_session, world):
    """One recorded year or three, each with leavers: the route page (party
    and public) and the agreement page run as many SQL statements."""
    from tests.conftest import count_queries

    def statements(user, path: str) -> int:
        login_as(client, user)
        client.get(path)  # warm
        with count_queries() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    route_path, agreement_path = f"/leerroutes/{world['route'].id}", f"/overeenkomsten/{world['agreement'].id}"
    login_as(client, world["party"])
    client.post(url(world), data=form(school_year=NOW))
    one = [statements(world["party"], route_path), statements(None, route_path),
           statements(world["party"], agreement_path)]
    world["route"].first_school_year = shift_school_year(LAST, -1)
    db_session.commit()
    login_as(client, world["party"])
    for year in (LAST, shift_school_year(LAST, -1)):
        assert client.post(url(world), data=form(school_year=year)).status_code == 302
    three = [statements(world["party"], route_path), statements(None, route_path),
             statements(world["party"], agreement_path)]
    assert three == one
