"""Issue 21: the aggregates the pages read kept per aggregates version
(core/aggregates) equal a recount from the rows, after random sequences of
writes through the services: create, edit, archive, restore, status change,
CSV import and agreement signing (with the route's activation). A write that
bypasses the session (the control) is what leaves them stale."""
from __future__ import annotations

import random
from contextlib import contextmanager

import pytest
from flask import current_app
from sqlalchemy import select, update

from portal.core.aggregates import read_version
from portal.devdata.generator import generate
from portal.domain.school_year import current_school_year, school_year_bounds, shift_school_year
from portal.models import LearningRoute, Pathway, Region
from portal.services.agreements import lifecycle
from portal.services.coverage import figures as coverage
from portal.services.coverage import map_data, trend
from portal.services.coverage import region as coverage_region
from portal.services.learning_routes import columns, listing
from portal.services.learning_routes import csv_import as route_import
from portal.services.learning_routes import operations as route_service
from portal.services.learning_routes import snapshots as route_snapshots
from portal.services.learning_routes.filters import RouteFilters
from portal.services.monitoring import indicators, report
from portal.services.reference.boundaries import current_region_year
from tests.conftest import DATA_DIR
from tests.factories import make_user
from tests.factories_agreements import make_agreement
from tests.factories_map import make_school
from tests.factories_routes import route_data

NOW = current_school_year()
PREVIOUS = shift_school_year(NOW, -1)
REGIONS = ("AM38", "AM09", "AM01")
HEADER = ";".join(c for c, _ in columns.IMPORT_COLUMNS)


@contextmanager
def recounting():
    """Every kept() computes, as if nothing were kept."""
    store = current_app.extensions["kept_aggregates"]
    store.enabled = False
    try:
        yield
    finally:
        store.enabled = True


def page_figures(session, staff) -> dict:
    """What the aggregate pages read: the map, GeoJSON and dashboard figures, the
    route list's facets (public and staff), the trend, the indicators and year
    report, a region page."""
    year = current_region_year(session)
    selection = coverage.selection_filters()
    region = session.scalar(select(Region).filter_by(code="AM38", year=year))
    detail = coverage_region.region_detail(session, region, NOW)
    return {
        "region_figures": coverage.region_figures(session, selection, None, year),
        "map_data": map_data.map_data(session, selection, None, year, 50),
        "map_data_staff": map_data.map_data(
            session, coverage.selection_filters(RouteFilters(status=["concept", "voorbereiding"])), staff, year, 50),
        "list_counts": listing.list_counts(session, RouteFilters(), None, year),
        "list_counts_level": listing.list_counts(session, RouteFilters(level=["2"]), None, year),
        "list_counts_staff": listing.list_counts(session, RouteFilters(), staff, year, include_archived=True),
        # The list's rows: their region, pathway and profile names come from reference data kept per version.
        "route_page": listing.page_of_routes(session, RouteFilters(), staff, year, page_size=200,
                                             include_archived=True),
        "trend": trend.trend(session, year, until=NOW),
        "first_school_year": trend.first_school_year(session),
        "indicators": indicators.indicator_years(session, year, [PREVIOUS, NOW]),
        "year_report": report.year_report(session, year, NOW),
        "region_detail": detail,
        "agreement_figures": coverage_region.agreement_figures(session, region, NOW, detail.route_ids),
    }


