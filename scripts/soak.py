#!/usr/bin/env python3
"""make soak: load and a database restart against gunicorn and PostgreSQL.

Starts a PRIVATE PostgreSQL (initdb in a temp dir, own port; the machine's
server is never touched), migrates and seeds it with the demo data, starts the
production command (gunicorn gthread), and runs SOAK_CLIENTS simulated users
for SOAK_SECONDS: anonymous readers (home, map, filtered route list, route
pages, library search) and logged-in coordinators (an agreement page, and
creating routes and practices through the real forms, some submits sent twice
with the same submission key). Midway PostgreSQL is stopped for SOAK_OUTAGE
seconds and started again.

Checks (exit 1 on any violation):
- no 5xx, except 503 with Retry-After between the stop and 5 s after PostgreSQL is back;
- /healthz answers non-200 while PostgreSQL is down, 200 again within 5 s;
- every create form that got a redirect made exactly one row, and the rows in
  the database are exactly those (creates == rows, no duplicates from retries);
- races (two coordinators saving one agreement's funding split from one
  version at the same moment; two parties signing at once, one of them twice):
  never both saves accepted, never a 500; every funding stream/year sums to
  100.00; no agreement whose parties all signed is left ter_ondertekening;
- no partial rows: routes without parties, practices without themes or search
  row, agreements without parties, objects without their audit entry,
  submission keys without their object.

Environment: SOAK_CLIENTS (40), SOAK_SECONDS (60), SOAK_OUTAGE (3),
SOAK_WORKERS (3), SOAK_THREADS (4), SOAK_PG_BIN (newest /usr/lib/postgresql/*/bin),
SOAK_REPORT (write the summary as JSON to this path), SOAK_LOG_DIR (keep the
gunicorn and PostgreSQL logs there).
"""
from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from soak_checks import check_database, check_races, check_responses, measure_recovery, summarise  # noqa: E402
from soak_client import Browser, Client, Racer, RaceWorld, Recorder, World  # noqa: E402

RACE_AGREEMENTS = 3  # concept agreements for the funding races, and as many out for signature

RECOVERY_LIMIT = 5.0  # seconds after PostgreSQL is back


