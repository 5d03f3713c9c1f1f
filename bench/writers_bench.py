"""Writers for `make bench` (issue 21): routes saved through the service, as
the edit form saves them (update_route: lock, validate, audit, data version),
one transaction per save. Two modes, each printing one JSON line:

    # 8 concurrent writers for 20 s: writes/s and the latency of a save
    DATABASE_URL=... bench/.venv/bin/python bench/writers_bench.py --writers 8 --seconds 20

    # one save a second for 30 s; after each commit, GET --probe once and time it
    # (the first request to that page after the write)
    DATABASE_URL=... bench/.venv/bin/python bench/writers_bench.py --every 1 --seconds 30 \
        --probe http://127.0.0.1:8000/kaart/

Every writer saves its own routes (route id modulo the number of writers), so
no two writers wait on the same route's row lock: what they can still queue
on is what every write shares (the data version, the audit log). Each save
changes the route's description and pupils per cohort, so that a page that
counts pupils sees a different figure. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
STAFF_EMAIL = "programma@synthetisch.leerroutes.nl"


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))], 2)


def _app():
    from portal import create_app
    return create_app({"WTF_CSRF_ENABLED": False})


def _route_ids(app, writers: int, index: int, limit: int = 200) -> list[int]:
    """Routes of this writer that the rules accept as they are (the synthetic
    data holds some that an edit would have to correct first)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import LearningRoute, User
    from portal.services.learning_routes import operations
    from portal.services.learning_routes.snapshots import route_input_from
    chosen = []
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == STAFF_EMAIL))
        for route in db.session.scalars(select(LearningRoute).where(LearningRoute.archived_at.is_(None))
                                        .order_by(LearningRoute.id)):
            if route.id % writers != index:
                continue
            _, result = operations.validate(db.session, route_input_from(route), actor, route=route)
            if not result.errors:
                chosen.append(route.id)
                if len(chosen) == limit:
                    break
        db.session.rollback()
    return chosen


def save_once(app, route_id: int, n: int) -> None:
    """One save of one route in its own transaction, as the edit form does it."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import LearningRoute, User
    from portal.services.learning_routes import operations
    from portal.services.learning_routes.snapshots import route_input_from
    with app.app_context():
        session = db.session
        try:
            actor = session.scalar(select(User).where(User.email == STAFF_EMAIL))
            route = session.get(LearningRoute, route_id)
            data = route_input_from(route)
            data.description = f"Bijgewerkt door de benchmark (opslag {n})."
            data.pupils_per_cohort = 10 + n % 20
            operations.update_route(session, route, data, actor, expected_version=None)
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            session.remove()


def concurrent(writers: int, seconds: float) -> dict:
    """`writers` threads saving as fast as they can for `seconds`."""
    app = _app()
    latencies: list[list[float]] = [[] for _ in range(writers)]
    errors: list[str] = []
    barrier = threading.Barrier(writers)
    routes = [_route_ids(app, writers, i) for i in range(writers)]

    def run(index: int) -> None:
        barrier.wait()
        deadline = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < deadline:
            route_id = routes[index][n % len(routes[index])]
            started = time.perf_counter()
            try:
                save_once(app, route_id, n)
            except Exception as exc:  # noqa: BLE001 (a failed save is counted, not fatal)
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            else:
                latencies[index].append((time.perf_counter() - started) * 1000)
            n += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [v for lat in latencies for v in lat]
    return {"writers": writers, "seconds": round(elapsed, 1), "writes": len(every),
            "writes_per_s": round(len(every) / elapsed, 1), "p50_ms": percentile(every, 50),
            "p95_ms": percentile(every, 95), "max_ms": percentile(every, 100), "errors": len(errors),
            "first_error": errors[0] if errors else None}


def every_second(interval: float, seconds: float, probe: str, ready: bool = False,
                 headers: dict[str, str] | None = None) -> dict:
    """One save every `interval` s; right after each commit one GET of `probe`
    (with `headers`: bench/run.py sends a returning browser's session cookie and
    Accept-Encoding, so the page rendered for it is kept as for a visitor).
    With `ready`, prints READY once the routes are chosen (bench/run.py then
    starts its read load)."""
    app = _app()
    routes = _route_ids(app, 1, 0)
    if ready:
        print("READY", flush=True)
    saves, first, errors = [], [], []
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        tick = time.monotonic()
        started = time.perf_counter()
        try:
            save_once(app, routes[(n * 37) % len(routes)], n)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        else:
            saves.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(probe, headers=headers or {}),
                                            timeout=30) as response:
                    response.read()
                first.append((time.perf_counter() - started) * 1000)
            except OSError as exc:
                errors.append(f"GET {probe}: {exc}"[:200])
        n += 1
        time.sleep(max(0.0, interval - (time.monotonic() - tick)))
    return {"saves": len(saves), "save_p50_ms": percentile(saves, 50), "save_p95_ms": percentile(saves, 95),
            "probe": probe, "first_request_p50_ms": percentile(first, 50),
            "first_request_p95_ms": percentile(first, 95), "first_request_max_ms": percentile(first, 100),
            "first_request_mean_ms": round(statistics.fmean(first), 2) if first else None,
            "errors": len(errors), "first_error": errors[0] if errors else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--every", type=float, default=None, help="one save every N seconds (with --probe)")
    parser.add_argument("--probe", default=None)
    parser.add_argument("--ready", action="store_true", help="print READY when the saves start")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent with the probe")
    parser.add_argument("--json", action="store_true", help="accepted for bench/writers.py's convention: "
                        "the output is always one JSON line")
    args = parser.parse_args()
    if args.every:
        headers = dict(h.split(": ", 1) for h in args.header)
        print(json.dumps(every_second(args.every, args.seconds, args.probe, args.ready, headers)))
    else:
        print(json.dumps(concurrent(args.writers, args.seconds)))


if __name__ == "__main__":
    main()
