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


def _get(mapping: dict | None, *keys):
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def checks(results: dict) -> list[tuple[str, object, str, bool | None]]:
    """(what, value, target, met) per line; met None = a figure without a target."""
    t = results["targets"]
    pages, cached_pages = results["pages"], results.get("pages_page_cache") or {}
    rows: list[tuple[str, object, str, bool | None]] = []

    def at_most(label, value, target):
        rows.append((label, value, f"<= {target}", None if value is None else value <= target))

    def at_least(label, value, target):
        rows.append((label, value, f">= {target}", None if value is None else value >= target))

    # On PostgreSQL the SQL runs in the server, outside this process's CPU time:
    # there the larger of the CPU and the wall-time ratio decides.
    postgres = results.get("database") == "postgresql"
    for info in (results.get("flat_cost") or {}).values():
        ratio = info["ratio"]
        label = f"flat cost {info['url']} (CPU x, {info['cpu_ms_scale1']} -> {info['cpu_ms_scale10']} ms)"
        if postgres and info.get("wall_ratio") is not None:
            ratio = max(ratio or 0, info["wall_ratio"])
            label = f"flat cost {info['url']} (max of CPU x {info['ratio']}, wall x {info['wall_ratio']})"
        at_most(label, ratio, t["flat_cost_ratio"])
    for name in results.get("public_pages", []):
        info = pages.get(name, {})
        value = _get(info, "c1", "p95_ms")
        if value is None:
            rows.append((f"rendered p95 1 client {name} (ms)", info.get("note", "–"), f"<= {t['p95_ms_1_client']}",
                         False))
        else:
            at_most(f"rendered p95 1 client {name} (ms)", value, t["p95_ms_1_client"])
    at_least("filtered route list / Datasette (req/s, 8 clients)", results.get("route_list_vs_datasette"),
             t["route_list_vs_datasette"])
    rows.append(("  portal filtered route list (req/s, 8 clients)", _get(pages, "route_list", "c8", "rps"), "", None))
    rows.append(("  Datasette facet page (req/s, 8 clients)", _get(results, "datasette", "c8", "rps"), "", None))
    rows.append(("  bare Flask hello, same gunicorn (req/s, 8 clients)",
                 _get(results, "flask_hello", "c8", "rps"), "", None))
    writes = results.get("after_write") or {}
    at_most("first /kaart after a save, p95 (ms)", writes.get("first_request_p95_ms"), t["first_map_after_write_ms"])
    rows.append((f"  p50 / max (ms), {writes.get('saves')} saves", f"{writes.get('first_request_p50_ms')} / "
                 f"{writes.get('first_request_max_ms')}", "", None))
    rows.append((f"  reads of /kaart during the writes, p95 (ms, {writes.get('readers')} clients)",
                 _get(writes, "reads", "p95_ms"), "", None))
    slowest = results.get("slowest_page")
    at_least(f"304s at 8 clients, slowest page {slowest} (req/s)", _get(pages, slowest, "cached", "c8", "rps"),
             t["cached_rps_8"])
    at_least(f"page-cache hits at 8 clients, slowest page {slowest} (req/s)",
             _get(cached_pages, slowest, "c8", "rps"), t["page_cache_hits_rps_8"])
    for name in dict.fromkeys((slowest, "map")):
        if _get(cached_pages, name, "c8_identity", "rps") is not None or name != slowest:
            rows.append((f"  page-cache hits {name}: gzip / without Accept-Encoding (req/s, 8 clients)",
                         f"{_get(cached_pages, name, 'c8', 'rps')} / {_get(cached_pages, name, 'c8_identity', 'rps')}",
                         "", None))
    rss10 = _get(results, "scale10", "worker_rss_mb")
    at_most("worker RSS at scale 10 (MB, largest worker)", max(rss10) if rss10 else None,
            t["worker_rss_mb_scale10"])
    writers = results.get("writers") or {}
    for number, info in sorted(writers.items(), key=lambda kv: int(kv[0])):
        value = info.get("writes_per_s", info.get("note"))
        rows.append((f"{number} concurrent writer(s) on PostgreSQL: writes/s, p95 ms",
                     f"{value}, {info.get('p95_ms')}", "figure", None))
    if not writers:
        rows.append(("concurrent writers", "only with DATABASE_URL (PostgreSQL)", "", None))
    rows.append(("-- earlier issues --", "", "", None))
    at_least("filtered route list at 8 clients (req/s)", _get(pages, "route_list", "c8", "rps"), t["route_list_rps_8"])
    map_kb = _get(pages, "map", "bytes_gzip")
    at_most("/kaart HTML gzip (KB)", round(map_kb / 1024, 1) if map_kb else None, t["map_html_gzip_kb"])
    at_most("import 2,000 routes (s)", _get(results, "import", "seconds"), t["import_2000_s"])
    rss = results.get("worker_rss_mb_page_cache") or results.get("worker_rss_mb")
    at_most(f"worker RSS at scale {results['scale']} (MB)", max(rss) if rss else None, t["worker_rss_mb"])
    return rows


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
    rows = [*results["pages"].items(), ("datasette", results["datasette"])]
    if results.get("flask_hello"):
        rows.append(("flask hello", {**results["flask_hello"], "bytes_raw": 13, "bytes_gzip": 33}))
    _page_table("Every request renders (page cache off)", rows)
    flat = results.get("flat_cost") or {}
    if flat:
        print("Flat cost: in-process median per rendered request, ms (bench/profile_pages.py, page cache off)")
        print(f"{'page':40} {'CPU s1':>8} {'CPU s10':>8} {'ratio':>6} {'wall s1':>8} {'wall s10':>8} {'ratio':>6} "
              f"{'SQL statements':>15}")
        for info in flat.values():
            print(f"{info['url']:40} {info['cpu_ms_scale1']:>8} {info['cpu_ms_scale10']:>8} "
                  f"{_fmt(info['ratio']):>6} {_fmt(info.get('wall_ms_scale1')):>8} "
                  f"{_fmt(info.get('wall_ms_scale10')):>8} {_fmt(info.get('wall_ratio')):>6} "
                  f"{str(info['statements']):>15}")
        print()
    for name, info in results["pages"].items():
        cached = info.get("cached")
        if cached and "c8" in cached:
            print(f"cached {name:17} HTTP {cached['status']}, {cached['queries']} SQL, "
                  f"{cached['c8'].get('rps')} req/s at 8c, p95 {cached['c8'].get('p95_ms')} ms")
    if results.get("pages_page_cache"):
        _page_table("Page cache on (production default; the repeat requests are hits)",
                    list(results["pages_page_cache"].items()))
    dekking = results.get("dekking") or {}
    if dekking.get("median_cpu_ms"):
        print(f"/dekking in process on the real data (bench/dekking.py): median CPU "
              f"{dekking['median_cpu_ms']} ms; first request {dekking['first_request_cpu_ms']} ms; page "
              f"{dekking['page_kb']} KB, {dekking['page_gzip_kb']} KB gzip")
    elif dekking:
        print(f"/dekking: {dekking.get('note')}")
    if results.get("phase_seconds"):
        print("\nPhases (wall s): " + ", ".join(f"{k}: {v}" for k, v in results["phase_seconds"].items()))
    print(f"Builds (generation s): {results['data'].get('build_seconds')}")
    print(f"Whole run: {results['elapsed_seconds']} s")
    print()
    print(f"{'target (issue 21; scale ' + str(results['scale']) + ' unless said)':72} {'value':>14} "
          f"{'target':>9}  result")
    print("-" * 106)
    for label, value, target, met in checks(results):
        verdict = "met" if met else ("MISSED" if target.startswith(("<", ">")) else "")
        shown = "–" if value is None else str(value)
        print(f"{label:72} {shown:>14} {target:>9}  {verdict}")
    print("(CPU-time ratios are the robust figures on a shared machine; req/s and latencies move with its load.)")


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json"))
    print_table(json.loads(path.read_text()))
