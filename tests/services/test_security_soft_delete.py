"""Soft delete with restore by staff, the same for the three aggregates
(leerroutes, samenwerkingsovereenkomsten, goede voorbeelden):

- archiving hides the object from every public list, the search, the API and
  the map/region figures, and its page is gone (404) for everybody but staff;
- the row is still in the database, untouched;
- staff find it again (the archive filter or list of the area), and restoring
  it brings it back exactly as it was, with an audit entry for both steps and
  a new optimistic-lock version each time;
- nobody else can restore it, neither through the service nor over HTTP.
"""
from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text

from portal.core.errors import ServiceError
from portal.models import AuditLog, Region
from portal.services.agreements import lifecycle as agreement_lifecycle
from portal.services.agreements import queries as agreement_queries
from portal.services.agreements.snapshots import content_snapshot
from portal.services.coverage import figures as coverage
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from portal.services.practices import operations as practice_service
from portal.services.practices import queries as practice_queries
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import make_agreement
from tests.factories_map import make_region_route, make_school
from tests.factories_practices import make_practice

REGION = "AM38"


def _word() -> str:
    """A word that is nowhere else in the data (for searches and page checks)."""
    return "zz" + "".join(random.choices(string.ascii_lowercase, k=10))


class World:
    def __init__(self, session):
        self.session = session
        self.word = _word()
        self.school = make_school(REGION)
        self.roc = make_school(REGION, kind="mbo")
        self.coordinator = make_user("coordinator", self.school)
        self.mbo_coordinator = make_user("coordinator", self.roc)
        self.other = make_user("coordinator", make_school("AM09"))
        self.reader = make_user("reader")
        self.staff = make_user("staff")
        self.admin = make_user("admin")
        self.route = make_region_route(REGION, vmbo=self.school, mbo=self.roc, status="actief",
                                       title=f"Route {self.word}")
        self.region = session.scalar(select(Region).where(Region.code == REGION, Region.year == 2025))


@dataclass
class Kind:
    name: str
    table: str
    audit_type: str
    make: Callable[[World], Any]
    # Who archives it over HTTP (the owner where the rules allow it).
    archiver: Callable[[World], Any]
    archive_url: Callable[[Any], str]
    restore_url: Callable[[Any], str]
    detail_url: Callable[[Any], str]
    # Pages and API answers that name the object while it is live.
    public_urls: Callable[[World, Any], list[str]]
    # Where staff find archived objects again.
    archive_list_url: Callable[[World, Any], str]
    # Counts that include the object while it is live (figures, queries).
    figures: Callable[[World, Any], dict[str, int]]
    snapshot: Callable[[Any], dict]
    restore: Callable[[Any, Any, Any], Any]
    # Who sees it while it is live: the public, except a concept agreement,
    # which only its parties and staff see (issue 20).
    viewer: Callable[[World], Any] = lambda _world: None


# --- leerroutes --------------------------------------------------------------------

def _route_figures(world: World, route) -> dict[str, int]:
    selection = coverage.selection_filters(None)
    figures = {f.code: f for f in coverage.region_figures(world.session, selection, None, 2025, [REGION])}
    geojson = world.client.get("/api/v1/regions.geojson").get_json()
    feature = next(f for f in geojson["features"] if f["id"] == REGION)
    return {"active routes in the region": figures[REGION].routes if REGION in figures else 0,
            "active routes in the map's GeoJSON": feature["properties"]["active_routes"]}


def _route_snapshot(route) -> dict:
    return {k: v for k, v in route_snapshots.snapshot(route).items() if k != "version_id"}


ROUTES = Kind(
    name="leerroute", table="learning_routes", audit_type="learning_route",
    make=lambda w: w.route,
    archiver=lambda w: w.coordinator,
    archive_url=lambda r: f"/leerroutes/{r.id}/archiveren",
    restore_url=lambda r: f"/leerroutes/{r.id}/herstellen",
    detail_url=lambda r: f"/leerroutes/{r.id}",
    public_urls=lambda w, r: [f"/leerroutes/?q={w.word}", f"/api/v1/routes?q={w.word}",
                              f"/leerroutes/export.csv?q={w.word}"],
    archive_list_url=lambda w, r: f"/leerroutes/?q={w.word}&archief=1",
    figures=_route_figures,
    snapshot=_route_snapshot,
    restore=lambda session, r, actor: route_service.restore_route(session, r, actor),
)


