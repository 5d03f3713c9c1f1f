"""Two instances of the portal (gunicorn, two workers each) behind one
imagined load balancer, against one database (PostgreSQL on the PostgreSQL
run) and one Redis (issue 21): a browser may land on either for any request,
and nothing it sees depends on which.

- the page cache: a page rendered by A is a hit on B (from Redis), and a write
  through A is seen at once on B, with the figures on the page recounted; the
  kept figures behind an aggregate page go to Redis too (that B does not
  compute what A computed: tests/services/test_kept_aggregates_shared.py);
- sessions: logged in on A, known on B; logged out on B, the old cookie is
  refused on A;
- throttling: failed logins on A count on B (the counters in Redis);
- idempotent creates: the same create form sent to A and again to B makes one
  route, and both answers lead to it.

Redis keys live under a prefix of this test's own, removed afterwards."""
from __future__ import annotations

import http.client
import re
import uuid
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import LearningRoute, LoginFailure
from portal.services.accounts import throttle
from scripts.soak_client import form_fields
from tests.concurrency.live import Server
from tests.concurrency.seed import committed
from tests.factories import PASSWORD, make_organisation, make_user
from tests.factories_routes import make_school
from tests.factories_security import require_redis

HOST = "portaal.test"  # behind one load balancer both instances see the same Host


class Page:
    def __init__(self, status: int, headers, body: str):
        self.status, self.headers, self.body = status, headers, body

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Page-Cache")


class Browser:
    """Keeps cookies like a browser, sends every request to the instance asked."""

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    def request(self, server: Server, method: str, path: str, form=None) -> Page:
        headers = {"Host": HOST, "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            page = Page(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        finally:
            conn.close()
        for cookie in page.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Expires=Thu, 01 Jan 1970" in cookie or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return page

    def get(self, server: Server, path: str) -> Page:
        return self.request(server, "GET", path)

    def post_form(self, server: Server, path: str, form_path: str, containing: str, **values) -> Page:
        fields = form_fields(self.get(server, form_path).body, containing)
        sent = [(k, v) for k, v in fields if k not in values] + list(values.items())
        return self.request(server, "POST", path, sent)

    def login(self, server: Server, email: str, password: str) -> Page:
        return self.post_form(server, "/login", "/login", "password", email=email, password=password)


@pytest.fixture(scope="module")
def two(world):
    redis_url = require_redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    with committed(world.app):
        school = make_school(name="Vmbo Twee Instanties")
        roc = make_organisation("mbo", name="ROC Twee Instanties")
        coordinator = make_user("coordinator", school, name="Coördinator Twee Instanties")
        target = make_user("reader", name="Doelwit Twee Instanties")
        people = {"school": school.id, "roc": roc.id, "coordinator": coordinator.email, "target": target.email}
    servers = [Server(world.url, world.tmp, REDIS_URL=redis_url, REDIS_KEY_PREFIX=prefix) for _ in range(2)]
    try:
        yield servers[0], servers[1], people, prefix
    finally:
        for server in servers:
            server.stop()
        import redis
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)


def _figure(page: Page, name: str) -> int:
    match = re.search(rf'data-figure="{name}">([0-9.]+)<', page.body)
    assert match, page.body[:2000]
    return int(match.group(1).replace(".", ""))


def _map_routes(page: Page) -> int:
    match = re.search(r'data-counter="routes">([0-9.]+)<', page.body)
    assert match and page.status == 200, page.body[:2000]
    return int(match.group(1).replace(".", ""))