class Writer:
    """Random writes through the services, as the forms, import and signing make them."""

    def __init__(self, session, rng: random.Random):
        self.session, self.rng = session, rng
        self.staff = make_user("staff")
        self.pairs = []
        for n, code in enumerate(REGIONS):
            school = make_school(code, profiles=("ZW", "EO"), pupils=300, name=f"Vmbo Kept {n}",
                                 governing_body_name=f"Stichting Vmbo Kept {n}")
            school.pathways = list(session.scalars(select(Pathway).where(Pathway.code.in_(("BB", "KB")))))
            roc = make_school(code, kind="mbo", name=f"ROC Kept {n}", governing_body_name=f"Stichting ROC Kept {n}")
            self.pairs.append((school, roc, make_user("coordinator", school), make_user("coordinator", roc)))
        self.routes: list[LearningRoute] = []
        self.done: list[str] = []

    def step(self) -> None:
        ops = [self.create, self.import_csv, self.create_active_leerlab]
        if self.routes:
            ops += [self.edit, self.edit, self.archive, self.restore, self.sign_and_activate, self.end]
        op = self.rng.choice(ops)
        self.done.append(op.__name__)
        op()

    def _pair(self):
        return self.rng.choice(self.pairs)

    def create(self) -> None:
        school, roc, *_ = self._pair()
        kind = self.rng.choice(["glr", "dlr"])
        data = route_data(school, roc, title=f"Kept {len(self.done)}", status=self.rng.choice(["concept", "voorbereiding"]),
                          kind=kind, mbo_level="2" if kind == "glr" else self.rng.choice(["2", "3", "4"]),
                          first_school_year=self.rng.choice([PREVIOUS, NOW]),
                          profiles=self.rng.choice([["ZW"], ["EO", "ZW"]]), pupils_per_cohort=self.rng.randint(5, 30))
        self.routes.append(route_service.register_route(self.session, data, self.staff))

    def create_active_leerlab(self) -> None:
        school, roc, *_ = self._pair()
        data = route_data(school, roc, title=f"Leerlab {len(self.done)}", kind="leerlab", status="actief",
                          mbo_level=None, crebo="", qualification_name="", first_school_year=PREVIOUS,
                          profiles=["EO"], pupils_per_cohort=8)
        self.routes.append(route_service.register_route(self.session, data, self.staff))

    def import_csv(self) -> None:
        school, roc, *_ = self._pair()
        lines = []
        for n in range(self.rng.randint(1, 3)):
            values = {"titel": f"Import {len(self.done)}-{n}", "soort": "GLR", "status": "voorbereiding",
                      "vmbo_partijen": f"{school.name} [id:{school.id}]", "mbo_partijen": f"{roc.name} [id:{roc.id}]",
                      "bedrijven": "", "leerwegen": "BB", "profielen": self.rng.choice(["Z&W", "E&O"]),
                      "mbo_niveau": "2", "opleidingsdomein": "Zorg en welzijn", "crebo": "25498",
                      "kwalificatie": "Helpende zorg en welzijn", "lesplaats": "vmbo-locatie",
                      "eerste_schooljaar": NOW, "laatste_schooljaar": "", "leerlingen_per_cohort": "11",
                      "contactpersoon": "", "contact_email": "", "contact_telefoon": "", "omschrijving": ""}
            lines.append(";".join(values[c] for c, _ in columns.IMPORT_COLUMNS))
        raw = ("\ufeff" + "\r\n".join((HEADER, *lines)) + "\r\n").encode("utf-8")
        result = route_import.import_routes(self.session, route_import.parse_csv(raw), self.staff)
        assert not getattr(result, "errors", None), result
        self.routes.extend(self.session.scalars(
            select(LearningRoute).where(LearningRoute.title.startswith(f"Import {len(self.done)}-"))))

    def _live(self) -> list[LearningRoute]:
        return [r for r in self.routes if r.archived_at is None]

    def edit(self) -> None:
        live = self._live()
        if not live:
            return
        route = self.rng.choice(live)
        data = route_snapshots.route_input_from(route)
        data.title = f"{route.title} b"
        data.pupils_per_cohort = self.rng.randint(5, 40)
        data.profiles = self.rng.choice([["ZW"], ["EO"], ["EO", "ZW"]])
        if route.kind_code == "dlr":
            data.mbo_level = self.rng.choice(["2", "3", "4"])
        if route.status in ("concept", "voorbereiding"):
            school, roc, *_ = self._pair()  # moved to another region
            data.vmbo_parties, data.mbo_parties = [school.id], [roc.id]
        route_service.update_route(self.session, route, data, self.staff, expected_version=None)

    def archive(self) -> None:
        live = self._live()
        if live:
            route_service.archive_route(self.session, self.rng.choice(live), self.staff)

    def restore(self) -> None:
        archived = [r for r in self.routes if r.archived_at is not None]
        if archived:
            route_service.restore_route(self.session, self.rng.choice(archived), self.staff)

    def end(self) -> None:
        active = [r for r in self._live() if r.status == "actief"]
        if active:
            route_service.set_status(self.session, self.rng.choice(active), "beeindigd", self.staff,
                                     expected_version=None)

    def sign_and_activate(self) -> None:
        """An agreement for a route in preparation, signed by both parties; then the route actief."""
        ready = [r for r in self._live() if r.status == "voorbereiding" and r.kind_code in ("glr", "dlr")
                 and r.first_school_year == NOW]
        if not ready:
            return
        route = self.rng.choice(ready)
        vmbo_id = next(p.organisation_id for p in route.parties if p.role == "vmbo")
        school, roc, vmbo_user, mbo_user = next(p for p in self.pairs if p[0].id == vmbo_id)
        if not any(p.organisation_id == roc.id for p in route.parties):
            return
        agreement = make_agreement(vmbo_user, route, roc, start_date=school_year_bounds(NOW)[0],
                                   end_date=school_year_bounds(shift_school_year(NOW, 2))[1])
        lifecycle.send_for_signature(self.session, agreement, vmbo_user)
        for party in agreement.parties:
            lifecycle.sign(self.session, agreement, party, vmbo_user if party.organisation_id == school.id else mbo_user)
        data = route_snapshots.route_input_from(route)
        data.status = "actief"
        route_service.update_route(self.session, route, data, self.staff, expected_version=None)
        self.done.append("signed")


