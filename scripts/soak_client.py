"""The soak's simulated users: a tiny cookie-keeping HTTP client (stdlib only)
and the behaviours of anonymous readers and logged-in coordinators, who read
and create routes and practices through the real HTML forms (CSRF token and
one-time submission key from the rendered form), retrying some submits with
the same key on purpose. Used by scripts/soak.py."""
from __future__ import annotations

import http.client
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

INPUT = r'<input[^>]*\bname="{name}"[^>]*>'


@dataclass
class Hit:
    """One request as the client saw it (times from time.monotonic())."""
    start: float
    end: float
    kind: str
    method: str
    path: str
    status: int  # 0: no HTTP answer (connection error or timeout)
    retry_after: str | None = None
    error: str | None = None


@dataclass
class Outcome:
    """Everything that happened to one create form (one title, one key)."""
    kind: str
    title: str
    key: str
    owner: str
    ids: set[int] = field(default_factory=set)
    statuses: list[int] = field(default_factory=list)
    mode: str = "single"
    rejected: str | None = None

    @property
    def created(self) -> int | None:
        return next(iter(self.ids)) if len(self.ids) == 1 else None


class Recorder:
    def __init__(self):
        self.hits: list[Hit] = []
        self.outcomes: list[Outcome] = []
        self.races: list[Race] = []
        self.lock = threading.Lock()

    def hit(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)


class Response:
    def __init__(self, status: int, headers, body: str):
        self.status, self.headers, self.body = status, headers, body

    def input_value(self, name: str) -> str | None:
        tag = re.search(INPUT.format(name=re.escape(name)), self.body)
        value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return value.group(1) if value else None


class _FormReader(HTMLParser):
    """The successful controls of every <form> of a page, in document order:
    inputs (checked boxes only; no buttons), selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name") and not a.get("disabled"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append([a["name"], a.get("value") or ("on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"] or ([] if self._select["multiple"] or self._select["first"] is None
                                                else [self._select["first"]])
            self._form["fields"] += [[self._select["name"], value] for value in chosen]
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea[1].startswith("\n"):
                self._textarea[1] = self._textarea[1][1:]
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, containing: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the first form with a field named `containing`
    would post."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if any(name == containing for name, _ in form["fields"]):
            return [(name, value) for name, value in form["fields"]]
    raise AssertionError(f"no form with a field {containing!r} on the page:\n{html[:2000]}")


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The same fields with some values changed (or added)."""
    out = [(k, values.get(k, v)) for k, v in fields]
    return out + [(k, v) for k, v in values.items() if k not in dict(fields)]


