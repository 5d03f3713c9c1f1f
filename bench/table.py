"""Print bench/results.json as a table (also: python bench/table.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _fmt(value, suffix: str = "") -> str:
    return "–" if value is None else f"{value}{suffix}"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("ok" if ok else "MISSED")


def print_table(results: dict) -> None:
    m = results["machine"]
    print()
    print(f"Command: {results['command']}   database: {results['database']}   "
          f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    print(f"Data: {results['data']['summary']}")
    print(f"Filters: {results['data']['filters']}   region: {results['data']['region']}")
    print()
    header = (f"{'page':17} {'p50 1c':>7} {'p95 1c':>7} {'p99 1c':>7} {'req/s 1c':>9} {'p95 8c':>7} "
              f"{'req/s 8c':>9} {'raw KB':>7} {'gzip KB':>8} {'SQL':>4}")
    print(header)
    print("-" * len(header))
    rows = list(results["pages"].items()) + [("datasette", results["datasette"])]
    for name, info in rows:
        if "c1" not in info:
            print(f"{name:17} {info.get('note', 'not available')}")
            continue
        c1, c8 = info["c1"], info["c8"]
        print(f"{name:17} {_fmt(c1.get('p50_ms')):>7} {_fmt(c1.get('p95_ms')):>7} {_fmt(c1.get('p99_ms')):>7} "
              f"{_fmt(c1.get('rps')):>9} {_fmt(c8.get('p95_ms')):>7} {_fmt(c8.get('rps')):>9} "
              f"{info['bytes_raw'] / 1024:7.1f} {info['bytes_gzip'] / 1024:8.1f} "
              f"{_fmt(info['queries'] if info.get('queries', -1) >= 0 else None):>4}")
    print("(latencies in ms; 1c = 1 connection, 8c = 8 concurrent connections)")
    print()
    for name, info in results["pages"].items():
        cached = info.get("cached")
        if cached and "c8" in cached:
            print(f"cached {name:17} HTTP {cached['status']}, {cached['queries']} SQL, "
                  f"{cached['c8'].get('rps')} req/s at 8c, p95 {cached['c8'].get('p95_ms')} ms")
    print()
    t = results["targets"]
    pages = results["pages"]
    ok_pages = [i for i in pages.values() if "c1" in i]
    worst = max((i["c1"].get("p95_ms") or 0 for i in ok_pages), default=None)
    route_rps = (pages.get("route_list", {}).get("c8") or {}).get("rps")
    ratio = results.get("route_list_vs_datasette")
    map_kb = pages.get("map", {}).get("bytes_gzip")
    geo = (pages.get("regions_geojson", {}).get("c1") or {}).get("p95_ms")
    lib = (pages.get("library_search", {}).get("c1") or {}).get("p95_ms")
    imp = results["import"].get("seconds")
    rss = max(results["worker_rss_mb"], default=None)
    cached = [c["c8"].get("rps") for c in (i.get("cached") for i in pages.values()) if c and "c8" in c]
    checks = [
        ("p95 at 1 client, worst page (ms)", worst, t["p95_ms_1_client"], worst is not None and worst <= t["p95_ms_1_client"]),
        ("route list at 8 clients (req/s)", route_rps, t["route_list_rps_8"], route_rps and route_rps >= t["route_list_rps_8"]),
        ("route list / Datasette", ratio, t["route_list_vs_datasette"], ratio and ratio >= t["route_list_vs_datasette"]),
        ("/kaart HTML gzip (KB)", map_kb and round(map_kb / 1024, 1), t["map_html_gzip_kb"],
         map_kb is not None and map_kb / 1024 <= t["map_html_gzip_kb"]),
        ("regions.geojson p95 (ms)", geo, t["geojson_p95_ms"], geo is not None and geo <= t["geojson_p95_ms"]),
        ("library search p95 (ms)", lib, t["library_p95_ms"], lib is not None and lib <= t["library_p95_ms"]),
        ("import 2,000 routes (s)", imp, t["import_2000_s"], imp is not None and imp < t["import_2000_s"]),
        ("worker RSS after the run (MB)", rss, t["worker_rss_mb"], rss is not None and rss < t["worker_rss_mb"]),
        ("cached pages at 8 clients, slowest (req/s)", min(cached) if cached else None, t["cached_rps_8"],
         bool(cached) and min(cached) >= t["cached_rps_8"]),
    ]
    print(f"{'target':44} {'measured':>10} {'target':>8}  verdict")
    for label, value, target, ok in checks:
        print(f"{label:44} {_fmt(value):>10} {target:>8}  {_verdict(bool(ok) if value is not None else None)}")
    if results["import"].get("note"):
        print(f"import: {results['import']['note']}")
    print(f"\nDatasette: {results['datasette'].get('url')}")
    print(f"Portal/Datasette requests-per-second ratio (filtered route list, 8 clients): {_fmt(ratio)}")
    print(f"Worker RSS (MB): {results['worker_rss_mb']}   whole run: {results['elapsed_seconds']} s")


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json"))
    print_table(json.loads(path.read_text()))