@pytest.fixture
def writer(db_session, reference_data):
    generate(db_session, scale=0.02, seed=21, data_dir=DATA_DIR)
    db_session.flush()
    return Writer(db_session, random.Random(2126))


def test_kept_figures_equal_a_recount_after_random_writes(writer):
    session = writer.session
    store = current_app.extensions["kept_aggregates"]
    page_figures(session, writer.staff)  # kept before the first write
    for _ in range(30):
        writer.step()
        kept = page_figures(session, writer.staff)
        with recounting():
            counted = page_figures(session, writer.staff)
        for name, value in counted.items():
            assert kept[name] == value, f"{name} after {writer.done}"
        computed = store.computed
        assert page_figures(session, writer.staff) == kept  # and they are kept: nothing computed again
        assert store.computed == computed
    # The sequence wrote every kind of change, and the selection was not empty.
    assert {"create", "import_csv", "edit", "archive", "restore", "signed", "end"} <= set(writer.done)
    assert kept["map_data"].totals.routes > 0 and kept["list_counts"].total > 0


def test_a_write_around_the_session_is_not_seen_the_control(writer):
    """The control: a change the listener cannot see (SQL on the connection,
    outside the session) leaves the kept figures as they were, and they
    differ from a recount. Every service write goes through the session."""
    session = writer.session
    writer.create_active_leerlab()
    kept = page_figures(session, writer.staff)
    version = read_version(session)
    session.connection().exec_driver_sql(
        "UPDATE learning_routes SET status = 'beeindigd' WHERE status = 'actief'")
    assert read_version(session) == version
    stale = page_figures(session, writer.staff)
    with recounting():
        counted = page_figures(session, writer.staff)
    assert stale["region_figures"] == kept["region_figures"]
    assert stale["region_figures"] != counted["region_figures"]
    assert stale["map_data"].totals.routes > 0 == counted["map_data"].totals.routes