class Browser:
    """Keeps cookies like a browser; never follows redirects by itself."""

    def __init__(self, host: str, port: int, recorder: Recorder, timeout: float = 30.0):
        self.host, self.port, self.recorder, self.timeout = host, port, recorder, timeout
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, kind: str, form: list[tuple[str, str]] | None = None) -> Response:
        headers = {"Accept": "text/html", "User-Agent": "portal-soak"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            response = Response(raw.status, raw.headers, text)
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.hit(Hit(start, time.monotonic(), kind, method, path, 0, error=repr(exc)))
            return Response(0, {}, "")
        finally:
            conn.close()
        with self.lock:
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                if "Expires=Thu, 01 Jan 1970" in cookie or not value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        self.recorder.hit(Hit(start, time.monotonic(), kind, method, path, response.status,
                              response.headers.get("Retry-After")))
        return response

    def login(self, email: str, password: str, deadline: float) -> bool:
        while time.monotonic() < deadline:
            page = self.request("GET", "/login", "login")
            token = page.input_value("csrf_token")
            if token:
                done = self.request("POST", "/login", "login",
                                    [("csrf_token", token), ("email", email), ("password", password)])
                if done.status == 302:
                    return True
            time.sleep(0.5)
        return False


def object_id(location: str | None) -> int | None:
    match = re.search(r"/(\d+)$", urlsplit(location or "").path)
    return int(match.group(1)) if match else None


@dataclass
class World:
    """What the clients know about the seeded data (see soak.prepare)."""
    route_ids: list[int]
    coordinators: list[dict]  # email, route_form (field pairs), practice_form, agreement_ids
    password: str


READS_ANONYMOUS = (
    (3, lambda w: "/"),
    (1, lambda w: "/kaart/"),
    (2, lambda w: random.choice(["/leerroutes/", "/leerroutes/?kind=dlr", "/leerroutes/?pathway=BB&level=2",
                                 "/leerroutes/?profile=ZW&sort=title", "/leerroutes/?status=actief&pagina=1"])),
    (3, lambda w: f"/leerroutes/{random.choice(w.route_ids)}"),
    (2, lambda w: "/bibliotheek/?q=" + random.choice(["stage", "zomerlek", "techniek", "overstap", "zorg"])),
)


def pick(weighted):
    total = sum(weight for weight, _ in weighted)
    roll = random.uniform(0, total)
    for weight, item in weighted:
        roll -= weight
        if roll <= 0:
            return item
    return weighted[-1][1]


class Client(threading.Thread):
    """One simulated user until `stop_at`; writers finish a started create
    (retrying it with the same key through an outage) until `settle_by`."""

    def __init__(self, number: int, browser: Browser, world: World, stop_at: float, settle_by: float,
                 coordinator: dict | None):
        super().__init__(name=f"soak-client-{number}", daemon=True)
        self.browser, self.world, self.stop_at, self.settle_by = browser, world, stop_at, settle_by
        self.coordinator = coordinator
        self.random = random.Random(number)

    def run(self) -> None:
        if self.coordinator and not self.browser.login(self.coordinator["email"], self.world.password, self.stop_at):
            return
        while time.monotonic() < self.stop_at:
            roll = self.random.random()
            if self.coordinator and roll < 0.30:
                self.create(self.random.choice(["route", "practice"]))
            elif self.coordinator and roll < 0.45 and self.coordinator["agreement_ids"]:
                self.browser.request("GET", f"/overeenkomsten/{self.random.choice(self.coordinator['agreement_ids'])}",
                                     "agreement")
            else:
                path = pick(READS_ANONYMOUS)(self.world)
                response = self.browser.request("GET", path, "read")
                if response.status == 503:
                    time.sleep(0.2)

    # --- writes --------------------------------------------------------------

    def create(self, kind: str) -> None:
        url = {"route": "/leerroutes/nieuw", "practice": "/bibliotheek/nieuw"}[kind]
        page = self.browser.request("GET", url, "form")
        token, key = page.input_value("csrf_token"), page.input_value("submission_key")
        if page.status != 200 or not token or not key:
            time.sleep(0.2)
            return
        title = f"Soak {kind} {uuid.uuid4().hex[:12]}"
        fields = self.coordinator[f"{kind}_form"]
        form = [("csrf_token", token), ("submission_key", key), ("title", title),
                *[(k, v) for k, v in fields if k != "title"]]
        mode = self.random.choices(["single", "resubmit", "double"], [0.5, 0.3, 0.2])[0]
        outcome = Outcome(kind, title, key, self.coordinator["email"], mode=mode)
        with self.browser.recorder.lock:
            self.browser.recorder.outcomes.append(outcome)
        location = self.submit(url, form, outcome, double=mode == "double")
        if location and mode == "resubmit":  # the browser's "send again?" after the page loaded
            self.submit(url, form, outcome)
        if location:
            self.browser.request("GET", location, "detail")  # as a browser would; shows the flash

    def submit(self, url: str, form, outcome: Outcome, double: bool = False) -> str | None:
        """POST until an answer that is not a 503 (same key each time)."""
        while True:
            if double:  # a double click: the same submit twice at the same moment
                answers: list[Response] = []
                twin = threading.Thread(target=lambda: answers.append(  # noqa: B023  joined in this iteration
                    self.browser.request("POST", url, "create", form)))
                twin.start()
                answers.append(self.browser.request("POST", url, "create", form))
                twin.join()
                double = False
            else:
                answers = [self.browser.request("POST", url, "create", form)]
            location = None
            for answer in answers:
                outcome.statuses.append(answer.status)
                if answer.status == 302:
                    location = answer.headers.get("Location")
                    if (made := object_id(location)) is not None:
                        outcome.ids.add(made)
                elif answer.status not in (0, 503):
                    errors = re.findall(r'<p class="error"[^>]*>([^<]+)</p>', answer.body)
                    outcome.rejected = f"{answer.status}: {'; '.join(errors)[:300] or answer.body[:200]}"
            if location or outcome.rejected or time.monotonic() > self.settle_by:
                return location
            time.sleep(0.3)


# --- races: two people pressing the button at the same moment --------------------

@dataclass
class Race:
    """One race as the racer saw it: `kind` funding or sign, the answers' statuses."""
    kind: str
    agreement_id: int
    statuses: list[int] = field(default_factory=list)


@dataclass
class RaceWorld:
    """Agreements made for the races (see soak.prepare_races): concept ones
    whose funding split both parties save, and ones out for signature; each
    with its two parties' coordinators (email, party id)."""
    funding: list[dict]
    signing: list[dict]
    password: str


class Racer(threading.Thread):
    """Until `stop_at`: the two coordinators of a concept agreement save a
    different funding split from the same version at the same moment (one
    must win, the other gets the conflict page); and the two parties of an
    agreement out for signature sign at the same moment, the first one twice
    (a double click). Requests released together by a barrier."""

    def __init__(self, host: str, port: int, recorder: Recorder, world: RaceWorld, stop_at: float):
        super().__init__(name="soak-racer", daemon=True)
        self.host, self.port, self.recorder, self.world, self.stop_at = host, port, recorder, world, stop_at
        self.browsers: dict[str, Browser] = {}
        self.random = random.Random(7)

    def browser(self, email: str) -> Browser | None:
        if email not in self.browsers:
            browser = Browser(self.host, self.port, self.recorder)
            if not browser.login(email, self.world.password, self.stop_at):
                return None
            self.browsers[email] = browser
        return self.browsers[email]

    def run(self) -> None:
        signing = list(self.world.signing)  # each agreement is signed once: its races come first
        while time.monotonic() < self.stop_at:
            if signing:
                self.sign_race(signing.pop())
            if self.world.funding:
                self.funding_race(self.random.choice(self.world.funding))
            elif not signing:
                return
            time.sleep(0.1)

    def together(self, sends) -> list[Response]:
        barrier = threading.Barrier(len(sends))
        answers: list[Response | None] = [None] * len(sends)

        def one(i: int) -> None:
            barrier.wait(30)
            answers[i] = sends[i]()

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sends))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        return [a or Response(0, {}, "") for a in answers]

    def funding_race(self, entry: dict) -> None:
        path = f"/overeenkomsten/{entry['id']}/financiering"
        browsers = [self.browser(email) for email, _party in entry["signers"]]
        if None in browsers:
            return
        forms = []
        for browser in browsers:
            page = browser.request("GET", path, "race-form")
            if page.status != 200:
                return
            forms.append(form_fields(page.body, "version_id"))
        # Both differ from the stored split: a save that changes nothing makes
        # no new version, and the other save would then rightly be accepted too.
        stored = {int(float(dict(form).get("share-0-percentage") or 0)) for form in forms}
        first, second = self.random.sample([x for x in range(5, 96) if x not in stored], 2)
        forms = [replace(form, **{"share-0-percentage": f"{x}.00", "share-1-percentage": f"{100 - x}.00",
                                  "action": "save"}) for form, x in zip(forms, (first, second), strict=True)]
        answers = self.together([lambda b=b, f=f: b.request("POST", path, "race-save", f)
                                 for b, f in zip(browsers, forms, strict=True)])
        with self.recorder.lock:
            self.recorder.races.append(Race("funding", entry["id"], [a.status for a in answers]))

    def sign_race(self, entry: dict) -> None:
        signers = [(self.browser(email), party) for email, party in entry["signers"]]
        if any(browser is None for browser, _party in signers):
            return
        sends = []
        for browser, party in [signers[0], *signers]:  # the first party twice: a double click
            path = f"/overeenkomsten/{entry['id']}/partijen/{party}/ondertekenen"
            # the confirmation step: its token and the version being signed
            page = browser.request("GET", path, "race-form")
            if page.status != 200:  # e.g. a 503 while the database restarts: no race to run
                return
            form = [("csrf_token", page.input_value("csrf_token") or ""), ("revision", page.input_value("revision") or "")]
            sends.append(lambda b=browser, p=path, f=form: b.request("POST", p, "race-sign", f))
        answers = self.together(sends)
        with self.recorder.lock:
            self.recorder.races.append(Race("sign", entry["id"], [a.status for a in answers]))
