"""CPU per page-cache hit, in process, through the whole app (the werkzeug test
client: every hook, the data-version read, the cache lookup, the headers).
Usage:
    DATABASE_URL=sqlite:///$PWD/bench/work/scale3.sqlite3 N=600 AE=gzip \\
        .venv/bin/python bench/profile_hits.py / /kaart/ /dekking/
AE sets the request's Accept-Encoding (none by default); N the hits per page;
INM=1 sends the page's ETag back (If-None-Match), so each request is a 304;
PROFILE=1 adds a cProfile of the last page (SORT=tottime|cumulative, TOPN=n).
It imports the portal beside it: for an A/B, run a copy in each tree alternately (A/B/A/B);
CPU time, not wall, so a busy machine still compares."""
from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ["RESPONSE_CACHE"] = "1"
os.environ.setdefault("CONDITIONAL_REQUESTS", "1")


def main(urls: list[str]) -> None:
    from portal import create_app
    from portal.web.flask_app import settle_for_serving
    app = create_app()
    settle_for_serving()  # as wsgi.py does
    client = app.test_client()
    n = int(os.environ.get("N", 2000))
    headers = {"Accept-Encoding": os.environ["AE"]} if os.environ.get("AE") else {}
    for url in urls:
        for _ in range(4):  # the session starts, the page is stored
            response = client.get(url, headers=headers)
        if response.headers.get("X-Page-Cache") != "hit":
            raise SystemExit(f"{url}: HTTP {response.status_code}, X-Page-Cache {response.headers.get('X-Page-Cache')}")
        if os.environ.get("INM"):
            headers = {**headers, "If-None-Match": response.headers["ETag"]}
            response = client.get(url, headers=headers)
            if response.status_code != 304:
                raise SystemExit(f"{url}: HTTP {response.status_code} with If-None-Match, not 304")
        started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(n):
            client.get(url, headers=headers).close()
        cpu = (time.process_time() - started) / n * 1000
        wall = (time.perf_counter() - wall_started) / n * 1000
        print(f"{url}: {cpu:.3f} ms CPU ({wall:.3f} ms wall, the database server's time included) per {'304' if os.environ.get('INM') else 'hit'}, body {len(response.data)} bytes, "
              f"encoding {response.headers.get('Content-Encoding', 'identity')}", flush=True)
    if os.environ.get("PROFILE"):
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            client.get(urls[-1], headers=headers).close()
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
            int(os.environ.get("TOPN", 40)))


if __name__ == "__main__":
    main(sys.argv[1:] or ["/"])