def test_the_route_lists_kept_names_follow_reference_changes_and_survive_route_saves(writer):
    """The route list's region, pathway and profile names are kept per version
    (listing._ListNames): a route save keeps them (nothing read again), a
    renamed region shows at once on the next page."""
    session = writer.session
    writer.create()
    session.commit()  # each write its own transaction, as each request's (a savepoint here)
    route = writer.routes[-1]

    def regions_shown():
        page = listing.page_of_routes(session, RouteFilters(), writer.staff, current_region_year(session),
                                      page_size=200, include_archived=True)
        return next(row.regions for row in page.routes if row.id == route.id)

    shown = regions_shown()
    assert shown, "the route's schools lie in a region"
    store = current_app.extensions["kept_aggregates"]
    data = route_snapshots.route_input_from(route)
    data.pupils_per_cohort = 21
    route_service.update_route(session, route, data, writer.staff, expected_version=None)
    session.commit()
    computed = store.computed
    assert regions_shown() == shown
    assert store.computed == computed, "a route save read the reference names again"

    region = session.scalar(select(Region).where(Region.name == shown[0], Region.year == current_region_year(session)))
    region.name = "Hernoemde regio"
    session.flush()
    assert "Hernoemde regio" in regions_shown()


def test_a_rolled_back_write_leaves_the_version_and_figures_of_before(writer):
    """A write that is rolled back (a savepoint, as a failed request's) takes
    its version with it: the figures kept for the version before stay right."""
    session = writer.session
    before = page_figures(session, writer.staff)
    version = read_version(session)
    nested = session.begin_nested()
    writer.create_active_leerlab()
    assert page_figures(session, writer.staff)["map_data"].totals.routes == before["map_data"].totals.routes + 1
    assert read_version(session) != version
    nested.rollback()
    assert read_version(session) == version
    with recounting():
        assert page_figures(session, writer.staff) == before
    assert page_figures(session, writer.staff) == before


def test_a_bulk_statement_through_the_session_changes_the_version(writer):
    """DML through Session.execute (bulk imports, the demo generator) marks the
    transaction; the version changes before anything is read or committed."""
    session = writer.session
    writer.create_active_leerlab()
    before = page_figures(session, writer.staff)
    version = read_version(session)
    session.execute(update(LearningRoute).where(LearningRoute.status == "actief").values(pupils_per_cohort=99))
    after = page_figures(session, writer.staff)
    assert read_version(session) != version
    assert after["map_data"].totals.pupils_in_routes == 99 * after["map_data"].totals.routes
    assert after["map_data"].totals.pupils_in_routes != before["map_data"].totals.pupils_in_routes


def test_a_commit_writes_the_version_also_after_a_savepoint_rolled_back(writer):
    """A write committed without any kept read changes the version at commit; a
    savepoint rolled back after it does not make the transaction forget it."""
    session = writer.session
    page_figures(session, writer.staff)
    version = read_version(session)
    writer.create_active_leerlab()
    session.flush()
    nested = session.begin_nested()
    writer.create_active_leerlab()
    nested.rollback()
    session.commit()
    assert read_version(session) != version
    kept = page_figures(session, writer.staff)
    with recounting():
        assert page_figures(session, writer.staff) == kept


def test_changes_before_a_rolled_back_savepoint_still_get_their_version(writer):
    """A kept read inside a savepoint writes the version for the changes made
    before it; the savepoint rolled back takes that version along, and the
    commit must write one again."""
    session = writer.session
    page_figures(session, writer.staff)
    version = read_version(session)
    writer.create_active_leerlab()
    session.flush()
    nested = session.begin_nested()
    inside = page_figures(session, writer.staff)
    nested.rollback()
    assert read_version(session) == version
    assert page_figures(session, writer.staff) == inside  # the change is still there, and so counted
    session.commit()
    assert read_version(session) != version


def test_a_new_version_frees_the_entries_of_the_old_one(writer):
    """Only the current version's figures stay in memory (/kaart's entry holds
    its pins): the first read after a write drops the others."""
    session = writer.session
    store = current_app.extensions["kept_aggregates"]
    page_figures(session, writer.staff)
    assert len(store) >= 10
    writer.create_active_leerlab()
    trend.first_school_year(session)
    assert len(store) == 1