def test_the_page_cache_is_shared_and_a_write_through_one_is_seen_by_the_other(world, two):
    a, b, people, prefix = two
    visitor = Browser()
    for _ in range(3):  # the first responses start the session; then the page is stored
        visitor.get(a, "/")
    on_a = visitor.get(a, "/")
    assert on_a.status == 200 and on_a.cache in ("hit", "hit-shared")  # A's other worker: from Redis
    on_b = visitor.get(b, "/")
    assert on_b.status == 200 and on_b.cache == "hit-shared", "B rendered a page A had rendered"
    before = _figure(on_b, "active-routes")
    map_before = _map_routes(visitor.get(b, "/kaart/"))  # B keeps the map's figures (patched after a save)

    # A coordinator saves a route through A (the create form, idempotent).
    author = Browser()
    assert author.login(a, people["coordinator"], PASSWORD).status == 302
    form = dict(title="Route twee instanties", kind="vakmanschap", status="actief", pathways="BB",
                profiles="ZW", mbo_level="2", mbo_domain="ZW", crebo="25498",
                qualification_name="Helpende zorg en welzijn", teaching_location="vmbo",
                first_school_year="2026-2027", pupils_per_cohort="15",
                vmbo_parties=str(people["school"]), mbo_parties=str(people["roc"]), opslaan="1")
    fields = form_fields(author.get(a, "/leerroutes/nieuw").body, "submission_key")
    sent = [(k, v) for k, v in fields if k not in form and k != "toch_opslaan"] + list(form.items())
    first = author.request(a, "POST", "/leerroutes/nieuw", sent)
    assert first.status == 302, first.body[:3000]
    location = first.headers["Location"]
    assert re.search(r"/leerroutes/\d+$", location)

    # The same submit again, landing on B (a retry): one route, the same answer.
    again = author.request(b, "POST", "/leerroutes/nieuw", sent)
    assert again.status == 302 and again.headers["Location"] == location
    with world.app.app_context():
        try:
            assert db.session.scalar(select(func.count(LearningRoute.id))
                                     .where(LearningRoute.title == form["title"])) == 1
        finally:
            db.session.remove()

    # B serves the new figures at once, as does A; both equal the recount.
    fresh_b = visitor.get(b, "/")
    assert fresh_b.cache == "miss", "B served its copy from before the write"
    fresh_a = visitor.get(a, "/")
    assert fresh_a.cache == "hit-shared"  # rendered once, by B, for both
    assert _figure(fresh_b, "active-routes") == _figure(fresh_a, "active-routes") == before + 1
    assert _map_routes(visitor.get(b, "/kaart/")) == _map_routes(visitor.get(a, "/kaart/")) == map_before + 1
    # The kept figures behind an aggregate page, computed once, are in Redis for every instance (core/aggregates).
    import redis
    assert visitor.get(b, "/kaart/dashboard").status == 200
    assert any(redis.Redis.from_url(require_redis()).scan_iter(prefix + "agg:*"))


def test_a_session_started_on_one_instance_holds_on_the_other(two):
    a, b, people, _ = two
    user = Browser()
    assert user.login(a, people["coordinator"], PASSWORD).status == 302
    todo = user.get(b, "/account/te-doen")
    assert todo.status == 200 and "Coördinator Twee Instanties" in todo.body
    old_cookies = dict(user.cookies)
    logout = user.post_form(b, "/logout", "/account/te-doen", "csrf_token")
    assert logout.status == 302
    replay = Browser(old_cookies).get(a, "/account/te-doen")
    assert replay.status == 302 and "/login" in replay.headers["Location"], "A accepted a session ended on B"


def test_failed_logins_on_one_instance_count_on_the_other(world, two):
    a, b, people, prefix = two
    guesser = Browser()
    for i in range(10):
        assert guesser.login([a, b][i % 2], people["target"], "fout-wachtwoord-1234").status == 200
    refused = guesser.login(b, people["target"], PASSWORD)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert guesser.login(a, people["target"], PASSWORD).status == 429
    # The counters are in Redis, not in the database.
    import redis
    client = redis.Redis.from_url(require_redis())
    assert any(client.scan_iter(prefix + "login-failures:*"))
    with world.app.app_context():
        try:
            assert db.session.scalar(select(func.count(LoginFailure.id))
                                     .where(LoginFailure.key == throttle.account_key(people["target"]))) == 0
        finally:
            db.session.remove()
