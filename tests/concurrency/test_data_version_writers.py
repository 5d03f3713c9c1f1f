"""No hot row for writers (issue 21): two transactions that both save a route
commit without waiting for each other, while the data version still changes
with each commit and never runs ahead of the data a reader sees.

PostgreSQL only: SQLite has one writer at a time by design (BEGIN IMMEDIATE)."""
from __future__ import annotations

import threading
from types import SimpleNamespace as Ref

import pytest
from sqlalchemy import func, select, text

from portal.core import data_version
from portal.extensions import db
from portal.models import LearningRoute
from portal.services.learning_routes.operations import register_route
from tests.concurrency.seed import committed
from tests.factories import make_organisation, make_user
from tests.factories_routes import make_school, route_data

WAIT = 20  # seconds: far longer than a route save, far shorter than the test's patience


@pytest.fixture
def pg_world(world):
    if world.sqlite:
        pytest.skip("SQLite serialises writers by design (one BEGIN IMMEDIATE at a time)")
    with committed(world.app):
        schools = [make_school(name=f"Vmbo Gelijktijdig {i}") for i in range(2)]
        roc = make_organisation("mbo", name="ROC Gelijktijdig")
        staff = make_user("staff")
        ids = ([s.id for s in schools], roc.id, staff.id)
    return world.app, ids


def _count_routes(app, title_prefix: str) -> tuple[str, int]:
    """(version, routes) as a new reader sees them: the version read first, as web/caching does."""
    with app.app_context():
        try:
            version = data_version.read(db.session)
            count = db.session.scalar(select(func.count(LearningRoute.id))
                                      .where(LearningRoute.title.like(f"{title_prefix}%")))
            return version, count
        finally:
            db.session.remove()


class HeldWriter(threading.Thread):
    """Saves a route through the service, then holds its transaction open until released."""

    def __init__(self, app, ids, title):
        super().__init__(daemon=True)
        self.app, self.ids, self.title = app, ids, title
        self.written, self.release, self.committed = threading.Event(), threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self):
        (schools, roc, staff_id) = self.ids
        with self.app.app_context():
            try:
                from portal.models import User
                staff = db.session.get(User, staff_id)
                register_route(db.session, route_data(Ref(id=schools[0]), Ref(id=roc), title=self.title), staff)
                db.session.flush()
                self.written.set()
                assert self.release.wait(WAIT * 3), "never released"
                db.session.commit()
                self.committed.set()
            except BaseException as exc:  # noqa: BLE001  reported by the test
                self.error = exc
                self.written.set()
            finally:
                db.session.remove()


def _run(app, work) -> tuple[threading.Event, list[BaseException]]:
    done, errors = threading.Event(), []

    def target():
        with app.app_context():
            try:
                work()
                db.session.commit()
                done.set()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()
    threading.Thread(target=target, daemon=True).start()
    return done, errors


def test_a_second_writer_commits_while_the_first_holds_its_transaction_open(pg_world):
    app, ids = pg_world
    schools, roc, staff_id = ids
    version_0, _ = _count_routes(app, "Gelijktijdig")

    first = HeldWriter(app, ids, "Gelijktijdig eerste")
    first.start()
    assert first.written.wait(WAIT) and first.error is None, first.error

    def second_write():
        from portal.models import User
        register_route(db.session, route_data(Ref(id=schools[1]), Ref(id=roc), title="Gelijktijdig tweede"),
                       db.session.get(User, staff_id))

    done, errors = _run(app, second_write)
    try:
        finished = done.wait(WAIT)
        assert not errors, errors
        assert finished, "the second writer waited for the first one's commit (a hot row)"
        assert not first.committed.is_set()
        # The second write is visible, with a new version; the first is not, and neither is its version.
        version_1, count_1 = _count_routes(app, "Gelijktijdig")
        assert count_1 == 1 and version_1 != version_0
    finally:
        first.release.set()
        first.join(WAIT)
    assert first.error is None, first.error
    version_2, count_2 = _count_routes(app, "Gelijktijdig")
    # The first writer took its counter before the second and committed after it: the version
    # still moves, so a page cached under version_1 (without the first route) is never served again.
    assert count_2 == 2 and version_2 not in (version_0, version_1)


def test_control_a_writer_on_the_same_row_does_wait(pg_world):
    """The test above can fail: a second transaction that updates every counter
    (what one shared version row amounts to) waits for the open first writer."""
    app, ids = pg_world
    first = HeldWriter(app, ids, "Gelijktijdig controle")
    first.start()
    assert first.written.wait(WAIT) and first.error is None, first.error
    done, errors = _run(app, lambda: db.session.execute(text("UPDATE data_version_slots SET counter = counter + 1")))
    try:
        assert not done.wait(3), "the control did not block: the test could not see a hot row"
    finally:
        first.release.set()
        first.join(WAIT)
    assert done.wait(WAIT) and not errors, errors