def env_number(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def pg_bin_dir() -> Path | None:
    configured = os.environ.get("SOAK_PG_BIN")
    candidates = [configured] if configured else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
        else 0, reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    return None


def free_port(preferred: int) -> int:
    for port in [preferred, 0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temp dir (run as user postgres when we are root)."""

    def __init__(self, bin_dir: Path, workdir: Path, port: int):
        self.bin, self.dir, self.port = bin_dir, workdir / "pg", port
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=60)

    def init(self) -> None:
        self.dir.mkdir(parents=True)
        if self.as_user:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.dir.parent, "postgres")
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        self.start()
        self.run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "portal")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/portal"


def portal_env(workdir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_DEBUG", "DATABASE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_hex(32), PORTAL_INSTANCE_DIR=str(workdir / "inst"),
               PORTAL_UPLOAD_DIR=str(workdir / "uploads"))
    (workdir / "inst").mkdir(exist_ok=True)
    return env


def prepare(env: dict) -> World:
    """Migrate and seed (the `flask db upgrade` and `flask seed` commands, run
    in this process to save two start-ups), then collect what the clients
    need: route ids, and per demo coordinator the fields of a valid route
    (copied from a route of their organisation), a practice, and the
    agreements they may read."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "PORTAL_INSTANCE_DIR")})
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import LearningRoute, User
    from portal.models.agreement import AgreementParty
    from portal.services.learning_routes import snapshots as route_snapshots
    from seeds.demo import DEMO_PASSWORD

    app = create_app()
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["seed", "--offline"]):
        with app.app_context():
            result = runner.invoke(args=args)
        if result.exit_code:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.output[-3000:]}\n{result.exception!r}")
    with app.app_context():
        routes = list(db.session.scalars(select(LearningRoute).where(LearningRoute.archived_at.is_(None))))
        coordinators = []
        for user in db.session.scalars(select(User).where(User.role == "coordinator", User.is_demo.is_(True))
                                       .order_by(User.id)):
            own = [r for r in routes if any(p.organisation_id == user.organisation_id for p in r.parties)]
            if not own:
                continue
            data = route_snapshots.route_input_from(own[0])
            route_form = [("opslaan", "1")]
            for name, value in vars(data).items():
                if isinstance(value, list):
                    route_form += [(name, str(v)) for v in value]
                elif value is not None:
                    route_form.append((name, str(value)))
            route_form = [(k, v) for k, v in route_form if k != "status"] + [("status", "concept")]
            practice_form = [("summary", "Een voorbeeld uit de soaktest."), ("body", "Tekst van de soaktest."),
                             ("themes", "lob"), ("organisation_ids", str(user.organisation_id))]
            agreement_ids = sorted(set(db.session.scalars(select(AgreementParty.agreement_id).where(
                AgreementParty.organisation_id == user.organisation_id))))
            coordinators.append(dict(email=user.email, route_form=route_form, practice_form=practice_form,
                                     agreement_ids=agreement_ids))
        world = World(route_ids=[r.id for r in routes if r.status == "actief"] or [r.id for r in routes],
                      coordinators=coordinators, password=DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()
    if not world.coordinators or not world.route_ids:
        raise RuntimeError("the demo data has no coordinators with routes")
    return world


def prepare_races(env: dict) -> RaceWorld:
    """Agreements for the races, made through the services (organisations and
    coordinators with the test factories): each between a new vmbo school and
    mbo institution, with a coordinator each, over a route registered through
    the route service; half stay concept (funding races, a 60/40 split), half
    are sent for signature (signing races)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "PORTAL_INSTANCE_DIR")})
    from portal import create_app
    from portal.extensions import db
    from portal.services.agreements import lifecycle
    from portal.services.learning_routes.operations import register_route
    from tests.factories import PASSWORD, make_organisation, make_user
    from tests.factories_agreements import make_agreement
    from tests.factories_routes import make_school, route_data

    app = create_app()
    funding, signing = [], []
    with app.app_context():
        for number in range(2 * RACE_AGREEMENTS):
            vmbo = make_school(governing_body_name=f"Stichting Soak Vmbo {number}")
            mbo = make_organisation("mbo", governing_body_name=f"Stichting Soak Mbo {number}")
            vmbo_user, mbo_user = make_user("coordinator", vmbo), make_user("coordinator", mbo)
            route = register_route(db.session, route_data(vmbo, mbo, title=f"Soak race route {number}"), vmbo_user)
            agreement = make_agreement(vmbo_user, route, mbo, title=f"Soak race {number}")
            if number % 2:
                lifecycle.send_for_signature(db.session, agreement, vmbo_user)
            party = {p.role: p.id for p in agreement.parties}
            entry = dict(id=agreement.id, signers=[(vmbo_user.email, party["vmbo"]), (mbo_user.email, party["mbo"])])
            (signing if number % 2 else funding).append(entry)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return RaceWorld(funding=funding, signing=signing, password=PASSWORD)


class Gunicorn:
    def __init__(self, env: dict, port: int, log: Path):
        workers, threads = os.environ.get("SOAK_WORKERS", "3"), os.environ.get("SOAK_THREADS", "4")
        command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", workers, "--worker-class", "gthread",
                   "--threads", threads, "--bind", f"127.0.0.1:{port}", "wsgi:app"]
        self.log = log
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.port = port

    def wait_ready(self, recorder: Recorder, timeout: float = 60) -> None:
        probe = Browser("127.0.0.1", self.port, Recorder())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if probe.request("GET", "/healthz", "probe").status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not come up:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def monitor_health(port: int, recorder: Recorder, stop: threading.Event) -> None:
    browser = Browser("127.0.0.1", port, recorder, timeout=10)
    while not stop.is_set():
        browser.request("GET", "/healthz", "healthz")
        time.sleep(0.1)


def restart_database(pg: PrivatePostgres, at: float, outage: float, events: dict) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    events["stop_begin"] = time.monotonic()
    pg.stop("fast")
    events["stop_done"] = time.monotonic()
    time.sleep(outage)
    events["start_begin"] = time.monotonic()
    pg.start()
    events["pg_back"] = time.monotonic()


def main() -> int:
    clients = int(env_number("SOAK_CLIENTS", 40))
    seconds = env_number("SOAK_SECONDS", 60)
    outage = env_number("SOAK_OUTAGE", 3)
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        print("soak: PostgreSQL server binaries (initdb, pg_ctl) not found; set SOAK_PG_BIN", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="portal-soak-"))
    pg = PrivatePostgres(bin_dir, workdir, free_port(55432))
    server = None
    try:
        t = time.monotonic()
        pg.init()
        env = portal_env(workdir, pg.url)
        world = prepare(env)
        race_world = prepare_races(env)
        port = free_port(58000)
        server = Gunicorn(env, port, workdir / "gunicorn.log")
        recorder = Recorder()
        server.wait_ready(recorder)
        print(f"soak: PostgreSQL {bin_dir.parent.name} on port {pg.port}, gunicorn on {port}; "
              f"set-up {time.monotonic() - t:.1f} s; {clients} clients for {seconds:.0f} s, "
              f"PostgreSQL down for {outage:.0f} s at {seconds * 0.4:.0f} s", flush=True)

        start = time.monotonic()
        stop_at, settle_by = start + seconds, start + seconds + 20
        threads = []
        for number in range(clients):
            coordinator = world.coordinators[number % len(world.coordinators)] if number % 5 < 2 else None
            threads.append(Client(number, Browser("127.0.0.1", port, recorder), world, stop_at, settle_by,
                                  coordinator))
        events: dict[str, float] = {}
        threads.append(Racer("127.0.0.1", port, recorder, race_world, stop_at))
        restarter = threading.Thread(target=restart_database, args=(pg, start + seconds * 0.4, outage, events))
        health_stop = threading.Event()
        health = threading.Thread(target=monitor_health, args=(port, recorder, health_stop), daemon=True)
        for thread in [health, restarter, *threads]:
            thread.start()
        restarter.join()
        for thread in threads:
            thread.join(max(1.0, settle_by + 35 - time.monotonic()))
        health_stop.set()
        health.join(15)
        hung = [thread.name for thread in threads if thread.is_alive()]

        measure_recovery(recorder.hits, events)
        violations = check_responses(recorder.hits, events, RECOVERY_LIMIT)
        if hung:
            violations.append(f"{len(hung)} clients did not finish: {', '.join(hung[:5])}")
        database = check_database(pg.url, recorder.outcomes)
        violations += database.pop("violations")
        database["races"] = check_races(recorder.races)
        violations += database["races"].pop("violations")
        summary = summarise(recorder, events, start, database, violations,
                            dict(clients=clients, seconds=seconds, outage=outage, workers=os.environ.get(
                                "SOAK_WORKERS", "3"), threads=os.environ.get("SOAK_THREADS", "4")))
        if os.environ.get("SOAK_REPORT"):
            Path(os.environ["SOAK_REPORT"]).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        if os.environ.get("SOAK_LOG_DIR"):
            for log in (workdir / "gunicorn.log", pg.log):
                shutil.copy(log, Path(os.environ["SOAK_LOG_DIR"]) / f"soak-{log.name}")
        if violations:
            lines = [line for line in (workdir / "gunicorn.log").read_text().splitlines()
                     if "database unavailable" not in line]
            print("\ngunicorn log (tail, without the expected 'database unavailable' warnings):")
            print("\n".join(lines[-80:]))
        return 1 if violations else 0
    finally:
        if server is not None:
            server.stop()
        try:  # noqa: SIM105  the except names why
            pg.stop("immediate")
        except Exception:  # noqa: BLE001  already stopped, or never started
            pass
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
