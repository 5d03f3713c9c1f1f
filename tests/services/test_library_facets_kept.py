"""Issue 21: the library's result sets and facet counts come from sets kept
per data version (services/practices/queries.FacetSets). After random writes
through the practices service (create, submit, publish, send back, edit
themes, regions, levels and domains, archive, restore) and route saves, every
search answers the same as with nothing kept; a route save keeps the sets as
they are. The control: a write around the session is not seen."""
from __future__ import annotations

import random

import pytest
from flask import current_app
from sqlalchemy import select

from portal.models import Pathway, Region
from portal.models.practice import GoodPractice
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from portal.services.practices import operations as service
from portal.services.practices import queries
from portal.services.practices.queries import Filters
from tests.factories import make_user
from tests.factories_map import make_school
from tests.factories_practices import practice_data
from tests.factories_routes import route_data
from tests.services.test_kept_aggregates import recounting

THEMES = ["lob", "techniek", "overstap", "bekostiging"]
WORDS = ["techniek", "zorg", "perron", "stage"]


def library(session, region_code: str) -> dict:
    """What the library pages show for a few searches: total, pages, the ids on
    the page in order, and every facet with its count."""
    searches = {
        "all": Filters(), "theme": Filters(theme="techniek"), "words": Filters(q="techniek"),
        "words and region": Filters(q="zorg OR stage", region=region_code),
        "level and domain": Filters(level="2", domain="ZW"), "none": Filters(q="bestaatnietwoord"),
    }
    shown = {}
    for name, filters in searches.items():
        for page in (1, 2):
            result = queries.search_practices(session, filters, page=page, per_page=4)
            shown[(name, page)] = (
                result.total, result.pages, result.page, [hit.practice.id for hit in result.hits],
                {facet: [(f.code, f.count, f.selected) for f in facets] for facet, facets in result.facets.items()})
    return shown


class Librarian:
    def __init__(self, session, rng: random.Random):
        self.session, self.rng = session, rng
        self.author = make_user("coordinator")
        self.staff = make_user("staff")
        self.regions = list(session.scalars(select(Region).where(Region.year == 2025).order_by(Region.code).limit(3)))
        school = make_school(self.regions[0].code, profiles=("ZW",), pupils=200, name="Vmbo Bibliotheek",
                             governing_body_name="Stichting Vmbo Bibliotheek")
        school.pathways = list(session.scalars(select(Pathway).where(Pathway.code == "BB")))
        roc = make_school(self.regions[0].code, kind="mbo", name="ROC Bibliotheek",
                          governing_body_name="Stichting ROC Bibliotheek")
        self.route = route_service.register_route(session, route_data(school, roc, title="Route naast de bibliotheek",
                                                                     status="voorbereiding"), self.staff)
        self.practices: list[GoodPractice] = []
        self.done: list[str] = []

    def _data(self) -> dict:
        word = self.rng.choice(WORDS)
        return practice_data(
            title=f"Voorbeeld over {word} {len(self.done)}", summary=f"Een samenvatting over {word} en meer.",
            themes=self.rng.sample(THEMES, self.rng.randint(1, 2)),
            region_ids=[r.id for r in self.rng.sample(self.regions, self.rng.randint(0, 2))],
            level_codes=self.rng.sample(["2", "3", "4"], self.rng.randint(0, 2)),
            domain_codes=self.rng.sample(["ZW", "ICT"], self.rng.randint(0, 1)))

    def step(self) -> None:
        ops = [self.create, self.create]
        if self.practices:
            ops += [self.edit, self.submit_publish, self.send_back, self.archive, self.restore, self.save_route]
        op = self.rng.choice(ops)
        self.done.append(op.__name__)
        op()
        self.session.commit()  # each write its own transaction, as each request's (a savepoint here)

    def _pick(self, test) -> GoodPractice | None:
        found = [p for p in self.practices if test(p)]
        return self.rng.choice(found) if found else None

    def create(self) -> None:
        practice = service.create_practice(self.session, self._data(), self.author)
        if self.rng.random() < 0.7:
            service.submit_practice(self.session, practice, self.author)
            service.publish_practice(self.session, practice, self.staff)
        self.practices.append(practice)

    def edit(self) -> None:
        practice = self._pick(lambda p: p.archived_at is None)
        if practice is not None:
            service.update_practice(self.session, practice, self._data(), self.author)

    def submit_publish(self) -> None:
        practice = self._pick(lambda p: p.archived_at is None and p.status in ("concept", "teruggestuurd"))
        if practice is not None:
            service.submit_practice(self.session, practice, self.author)
            service.publish_practice(self.session, practice, self.staff)

    def send_back(self) -> None:
        practice = self._pick(lambda p: p.archived_at is None and p.status == "gepubliceerd")
        if practice is not None:
            service.send_back_practice(self.session, practice, "Graag een concreter resultaat noemen.", self.staff)

    def archive(self) -> None:
        practice = self._pick(lambda p: p.archived_at is None)
        if practice is not None:
            service.archive_practice(self.session, practice, self.staff)

    def restore(self) -> None:
        practice = self._pick(lambda p: p.archived_at is not None)
        if practice is not None:
            service.restore_practice(self.session, practice, self.staff)

    def save_route(self) -> None:
        data = route_snapshots.route_input_from(self.route)
        data.pupils_per_cohort = self.rng.randint(5, 40)
        route_service.update_route(self.session, self.route, data, self.staff, expected_version=None)


@pytest.fixture
def librarian(db_session, reference_data):
    return Librarian(db_session, random.Random(2121))


def test_kept_sets_answer_as_a_recount_after_random_writes(librarian):
    session = librarian.session
    store = current_app.extensions["kept_aggregates"]
    region = librarian.regions[0].code
    for _ in range(40):
        librarian.step()
        computed = store.computed
        shown = library(session, region)
        if librarian.done[-1] == "save_route":
            assert store.computed == computed, "a route save made the sets count again"
        with recounting():
            assert library(session, region) == shown, f"after {librarian.done}"
    assert {"create", "edit", "submit_publish", "send_back", "archive", "restore", "save_route"} <= set(librarian.done)
    totals = {key[0]: value[0] for key, value in shown.items()}
    assert totals["all"] > 4 and totals["words"] > 0 and totals["none"] == 0


def test_a_write_around_the_session_is_not_seen_the_control(librarian):
    """The control: archiving with SQL on the connection (no listener sees it)
    leaves the kept sets as they were, and the library then differs from a
    recount. Every service write goes through the session."""
    session = librarian.session
    for _ in range(6):
        librarian.create()
    region = librarian.regions[0].code
    def counts():  # the totals and facet counts (the page's rows are read from the database each time)
        return {key: (shown[0], shown[4]) for key, shown in library(session, region).items()}

    kept = counts()
    session.connection().exec_driver_sql("UPDATE good_practices SET archived_at = created_at")
    assert counts() == kept
    with recounting():
        assert counts()[("all", 1)][0] == 0 < kept[("all", 1)][0]
