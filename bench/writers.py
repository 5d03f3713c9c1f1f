"""Benchmark: concurrent writers. Do writers queue on one another?

Usage:  DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/x \\
            .venv/bin/python bench/writers.py --writers 8 --seconds 20 [--import-rows 0] [--json]

Each writer is a process of its own (its own app and connection pool) that
registers leerroutes through the real route service
(services/learning_routes/operations.register_route), one route per
transaction, committed at once, for --seconds. With --import-rows N one more
process runs CSV imports of N routes each, in one transaction, meanwhile (the
"long streamed import" of issue 21): a design in which every write updates
one row makes all the writers wait for each import's commit.

The database: with DATABASE_URL on PostgreSQL a database of its own,
<name>_writers_<pid>, is created beside the one named and dropped at the end (the
named one is not touched); otherwise a temporary SQLite file. Prints writes/s,
the latency per write (p50, p95, max, in ms) and, on PostgreSQL, how many of
its connections waited for a lock (sampled; unlike the rates this does not
depend on how busy the machine is); --json prints one JSON object instead.
Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _database(tmp: str) -> tuple[str, str | None]:
    """(url to use, admin url to drop it with or None)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp}/writers.sqlite3", None
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain):]
    base = make_url(url)
    name = f"{base.database}_writers_{os.getpid()}"
    admin_url = base.set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), admin_url


