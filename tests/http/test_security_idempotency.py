"""Idempotent create forms: the same submit sent twice (double click, browser
resubmit, network retry) makes one row, and the second answer redirects to
the object made the first time. On PostgreSQL also two submits at the same
moment (the key's primary key decides)."""
from __future__ import annotations

import re
import secrets
import threading
import time

import pytest
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.orm import Session

from portal.core import idempotency
from portal.models import LearningRoute, User
from portal.models.agreement import Agreement
from portal.models.practice import GoodPractice
from portal.models.submission import FormSubmission
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_agreements import CLAUSES, make_parties_and_route
from tests.factories_routes import RouteWorld

ALREADY = "Dit formulier was al verzonden"


def rendered_key(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="submission_key"[^>]*>', html)
    assert match, f"no submission_key in the form at {url}"
    value = re.search(r'value="([^"]+)"', match.group(0)).group(1)
    assert idempotency.valid_key(value)
    return value


def route_form(world, title):
    return {"title": title, "kind": "glr", "status": "concept", "pathways": ["BB"], "profiles": ["ZW"],
            "mbo_level": "2", "mbo_domain": "ZW", "crebo": "25498", "qualification_name": "Helpende zorg en welzijn",
            "teaching_location": "vmbo", "first_school_year": "2026-2027", "pupils_per_cohort": "15",
            "vmbo_parties": [str(world.school.id)], "mbo_parties": [str(world.roc.id)], "opslaan": "1"}


def agreement_form(route, title):
    return {"title": title, "route_ids": [str(route.id)], "start_date": "2026-08-01", "end_date": "2030-07-31",
            "team_qualification": "nee", **{k: v for k, v in CLAUSES.items() if isinstance(v, str)}}


def practice_form(title):
    return {"title": title, "summary": "Samenvatting.", "body": "Tekst.", "themes": ["lob"]}


@pytest.fixture
def forms(client, db_session):
    """(create url, form data for a title, model, title column, detail url prefix) per create form, logged in
    as a coordinator who may use all three."""
    vmbo, mbo, route, vmbo_user, _ = make_parties_and_route()
    world = RouteWorld()
    world.school, world.roc = vmbo, mbo
    login_as(client, vmbo_user)
    return {
        "route": ("/leerroutes/nieuw", lambda t: route_form(world, t), LearningRoute, "/leerroutes/"),
        "agreement": ("/overeenkomsten/nieuw", lambda t: agreement_form(route, t), Agreement, "/overeenkomsten/"),
        "practice": ("/bibliotheek/nieuw", practice_form, GoodPractice, "/bibliotheek/"),
    }, vmbo_user


def rows(db_session, model, title) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(model.title == title))


@pytest.mark.parametrize("kind", ["route", "agreement", "practice"])
def test_the_same_submit_twice_makes_one_row_and_redirects_to_it(client, db_session, forms, kind):
    (url, data_for, model, prefix), user = forms[0][kind], forms[1]
    title = f"Dubbel verzonden {kind} qwdubbel"
    data = {**data_for(title), "submission_key": rendered_key(client, url)}
    first = client.post(url, data=data)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    location = first.headers["Location"]
    assert re.search(re.escape(prefix) + r"\d+$", location)
    client.get(location)  # shows (and so clears) the "saved" message

    again = client.post(url, data=data)
    assert again.status_code == 302
    assert again.headers["Location"] == location
    assert ALREADY in client.get(location).get_data(as_text=True)
    assert rows(db_session, model, title) == 1
    submission = db_session.get(FormSubmission, data["submission_key"])
    assert submission.object_type == kind and submission.user_id == user.id
    assert location.endswith(f"/{submission.object_id}")

    # A new key (the form opened again) is a new object: the check is on the key, not the content
    # (a route identical to an existing one asks "toch opslaan?" first: tests/http/test_ux_duplicates.py).
    third = client.post(url, data={**data, "submission_key": rendered_key(client, url), "toch_opslaan": "1"})
    assert third.status_code == 302 and third.headers["Location"] != location
    assert rows(db_session, model, title) == 2


def test_each_showing_of_the_form_has_its_own_key(client, forms):
    keys = {rendered_key(client, url) for url, *_ in forms[0].values() for _ in range(2)}
    assert len(keys) == 6


def test_a_submit_with_errors_does_not_use_up_the_key(client, db_session, forms):
    url, data_for, model, _ = forms[0]["route"]
    key = rendered_key(client, url)
    title = "Eerst fout qwfout"
    response = client.post(url, data={**data_for(title), "mbo_level": "3", "submission_key": key})
    assert response.status_code == 200 and f'value="{key}"' in response.get_data(as_text=True)
    assert db_session.get(FormSubmission, key) is None and rows(db_session, model, title) == 0
    fixed = client.post(url, data={**data_for(title), "submission_key": key})
    assert fixed.status_code == 302 and rows(db_session, model, title) == 1
    assert client.post(url, data={**data_for(title), "submission_key": key}).headers["Location"] == \
        fixed.headers["Location"]
    assert rows(db_session, model, title) == 1


