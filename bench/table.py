"""Print bench/results.json as a table (also: python bench/table.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _fmt(value, suffix: str = "") -> str:
    return "–" if value is None else f"{value}{suffix}"


def _page_table(title: str, rows: list) -> None:
    print(title)
    header = (f"{'page':17} {'p50 1c':>7} {'p95 1c':>7} {'p99 1c':>7} {'req/s 1c':>9} {'p95 8c':>7} "
              f"{'req/s 8c':>9} {'raw KB':>7} {'gzip KB':>8} {'SQL':>4}")
    print(header)
    print("-" * len(header))
    for name, info in rows:
        if "c1" not in info:
            print(f"{name:17} {info.get('note', 'not available')}")
            continue
        c1, c8 = info["c1"], info["c8"]
        if "error" in c1 and "p95_ms" not in c1:
            print(f"{name:17} {c1['error']}")
            continue
        print(f"{name:17} {_fmt(c1.get('p50_ms')):>7} {_fmt(c1.get('p95_ms')):>7} {_fmt(c1.get('p99_ms')):>7} "
              f"{_fmt(c1.get('rps')):>9} {_fmt(c8.get('p95_ms')):>7} {_fmt(c8.get('rps')):>9} "
              f"{info['bytes_raw'] / 1024:7.1f} {info['bytes_gzip'] / 1024:8.1f} "
              f"{_fmt(info['queries'] if info.get('queries', -1) >= 0 else None):>4}")
    print("(latencies in ms; 1c = 1 connection, 8c = 8 concurrent connections)")
    print()


def _checks(results: dict, pages: dict) -> list:
    t = results["targets"]
    ok_pages = [i for i in pages.values() if "c1" in i]
    p95s = [i["c1"].get("p95_ms") for i in ok_pages]
    worst = None if not p95s or None in p95s else max(p95s)
    route_rps = (pages.get("route_list", {}).get("c8") or {}).get("rps")
    ds_rps = (results["datasette"].get("c8") or {}).get("rps")
    ratio = round(route_rps / ds_rps, 2) if route_rps and ds_rps else None
    map_kb = pages.get("map", {}).get("bytes_gzip")
    map_kb = round(map_kb / 1024, 1) if map_kb else None
    geo = (pages.get("regions_geojson", {}).get("c1") or {}).get("p95_ms")
    lib = (pages.get("library_search", {}).get("c1") or {}).get("p95_ms")
    imp = results["import"].get("seconds")
    rss_list = results["worker_rss_mb"] if pages is results["pages"] else results.get("worker_rss_mb_page_cache")
    rss = max(rss_list or [], default=None)
    cached = [c["c8"].get("rps") for c in (i.get("cached") for i in results["pages"].values()) if c and "c8" in c]
    slowest_cached = min(cached) if cached else None
    return [
        ("p95 at 1 client, worst page (ms)", worst, t["p95_ms_1_client"], worst is not None and worst <= t["p95_ms_1_client"]),
        ("route list at 8 clients (req/s)", route_rps, t["route_list_rps_8"], bool(route_rps) and route_rps >= t["route_list_rps_8"]),
        ("route list / Datasette (req/s ratio)", ratio, t["route_list_vs_datasette"], bool(ratio) and ratio >= t["route_list_vs_datasette"]),
        ("/kaart HTML gzip (KB)", map_kb, t["map_html_gzip_kb"], map_kb is not None and map_kb <= t["map_html_gzip_kb"]),
        ("regions.geojson p95 at 1 client (ms)", geo, t["geojson_p95_ms"], geo is not None and geo <= t["geojson_p95_ms"]),
        ("library search p95 at 1 client (ms)", lib, t["library_p95_ms"], lib is not None and lib <= t["library_p95_ms"]),
        ("import 2,000 routes (s)", imp, t["import_2000_s"], imp is not None and imp < t["import_2000_s"]),
        ("worker RSS after the run (MB)", rss, t["worker_rss_mb"], rss is not None and rss < t["worker_rss_mb"]),
        ("304s at 8 clients, slowest page (req/s)", slowest_cached, t["cached_rps_8"],
         slowest_cached is not None and slowest_cached >= t["cached_rps_8"]),
    ]


def print_table(results: dict) -> None:
    m = results["machine"]
    print()
    print(f"Command: {results['command']}   database: {results['database']}   "
          f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    print(f"Load average (1 min) at start {results.get('load_average_1m_at_start')}, "
          f"at the end {m.get('load_average_1m')}: other work on the machine slows every figure.")
    print(f"gunicorn {results.get('gunicorn', '--workers 3')}")
    print(f"Data: {results['data']['summary']}")
    print(f"Filters: {results['data']['filters']}   region: {results['data']['region']}")
    print()
    _page_table("Every request renders (page cache off)", list(results["pages"].items())
                + [("datasette", results["datasette"])])
    for name, info in results["pages"].items():
        cached = info.get("cached")
        if cached and "c8" in cached:
            print(f"cached {name:17} HTTP {cached['status']}, {cached['queries']} SQL, "
                  f"{cached['c8'].get('rps')} req/s at 8c, p95 {cached['c8'].get('p95_ms')} ms")
    if results.get("pages_page_cache"):
        _page_table("Page cache on (production default; the repeat requests are hits)",
                    list(results["pages_page_cache"].items()))
    print()
    print(f"{'target':44} {'render':>10} {'cache on':>10} {'target':>8}")
    render = _checks(results, results["pages"])
    cache_on = _checks(results, results.get("pages_page_cache") or {})
    for (label, value, target, ok), (_, value2, _, ok2) in zip(render, cache_on, strict=False):
        cell = lambda v, good: "–" if v is None else f"{v}{'' if good else ' !'}"  # noqa: E731
        print(f"{label:44} {cell(value, ok):>10} {cell(value2, ok2):>10} {target:>8}")
    print("(! = target missed)")
    if results["import"].get("note"):
        print(f"import: {results['import']['note']}")
    dekking = results.get("dekking") or {}
    if dekking.get("median_cpu_ms"):
        print(f"/dekking in process on the real data (bench/dekking.py): median CPU "
              f"{dekking['median_cpu_ms']} ms; first request {dekking['first_request_cpu_ms']} ms; page "
              f"{dekking['page_kb']} KB, {dekking['page_gzip_kb']} KB gzip (targets: < 100 ms, map < 150 KB gzip)")
    elif dekking:
        print(f"/dekking: {dekking.get('note')}")
    print(f"\nDatasette: {results['datasette'].get('url')}")
    print("Portal/Datasette requests-per-second ratio (filtered route list, 8 clients): "
          f"{_fmt(results.get('route_list_vs_datasette'))} (page cache off)")
    print(f"Worker RSS (MB): {results['worker_rss_mb']} (render), {results.get('worker_rss_mb_page_cache')} "
          f"(page cache)   whole run: {results['elapsed_seconds']} s")


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json"))
    print_table(json.loads(path.read_text()))