# --- samenwerkingsovereenkomsten ---------------------------------------------------------

def _make_agreement(world: World):
    return make_agreement(world.coordinator, world.route, world.roc, title=f"Overeenkomst {world.word}")


def _agreement_figures(world: World, agreement) -> dict[str, int]:
    session = world.session
    return {
        "in the public list": sum(a.id == agreement.id for a in agreement_queries.list_agreements(session)),
        "on the route's page": sum(a.id == agreement.id
                                   for a in agreement_queries.agreements_for_route(session, world.route.id)),
    }


def _agreement_snapshot(agreement) -> dict:
    return {**content_snapshot(agreement), "status": agreement.status, "revision": agreement.revision,
            "versions": [v.number for v in agreement.versions]}


AGREEMENTS = Kind(
    name="overeenkomst", table="agreements", audit_type="agreement",
    make=_make_agreement,
    archiver=lambda w: w.coordinator,
    archive_url=lambda a: f"/overeenkomsten/{a.id}/archiveren",
    restore_url=lambda a: f"/overeenkomsten/{a.id}/herstellen",
    detail_url=lambda a: f"/overeenkomsten/{a.id}",
    public_urls=lambda w, a: ["/overeenkomsten/", f"/leerroutes/{w.route.id}"],
    archive_list_url=lambda w, a: "/overeenkomsten/?archief=1",
    figures=_agreement_figures,
    snapshot=_agreement_snapshot,
    restore=lambda session, a, actor: agreement_lifecycle.restore(session, a, actor),
    viewer=lambda w: w.coordinator,  # a concept (only a concept can be archived): its party sees it
)


# --- goede voorbeelden -------------------------------------------------------------------

def _make_practice(world: World):
    return make_practice(world.coordinator, status="gepubliceerd", title=f"Voorbeeld {world.word}",
                         summary=f"Over {world.word} in de regio.", region_ids=[world.region.id],
                         organisation_ids=[world.school.id], themes=["lob", "techniek"])


def _practice_figures(world: World, practice) -> dict[str, int]:
    session = world.session
    found = practice_queries.search_practices(session, practice_queries.Filters(q=world.word))
    return {
        "search hits": found.total,
        "in the region's practices": sum(p.id == practice.id for p in
                                         practice_queries.practices_for_region(session, REGION, limit=100)),
    }


def _practice_snapshot(practice) -> dict:
    return {**{k: v for k, v in practice_service.snapshot(practice).items() if k != "archived_at"},
            "published_at": practice.published_at}


PRACTICES = Kind(
    name="voorbeeld", table="good_practices", audit_type="good_practice",
    make=_make_practice,
    archiver=lambda w: w.staff,  # an author may not archive a published practice; staff may
    archive_url=lambda p: f"/bibliotheek/{p.id}/archiveren",
    restore_url=lambda p: f"/bibliotheek/{p.id}/herstellen",
    detail_url=lambda p: f"/bibliotheek/{p.id}",
    public_urls=lambda w, p: [f"/bibliotheek/?q={w.word}", "/bibliotheek/", f"/regio/{REGION}"],
    archive_list_url=lambda w, p: "/bibliotheek/moderatie",
    figures=_practice_figures,
    snapshot=_practice_snapshot,
    restore=lambda session, p, actor: practice_service.restore_practice(session, p, actor),
)

KINDS = [pytest.param(k, id=k.table) for k in (ROUTES, AGREEMENTS, PRACTICES)]


@pytest.fixture
def world(client, db_session, reference_data):
    world = World(db_session)
    world.client = client
    return world


