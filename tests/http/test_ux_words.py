"""Issue 20 §5, words and times as a user reads them: page titles with the
site name, singular and plural, profiel codes with their names, the print
title, Amsterdam time on the versions page, the map's metric scale bar."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from portal.services.agreements import lifecycle
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_map import make_region_route, make_school

SITE = "Portaal doorlopende leerroutes vmbo–mbo"


@pytest.fixture
def world(db_session, reference_data):
    vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
    agreement = make_agreement(vmbo_user, route, mbo)
    school = make_school("AM38", name="Zorgschool Ede", profiles=("ZW",))
    active = make_region_route("AM38", vmbo=school, title="Zorgroute Ede", profiles=("ZW",),
                               first_school_year="2025-2026")
    return {"vmbo_user": vmbo_user, "mbo_user": mbo_user, "agreement": agreement, "route": route,
            "active": active, "vmbo": vmbo, "mbo": mbo, "session": db_session}


def title_of(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1)).strip()


def pages(world) -> dict[str, list[str]]:
    a, r = world["agreement"].id, world["active"].id
    public = ["/", "/login", "/leerroutes/", "/kaart/", "/kaart/dashboard", "/overeenkomsten/", "/bibliotheek/",
              "/regio/", "/regio/AM38", "/regio/AM38/organisaties", "/regio/AM38/scholen-zonder-route",
              f"/leerroutes/{r}", f"/overeenkomsten/{a}", "/bestaat-niet"]
    coordinator = public[2:] + ["/leerroutes/mijn", "/leerroutes/nieuw", "/leerroutes/importeren",
                                "/account/wachtwoord", "/bibliotheek/mijn", "/bibliotheek/nieuw",
                                f"/overeenkomsten/{a}/bewerken", f"/overeenkomsten/{a}/financiering",
                                f"/overeenkomsten/{a}/overstapgarantie", f"/overeenkomsten/{a}/versies",
                                f"/overeenkomsten/{a}/afdrukken", f"/leerroutes/{r}/geschiedenis"]
    admin = ["/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/bibliotheek/moderatie"]
    return {"anonymous": public, "coordinator": coordinator, "admin": admin}


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "admin"])
def test_every_main_page_title_ends_with_the_site_name_once(client, world, role):
    """"Mijn leerroutes" had no site suffix; other pages dropped "vmbo–mbo"."""
    if role == "coordinator":
        login_as(client, world["vmbo_user"])
    elif role == "admin":
        login_as(client, make_user("admin"))
    checked = 0
    for path in pages(world)[role]:
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        title = title_of(response.get_data(as_text=True))
        assert title.count("Portaal doorlopende leerroutes") == 1, (path, title)
        if path == "/":
            assert title == SITE
        else:
            assert title.endswith(" – " + SITE) and len(title) > len(SITE) + 3, (path, title)
        checked += 1
    assert checked >= 3


def test_one_active_route_is_singular_on_the_map_and_dashboard(client, world):
    """"1 actieve leerroutes" was the map's summary with one route."""
    html = client.get("/kaart/?school_year=2025-2026&region=AM38").get_data(as_text=True)
    summary = re.search(r'id="kaart-samenvatting">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"\b1 actieve leerroute in schooljaar", summary), summary
    assert "1 actieve leerroutes" not in html


def test_count_filter_chooses_singular_or_plural(app):
    count = app.jinja_env.filters["count_nl"]
    assert count(1, "leerroute", "leerroutes") == "1 leerroute"
    assert count(0, "leerroute", "leerroutes") == "0 leerroutes"
    assert count(1234, "leerroute", "leerroutes") == "1.234 leerroutes"


def test_route_list_names_the_profielen_and_leerwegen(client, world):
    html = client.get("/leerroutes/?q=Zorgroute+Ede").get_data(as_text=True)
    assert "Zorgroute Ede" in html
    assert '<abbr title="Zorg en welzijn">Z&amp;W</abbr>' in html


def test_print_title_says_samenwerkingsovereenkomst_once(client, world):
    login_as(client, world["vmbo_user"])
    html = client.get(f"/overeenkomsten/{world['agreement'].id}/afdrukken").get_data(as_text=True)
    heading = unescape(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1))
    assert world["agreement"].title.startswith("Samenwerkingsovereenkomst")
    assert heading.count("Samenwerkingsovereenkomst") == 1, heading
    assert world["agreement"].title in heading


def test_print_title_names_the_kind_when_the_title_does_not(client, world):
    """The control: a title without the word keeps the prefix."""
    world["agreement"].title = "Zorgroute Ede en ROC"
    world["session"].flush()
    login_as(client, world["vmbo_user"])
    html = client.get(f"/overeenkomsten/{world['agreement'].id}/afdrukken").get_data(as_text=True)
    assert "<h1>Samenwerkingsovereenkomst: Zorgroute Ede en ROC</h1>" in html


def test_versions_page_shows_signing_times_in_amsterdam_time(client, world):
    """The versions page said "16:48 UTC" where the rest of the UI said 17:48."""
    session, agreement = world["session"], world["agreement"]
    lifecycle.send_for_signature(session, agreement, world["vmbo_user"])
    for org, user in ((world["vmbo"], world["vmbo_user"]), (world["mbo"], world["mbo_user"])):
        party = next(p for p in agreement.parties if p.organisation_id == org.id)
        lifecycle.sign(session, agreement, party, user)
    for party in agreement.parties:
        party.signed_at = datetime(2026, 12, 4, 16, 48, tzinfo=UTC)
    from portal.services.agreements.snapshots import full_snapshot
    signatures = full_snapshot(agreement)["signatures"]
    assert signatures and all("04-12-2026 17:48" in s and "UTC" not in s for s in signatures), signatures
    login_as(client, world["vmbo_user"])
    html = client.get(f"/overeenkomsten/{agreement.id}/versies").get_data(as_text=True)
    assert "UTC" not in html


def test_map_scale_bar_is_metric_only(client, world):
    """The scale bar said "30 mi"; Leaflet shows miles unless told not to."""
    html = client.get("/kaart/").get_data(as_text=True)
    assert "L.control.scale({metric: true, imperial: false})" in html
    assert "L.control.scale()" not in html


def test_route_history_names_the_profielen(db_session):
    """The history (and the conflict summary) showed "Z&W, PIE"."""
    from portal.services.learning_routes.history import display_value
    assert display_value("profiles", ["ZW", "PIE"]) == "Zorg en welzijn, Produceren, installeren en energie"
    assert display_value("pathways", ["BB"]) == "Basisberoepsgerichte leerweg"
