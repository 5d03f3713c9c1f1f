"""The first request after a write, against a warm one: per page, the CPU of
a request made right after the data version moved (every kept aggregate of
core/aggregates is then recounted), and of the next one (all kept). Usage:
    DATABASE_URL=sqlite:///$PWD/bench/work/scale3.sqlite3 .venv/bin/python bench/cold_pages.py /kaart/dashboard /regio/AM15
Copy the data first (bench/work/): each measured request follows a write (a
step of the data version, core/data_version.add_step, committed), so the
database is written to. RUNS=n cold requests per page (default 7), the median
printed; the pages are rendered (RESPONSE_CACHE=0), and the heap at startup
frozen as wsgi.py does in production (NO_FREEZE=1 to leave it to the collector).
Each page pays its own recount here; pages that read the same kept value (the
dashboard and a region page share the indicators) pay it once between them in
real use. CPU time of this process (the app and SQLite): compare figures of the
same minute on a busy machine.
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ["RESPONSE_CACHE"] = "0"

RUNS = int(os.environ.get("RUNS", 7))


def cpu_ms(client, url: str) -> tuple[int, float]:
    start = time.process_time()
    response = client.get(url)
    return response.status_code, (time.process_time() - start) * 1000


def main(urls: list[str]) -> None:
    from portal import create_app
    from portal.core import data_version
    from portal.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False})
    if not os.environ.get("NO_FREEZE"):
        gc.freeze()
    client = app.test_client()
    for url in urls:  # imports, templates and SQL statements compiled once
        client.get(url)

    def write() -> None:
        with app.app_context():
            data_version.add_step(db.session)
            db.session.commit()

    for url in urls:
        cold = []
        for _ in range(RUNS):
            write()
            status, ms = cpu_ms(client, url)
            cold.append(ms)
        _, warm = cpu_ms(client, url)
        print(f"{url} {status} cold {statistics.median(cold):.1f} ms (min {min(cold):.1f}) warm {warm:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/kaart/dashboard", "/regio/AM15"])
