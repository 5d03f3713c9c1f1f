"""Where a page's time goes: per page, the median of N requests in-process
and the slowest SQL statements (with their share). Usage:
    DATABASE_URL=sqlite:///bench/work/portal.sqlite3 bench/.venv/bin/python bench/profile_pages.py [URL ...]
Without URLs it takes the bench's pages (bench/results.json or a default list).
Pages are rendered on every request (RESPONSE_CACHE=0 unless set): with the
page cache on, the five measured requests would all be hits. TOP=n prints the
n slowest statements (default 4), RUNS=n the requests per page (default 5);
--json prints one line `JSON [...]` instead (bench/run.py reads it).
The CPU figure (this process's CPU time: the app and SQLite) is the one to
compare on a busy machine; wall time grows with the other work on it."""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("RESPONSE_CACHE", "0")


RUNS = int(os.environ.get("RUNS", 5))


def measure(urls: list[str], runs: int = RUNS, top: int = 4) -> list[dict]:
    """Per URL: HTTP status, median wall and CPU ms of `runs` requests after a
    first one (not counted), and the last run's SQL. `login:/path` logs in first."""
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db
    app = create_app({"WTF_CSRF_ENABLED": False})
    from portal.web.flask_app import settle_for_serving
    settle_for_serving()  # as wsgi.py does in production
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
    results = []
    for url in urls:
        if url.startswith("login:"):
            client.post("/login", data={"email": "programma@synthetisch.leerroutes.nl",
                                        "password": "synthetisch-wachtwoord-2026"})
            url = url[len("login:"):]
        client.get(url)
        wall, cpu = [], []
        for _ in range(runs):
            timings.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        results.append({"url": url, "status": response.status_code,
                        "median_ms": round(statistics.median(wall) * 1000, 1),
                        "cpu_ms": round(statistics.median(cpu) * 1000, 1),
                        "sql_ms": round(sum(t for t, _ in timings) * 1000, 1), "statements": len(timings),
                        "slowest": [(round(t * 1000, 1), q) for t, q in sorted(timings, reverse=True)[:top]]})
    return results


def main(urls: list[str], as_json: bool = False) -> None:
    results = measure(urls, top=int(os.environ.get("TOP", 4)))
    if as_json:
        print("JSON " + json.dumps(results))
        return
    for r in results:
        print(f"{r['url']}  HTTP {r['status']}  median {r['median_ms']:.1f} ms (CPU {r['cpu_ms']:.1f} ms), "
              f"SQL {r['sql_ms']:.1f} ms in {r['statements']} statements (last run)")
        for ms, statement in r["slowest"]:
            print(f"    {ms:6.1f} ms  {statement}")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--json"]
    main(arguments or ["/", "/kaart/", "/api/v1/regions.geojson?profile=ZW&level=2&status=actief",
                          "/regio/AM15", "/leerroutes/?kind=dlr&level=2&status=actief&domain=ZW",
                          "/leerroutes/1", "/bibliotheek/?q=techniek", "login:/overeenkomsten/1"],
         as_json="--json" in sys.argv)
