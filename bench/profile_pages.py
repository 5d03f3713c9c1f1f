"""Where a page's time goes: per page, the median of N requests in-process
and the slowest SQL statements (with their share). Usage:
    DATABASE_URL=sqlite:///bench/work/portal.sqlite3 bench/.venv/bin/python bench/profile_pages.py [URL ...]
Without URLs it takes the bench's pages (bench/results.json or a default list).
Pages are rendered on every request (RESPONSE_CACHE=0 unless set): with the
page cache on, the five measured requests would all be hits. TOP=n prints the
n slowest statements (default 4), RUNS=n the requests per page (default 5).
The CPU figure (this process's CPU time: the app and SQLite) is the one to
compare on a busy machine; wall time grows with the other work on it."""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("RESPONSE_CACHE", "0")


RUNS = int(os.environ.get("RUNS", 5))


def main(urls: list[str]) -> None:
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db
    app = create_app({"WTF_CSRF_ENABLED": False})
    import gc
    gc.freeze()  # as wsgi.py does in production
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    timings: list[tuple[float, str]] = []

    def before(_conn, _cursor, _statement, _params, context, _many):
        context._bench_started = time.perf_counter()

    def after(_conn, _cursor, statement, _params, context, _many):
        timings.append((time.perf_counter() - context._bench_started, " ".join(statement.split())[:160]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    for url in urls:
        if url.startswith("login:"):
            client.post("/login", data={"email": "programma@synthetisch.leerroutes.nl",
                                        "password": "synthetisch-wachtwoord-2026"})
            url = url[len("login:"):]
        client.get(url)
        runs, cpu = [], []
        for _ in range(RUNS):
            timings.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        sql = sum(t for t, _ in timings)
        print(f"{url}  HTTP {response.status_code}  median {statistics.median(runs) * 1000:.1f} ms "
              f"(CPU {statistics.median(cpu) * 1000:.1f} ms), "
              f"SQL {sql * 1000:.1f} ms in {len(timings)} statements (last run)")
        for seconds, statement in sorted(timings, reverse=True)[:int(os.environ.get("TOP", 4))]:
            print(f"    {seconds * 1000:6.1f} ms  {statement}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/", "/kaart/", "/api/v1/regions.geojson?profile=ZW&level=2&status=actief",
                          "/regio/AM15", "/leerroutes/?kind=dlr&level=2&status=actief&domain=ZW",
                          "/leerroutes/1", "/bibliotheek/?q=techniek", "login:/overeenkomsten/1"])