def _drop(url: str, admin_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _app(url: str):
    from portal import create_app
    from portal.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    return create_app(Config)


def _seed(url: str, writers: int) -> None:
    """The vocabularies, a vmbo school per writer (BB, KB), one ROC, one staff user."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Organisation, Pathway
    from portal.services.accounts.users import create_user
    from portal.services.reference.vocabularies import seed_vocabularies

    app = _app(url)
    with app.app_context():
        upgrade()
        seed_vocabularies(db.session)
        pathways = list(db.session.scalars(select(Pathway).where(Pathway.code.in_(["BB", "KB"]))))
        for i in range(writers + 1):
            school = Organisation(kind="vmbo", name=f"Vmbo Schrijver {i}", vestigingscode=f"{90 + i:02d}ZZ00")
            school.pathways = list(pathways)
            db.session.add(school)
        db.session.add(Organisation(kind="mbo", name="ROC Schrijvers"))
        create_user(db.session, email="writers@example.org", name="Schrijver", role="staff",
                    password="schrijvers-wachtwoord-lang-genoeg")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _ids(session):
    from sqlalchemy import select

    from portal.models import Organisation, User
    schools = list(session.scalars(select(Organisation.id).where(Organisation.kind == "vmbo").order_by(Organisation.id)))
    roc = session.scalar(select(Organisation.id).where(Organisation.kind == "mbo"))
    staff = session.scalar(select(User).where(User.email == "writers@example.org"))
    return schools, roc, staff


def _wait_for_start(ready, go) -> float:
    """Say this process is ready; wait for every other one; the start time."""
    ready.put(os.getpid())
    go.wait()
    return time.time()


def _writer(url: str, index: int, ready, go, seconds: float, out) -> None:
    from portal.extensions import db
    from portal.services.learning_routes.operations import register_route

    app = _app(url)
    latencies: list[float] = []
    with app.app_context():
        schools, roc, staff = _ids(db.session)
        db.session.commit()
        school = schools[index % len(schools)]
        start_at = _wait_for_start(ready, go)
        n = 0
        while time.time() < start_at + seconds:
            n += 1
            started = time.perf_counter()
            register_route(db.session, dict(
                title=f"Schrijver {index} route {n}", kind="glr", status="voorbereiding", vmbo_parties=[school],
                mbo_parties=[roc], pathways=["BB"], profiles=["ZW"], mbo_level="2", crebo="25498",
                qualification_name="Helpende zorg en welzijn", first_school_year="2025-2026"), staff)
            db.session.commit()
            latencies.append(time.perf_counter() - started)
        db.session.remove()
        db.engine.dispose()
    out.put(("writer", latencies))


def _importer(url: str, rows: int, ready, go, seconds: float, out) -> None:
    from portal.extensions import db
    from portal.models import Organisation
    from portal.services.learning_routes import columns
    from portal.services.learning_routes import csv_import as route_import
    from portal.services.learning_routes import export as route_export

    app = _app(url)
    durations: list[float] = []
    with app.app_context():
        schools, roc, staff = _ids(db.session)
        code = db.session.get(Organisation, schools[-1]).vestigingscode
        roc_name = db.session.get(Organisation, roc).name
        db.session.commit()
        header = [c for c, _ in columns.IMPORT_COLUMNS]
        start_at = _wait_for_start(ready, go)
        n = 0
        while time.time() < start_at + seconds:
            n += 1
            lines = [header]
            for i in range(rows):
                values = {c: "" for c in header}
                values.update({"titel": f"Import {n} route {i}", "soort": "glr", "status": "voorbereiding",
                               "vmbo_partijen": code, "mbo_partijen": roc_name, "leerwegen": "BB",
                               "profielen": "Z&W", "mbo_niveau": "2", "opleidingsdomein": "Zorg en welzijn",
                               "crebo": "25498", "kwalificatie": "Helpende zorg en welzijn", "lesplaats": "beide",
                               "eerste_schooljaar": "2025-2026", "leerlingen_per_cohort": "12"})
                lines.append([values[c] for c in header])
            started = time.perf_counter()
            result = route_import.import_routes(db.session, route_import.parse_csv(route_export.to_csv(lines)),
                                                staff, mode="all")
            if not result.should_commit:
                raise SystemExit(f"the import refused its rows: {[(m.row, m.message) for m in result.errors[:3]]}")
            db.session.commit()
            durations.append(time.perf_counter() - started)
        db.session.remove()
        db.engine.dispose()
    out.put(("import", durations))


class LockWatch:
    """On PostgreSQL: samples, every 50 ms, how many of the benchmark's
    connections wait for a lock (pg_stat_activity). Independent of how busy
    the CPU is, unlike the rates: 0 when writers never queue on each other."""

    def __init__(self, url: str):
        import threading
        self.url, self.samples, self.stop = url, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'")
        with engine.connect() as conn:
            while not self.stop.wait(0.05):
                self.samples.append(conn.execute(query, {"db": make_url(self.url).database}).scalar() or 0)
        engine.dispose()

    def __enter__(self) -> LockWatch:
        if self.url.startswith("postgresql"):
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(5)

    def report(self) -> dict:
        if not self.samples:
            return {"lock_waiters_mean": None, "lock_waiters_max": None, "time_with_lock_waiters": None}
        return {"lock_waiters_mean": round(statistics.mean(self.samples), 2),
                "lock_waiters_max": max(self.samples),
                "time_with_lock_waiters": round(sum(1 for n in self.samples if n) / len(self.samples), 3)}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--import-rows", type=int, default=0, help="one more process importing N routes per import")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-writers-")
    os.environ.setdefault("PORTAL_INSTANCE_DIR", tmp)
    url, admin_url = _database(tmp)
    try:
        _seed(url, args.writers)
        context = multiprocessing.get_context("spawn")
        out, ready, go = context.Queue(), context.Queue(), context.Event()
        processes = [context.Process(target=_writer, args=(url, i, ready, go, args.seconds, out))
                     for i in range(args.writers)]
        if args.import_rows:
            processes.append(context.Process(target=_importer,
                                             args=(url, args.import_rows, ready, go, args.seconds, out)))
        for process in processes:
            process.start()
        for _ in processes:  # every process has built its app and read its ids
            ready.get(timeout=300)
        with LockWatch(url) as watch:
            go.set()
            results = [out.get(timeout=args.seconds + 300) for _ in processes]
        for process in processes:
            process.join(30)
        failed = [p.exitcode for p in processes if p.exitcode]
        if failed:
            raise SystemExit(f"a writer failed (exit codes {failed})")
    finally:
        if admin_url:
            _drop(url, admin_url)

    latencies = [x for kind, values in results if kind == "writer" for x in values]
    imports = [x for kind, values in results if kind == "import" for x in values]
    report = {
        "database": url.split(":")[0].split("+")[0], "writers": args.writers, "seconds": args.seconds,
        "writes": len(latencies), "writes_per_s": round(len(latencies) / args.seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
        "max_ms": round(1000 * max(latencies, default=0), 1),
        "import_rows": args.import_rows, "imports": len(imports),
        "import_s_median": round(statistics.median(imports), 2) if imports else None,
        "load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count(), **watch.report(),
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"database: {report['database']}; {args.writers} writers for {args.seconds:g} s"
          + (f", one import of {args.import_rows} routes at a time beside them" if args.import_rows else ""))
    print(f"writes: {report['writes']} ({report['writes_per_s']} writes/s); latency per write: "
          f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, max {report['max_ms']} ms")
    if imports:
        print(f"imports: {len(imports)}, median {report['import_s_median']} s each")
    if report["lock_waiters_mean"] is not None:
        print(f"connections waiting for a lock (sampled every 50 ms): mean {report['lock_waiters_mean']}, "
              f"max {report['lock_waiters_max']}, some waiting {100 * report['time_with_lock_waiters']:.0f} % of the time")
    print(f"load average at the end: {report['load_average']} on {report['cores']} cores")


if __name__ == "__main__":
    main()
