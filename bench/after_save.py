"""The first request to a page after a route is saved, in process (issue 21).

    DATABASE_URL=sqlite:///$PWD/bench/work/scale3.sqlite3 bench/.venv/bin/python bench/after_save.py [URL ...]

Saves routes one at a time through the service (bench/writers_bench.py's
save_once: lock, rules, audit, data version, as the edit form), and after each
save times one GET of each URL (CPU of this process: the app and SQLite);
prints the median of 9 saves, the warm figure, and how many kept values were
patched or computed. Default URL: /kaart/. Page cache off. Asserts nothing.
PROFILE=1 adds a cProfile of the first requests after the saves (SORT, TOPN).
The database is written to: use a copy.
"""
from __future__ import annotations

import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ["RESPONSE_CACHE"] = "0"


def main(urls: list[str], saves: int = 9) -> None:
    import writers_bench

    from portal import create_app
    app = create_app({"WTF_CSRF_ENABLED": False})
    gc.freeze()  # as wsgi.py does
    client = app.test_client()
    store = app.extensions["kept_aggregates"]
    routes = writers_bench._route_ids(app, 1, 0, limit=saves * len(urls))
    for url in urls:
        client.get(url)
    n = 0
    profile = cProfile.Profile() if os.environ.get("PROFILE") else None
    for url in urls:
        cpu = []
        for _ in range(saves):
            writers_bench.save_once(app, routes[n % len(routes)], n)
            n += 1
            started = time.process_time()
            if profile is not None:
                profile.enable()
            status = client.get(url).status_code
            if profile is not None:
                profile.disable()
            cpu.append((time.process_time() - started) * 1000)
        started = time.process_time()
        client.get(url)
        warm = (time.process_time() - started) * 1000
        print(f"{url}: HTTP {status}, first after a save {statistics.median(cpu):.1f} ms CPU "
              f"(min {min(cpu):.1f}, max {max(cpu):.1f}), warm {warm:.1f} ms; "
              f"kept values patched {store.patched}, computed {store.computed}")
    if profile is not None:
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
            int(os.environ.get("TOPN", 40)))


if __name__ == "__main__":
    main(sys.argv[1:] or ["/kaart/"])