def _shows(client, url: str, obj, kind: Kind) -> bool:
    """Whether the page names the object: its title or a link to it (not the
    search word, which a search page repeats in its form)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = response.get_data(as_text=True)
    return obj.title in body or f'{kind.detail_url(obj)}"' in body


def _audit(session, kind: Kind, obj) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.object_type == kind.audit_type,
                                                       AuditLog.object_id == obj.id).order_by(AuditLog.id)))


def _row(session, kind: Kind, obj):
    """The row as the database holds it, past the ORM."""
    return session.execute(text(f"SELECT id, archived_at, version_id FROM {kind.table} WHERE id = :id"),  # noqa: S608
                           {"id": obj.id}).one_or_none()


@pytest.mark.parametrize("kind", KINDS)
def test_archive_hides_everywhere_keeps_the_row_and_staff_restore_it_intact(client, world, db_session, kind):
    obj = kind.make(world)
    db_session.commit()
    before = kind.snapshot(obj)
    live_figures = kind.figures(world, obj)
    assert all(v >= 1 for v in live_figures.values()), live_figures
    login_as(client, kind.viewer(world))
    assert all(_shows(client, url, obj, kind) for url in kind.public_urls(world, obj))
    assert client.get(kind.detail_url(obj)).status_code == 200
    version = obj.version_id

    # Archive over HTTP, by the owner (or staff where the rules want that).
    login_as(client, kind.archiver(world))
    response = client.post(kind.archive_url(obj), data={})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db_session.expire_all()
    row = _row(db_session, kind, obj)
    assert row is not None and row.archived_at is not None, "the row stays, marked archived"
    assert row.version_id == version + 1, "archiving bumps the optimistic-lock version"

    # Gone for the public and for the other users: lists, search, API, figures, its page.
    login_as(client, kind.viewer(world))
    for url in kind.public_urls(world, obj):
        assert not _shows(client, url, obj, kind), f"{kind.name} still shown on {url} after archiving"
    hidden = kind.figures(world, obj)
    assert all(hidden[k] == live_figures[k] - 1 for k in live_figures), (live_figures, hidden)
    for user in (None, world.reader, world.coordinator, world.other):
        assert login_as(client, user).get(kind.detail_url(obj)).status_code == 404

    # Staff find it again and see a restore button on its page.
    login_as(client, world.staff)
    assert _shows(client, kind.archive_list_url(world, obj), obj, kind)
    page = client.get(kind.detail_url(obj))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert kind.restore_url(obj) in html and "Herstellen" in html

    # Restore over HTTP: back as it was, visible everywhere again.
    response = client.post(kind.restore_url(obj), data={}, follow_redirects=True)
    assert response.status_code == 200
    assert "hersteld" in response.get_data(as_text=True)
    db_session.expire_all()
    row = _row(db_session, kind, obj)
    assert row.archived_at is None and row.version_id == version + 2
    assert kind.snapshot(obj) == before, "restored with everything it had"
    assert kind.figures(world, obj) == live_figures
    login_as(client, kind.viewer(world))
    assert all(_shows(client, url, obj, kind) for url in kind.public_urls(world, obj))
    assert client.get(kind.detail_url(obj)).status_code == 200

    # One audit entry per step, with who did it and the version before/after.
    entries = [e for e in _audit(db_session, kind, obj) if e.action in ("archive", "restore")]
    assert [e.action for e in entries] == ["archive", "restore"]
    assert entries[0].actor_id == kind.archiver(world).id and entries[1].actor_id == world.staff.id
    assert entries[0].before["version_id"] == version and entries[0].after["version_id"] == version + 1
    assert entries[1].before["version_id"] == version + 1 and entries[1].after["version_id"] == version + 2


@pytest.mark.parametrize("kind", KINDS)
def test_only_staff_can_restore(client, world, db_session, kind):
    obj = kind.make(world)
    db_session.commit()
    login_as(client, kind.archiver(world))
    assert client.post(kind.archive_url(obj), data={}).status_code == 302
    db_session.expire_all()
    audit_count = len(_audit(db_session, kind, obj))

    # The service refuses everybody but staff and admin (not only the view).
    for user in (world.reader, world.coordinator, world.mbo_coordinator, world.other, None):
        with pytest.raises(ServiceError):
            kind.restore(db_session, obj, user)
        db_session.rollback()
        db_session.expire_all()
        assert _row(db_session, kind, obj).archived_at is not None

    # Over HTTP: anonymous to the login page; the others are refused.
    response = login_as(client, None).post(kind.restore_url(obj), data={})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    for user in (world.reader, world.coordinator, world.mbo_coordinator, world.other):
        assert login_as(client, user).post(kind.restore_url(obj), data={}).status_code in (403, 404), user.role
    db_session.expire_all()
    assert _row(db_session, kind, obj).archived_at is not None
    assert len(_audit(db_session, kind, obj)) == audit_count

    # An admin may; restoring twice is a clear Dutch message, not an error page.
    kind.restore(db_session, obj, world.admin)
    with pytest.raises(ServiceError, match="niet gearchiveerd"):
        kind.restore(db_session, obj, world.admin)