def test_another_users_key_is_refused_and_saves_nothing(app, client, db_session, forms):
    url, data_for, model, _ = forms[0]["practice"]
    key = rendered_key(client, url)
    assert client.post(url, data={**data_for("Van de eerste qweerste"), "submission_key": key}).status_code == 302
    other = app.test_client()
    login_as(other, make_user("coordinator"))
    response = other.post(url, data={**data_for("Van de tweede qwtweede"), "submission_key": key})
    assert response.status_code == 400
    assert rows(db_session, model, "Van de tweede qwtweede") == 0
    # The key of a practice form sent to the route form does not lead to the practice either.
    route_url, route_data, route_model, _ = forms[0]["route"]
    response = client.post(route_url, data={**route_data("Verkeerd formulier qwverkeerd"), "submission_key": key})
    assert response.status_code == 400 and rows(db_session, route_model, "Verkeerd formulier qwverkeerd") == 0


@pytest.mark.parametrize("key", ["", "kort", "x" * 65, "é" * 32, "<script>alert(1)</script>1234567890",
                                 "'; DROP TABLE form_submissions; --"])
def test_a_missing_or_malformed_key_saves_as_before(client, db_session, forms, key):
    url, data_for, model, _ = forms[0]["practice"]
    title = "Zonder sleutel qwzonder"
    data = data_for(title) if key == "" else {**data_for(title), "submission_key": key}
    assert client.post(url, data=data).status_code == 302
    assert rows(db_session, model, title) == 1
    assert db_session.scalar(select(func.count()).select_from(FormSubmission)) == 0


def _an_expired_and_a_fresh_key(db_session, old_key: str, new_key: str):
    user = make_user("coordinator")
    old = idempotency.claim(db_session, old_key, user.id, "route")
    old.object_id = 1
    db_session.flush()
    old.created_at = old.created_at - idempotency.KEEP_FOR - idempotency.timedelta(days=1)
    idempotency.claim(db_session, new_key, user.id, "route").object_id = 2
    db_session.flush()
    return user


def test_prune_forgets_old_keys(db_session):
    user = _an_expired_and_a_fresh_key(db_session, "o" * 32, "n" * 32)
    assert idempotency.prune(db_session) == 1
    assert [s.key for s in idempotency.submissions_for(db_session, user.id)] == ["n" * 32]


def test_the_prune_command_forgets_old_keys(app, db_session):
    """`flask prune-submissions` (cron, daily) removes expired keys only."""
    user = _an_expired_and_a_fresh_key(db_session, "p" * 32, "q" * 32)
    result = app.test_cli_runner().invoke(args=["prune-submissions"])
    assert result.exit_code == 0, result.output
    assert "1 oude formuliersleutel" in result.output
    assert [s.key for s in idempotency.submissions_for(db_session, user.id)] == ["q" * 32]


# --- two submits at the same moment (PostgreSQL) ---------------------------------

@pytest.fixture
def committed_user(app, database_url):
    """A user committed for real (the test needs two connections), removed afterwards."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL only (SQLite serialises all writes)")
    engine = create_engine(database_url)
    email = f"gelijktijdig-{secrets.token_hex(4)}@example.org"
    with Session(engine) as session:
        user = User(email=email, name="Gelijktijdig", role="reader", password_hash="x")
        session.add(user)
        session.commit()
        user_id = user.id
    yield engine, user_id
    with engine.begin() as conn:
        conn.execute(delete(FormSubmission).where(FormSubmission.user_id == user_id))
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id})
    engine.dispose()


class Made:
    def __init__(self, id):  # noqa: A002
        self.id = id


def wait_until_blocked(engine, thread, outcome, timeout=30.0):
    """Until some backend waits for a lock (the second claim on the key's index
    entry). Generous on a loaded machine; fails at once, with the reason, when
    the second submit ended without waiting."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        "AND datname = current_database()")).scalar()
            # pg_stat_activity is read once per transaction (stats_fetch_consistency):
            # end it, or a poll made before the second submit blocked never sees it.
            conn.rollback()
            if waiting:
                return
            if not thread.is_alive():
                raise AssertionError(f"the second submit ended without waiting for the first: {outcome}")
            time.sleep(0.05)
    raise AssertionError("the second submit never waited for the first")


@pytest.mark.parametrize("first_outcome", ["commit", "rollback"])
def test_two_submits_at_the_same_moment_make_one_object(committed_user, first_outcome):
    engine, user_id = committed_user
    key = secrets.token_urlsafe(24)
    second: dict = {}

    def second_submit():
        with Session(engine) as session:
            try:
                second["made"] = idempotency.create_once(session, key, user_id, "route", lambda: Made(202))
                session.commit()
            except idempotency.AlreadySubmitted as exc:
                second["earlier"] = exc.submission.object_id
            except Exception as exc:  # reported by wait_until_blocked and the assertions below
                second["error"] = repr(exc)

    with Session(engine) as first:
        idempotency.create_once(first, key, user_id, "route", lambda: Made(101))
        thread = threading.Thread(target=second_submit)
        thread.start()
        wait_until_blocked(engine, thread, second)
        first.commit() if first_outcome == "commit" else first.rollback()
    thread.join(15)
    assert not thread.is_alive()
    with Session(engine) as session:
        stored = session.get(FormSubmission, key)
    if first_outcome == "commit":
        assert second == {"earlier": 101} and stored.object_id == 101
    else:  # the first failed: the second may go ahead with the same key
        assert second["made"].id == 202 and stored.object_id == 202
