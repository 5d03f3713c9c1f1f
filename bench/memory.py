"""Where a worker's memory goes: one process renders the aggregate pages (page
cache off unless RESPONSE_CACHE=1) the way a gunicorn worker would, and prints
per page the RSS (/proc/self/status VmRSS) before and after, the garbage
collector's counts, the entries of the kept-aggregates store, and with
TRACE=1 the top tracemalloc sites of what the page left behind. Usage:
    DATABASE_URL=sqlite:///$PWD/bench/work/scale10.sqlite3 .venv/bin/python bench/memory.py [URL ...]
Without URLs it takes bench/run.py's flat pages. RUNS=n requests per page
(default 6), THREADS=n of them at once (default 3, as the gthread workers of
bench/run.py's scale10_memory take them), TOP=n tracemalloc sites (default 8).
tracemalloc itself costs memory and time: compare RSS figures of runs without
TRACE=1. The figure that counts is a real gunicorn's: with --gunicorn this
script runs bench/run.py's scale10_memory alone (3 workers as the bench
starts them, each flat page 6 times by 3 clients at once) against
bench/work/scale10.sqlite3 (BENCH_WORK to change; copy it from the bench's
data first) and prints the workers' RSS; ROUNDS=n repeats it:
    bench/.venv/bin/python bench/memory.py --gunicorn"""
from __future__ import annotations

import gc
import os
import sys
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("RESPONSE_CACHE", "0")

RUNS = int(os.environ.get("RUNS", 6))
THREADS = int(os.environ.get("THREADS", 3))
TOP = int(os.environ.get("TOP", 8))
TRACE = os.environ.get("TRACE") == "1"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def kept_summary(app) -> str:
    store = app.extensions.get("kept_aggregates")
    if store is None:
        return "-"
    budget = getattr(store, "max_bytes", None)
    used = getattr(store, "size", None)
    figures = f"{len(store)} entries"
    if used is not None:
        figures += f", ~{used / 1e6:.1f} of {budget / 1e6:.1f} MB"
    return figures


def main(urls: list[str]) -> None:
    if TRACE:
        tracemalloc.start(12)
    started = rss_mb()
    from portal import create_app
    from portal.core import aggregates
    trims: list[float] = []
    if aggregates._malloc_trim is not None:  # timed: the teardown after a computation calls it
        import time
        trim = aggregates._malloc_trim

        def timed_trim(pad: int) -> int:
            started = time.perf_counter()
            try:
                return trim(pad)
            finally:
                trims.append((time.perf_counter() - started) * 1000)
        aggregates._malloc_trim = timed_trim
    app = create_app()
    gc.freeze()  # as wsgi.py does
    traced = f", traced {tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB" if TRACE else ""
    print(f"RSS {started:.1f} MB at start, {rss_mb():.1f} MB with the app{traced}; "
          f"modules: {len(sys.modules)}; heavy: "
          f"{', '.join(m for m in ('pandas', 'numpy', 'openpyxl', 'folium', 'branca', 'shapely', 'PIL') if m in sys.modules) or 'none'}")

    def get(url: str) -> int:
        with app.test_client() as client:
            response = client.get(url)
            response.close()  # as a WSGI server does once the body is sent (the trim after a computation waits for it)
            return response.status_code

    previous = tracemalloc.take_snapshot() if TRACE else None
    with ThreadPoolExecutor(THREADS) as pool:
        for url in urls:
            before = rss_mb()
            statuses = sorted(set(pool.map(get, [url] * RUNS)))
            after = rss_mb()
            print(f"{url}  HTTP {statuses}  RSS {before:.1f} -> {after:.1f} MB ({after - before:+.1f}); "
                  f"gc counts {gc.get_count()}; kept {kept_summary(app)}; "
                  f"malloc_trim {len(trims)}x {sum(trims):.1f} ms")
            trims.clear()
            if TRACE:
                snapshot = tracemalloc.take_snapshot()
                current, peak = tracemalloc.get_traced_memory()
                print(f"    traced {current / 1e6:.1f} MB (peak {peak / 1e6:.1f} MB); grown since the last page:")
                for stat in snapshot.compare_to(previous, "traceback")[:TOP]:
                    frame = next((f for f in reversed(stat.traceback) if "/portal/" in f.filename), stat.traceback[-1])
                    where = f"{frame.filename.split('/work/')[-1]}:{frame.lineno}"
                    print(f"    {stat.size_diff / 1e6:+7.2f} MB {stat.count_diff:+8d} blocks  {where}")
                tracemalloc.reset_peak()
                previous = snapshot
    gc.collect()
    print(f"RSS {rss_mb():.1f} MB at the end (after gc.collect)")
    if aggregates._malloc_trim is not None:
        aggregates._malloc_trim(0)
        print(f"RSS {rss_mb():.1f} MB after malloc_trim(0) (what glibc held free)")


def gunicorn_rss(rounds: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run
    url = f"sqlite:///{run.WORK}/scale10.sqlite3"
    for _ in range(rounds):
        result = run.scale10_memory(url, run.free_port())
        statuses = sorted({s for found in result["statuses"].values() for s in found})
        print(f"worker RSS {result['worker_rss_mb']} MB (largest {max(result['worker_rss_mb'])}), HTTP {statuses}",
              flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--gunicorn"]:
        gunicorn_rss(int(os.environ.get("ROUNDS", 1)))
        sys.exit()
    if sys.argv[1:]:
        pages = sys.argv[1:]
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from run import flat_pages
        pages = list(flat_pages().values())
    main(pages)
