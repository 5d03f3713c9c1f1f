"""The soak's checks on what the clients saw and on what the database holds
afterwards, and the printed summary. Used by scripts/soak.py."""
from __future__ import annotations

from collections import Counter

import psycopg
from soak_client import Hit, Outcome, Race, Recorder

EXPECTED = {  # kind of request -> statuses that are fine outside the outage
    "read": {200}, "agreement": {200}, "detail": {200}, "form": {200}, "login": {200, 302},
    "create": {302}, "healthz": {200},
    # races: the loser of a funding race gets the conflict page (422) back
    "race-form": {200}, "race-save": {302, 422}, "race-sign": {302},
}

# What must hold after any number of simultaneous saves and signs.
INVARIANTS = {
    "funding stream/year not summing to 100.00 (agreement, stream, year, sum)":
        "SELECT agreement_id, stream, school_year, sum(percentage) FROM funding_shares "
        "GROUP BY agreement_id, stream, school_year HAVING sum(percentage) <> 100.00",
    "agreement whose parties all signed, left ter_ondertekening":
        "SELECT a.id FROM agreements a WHERE a.status = 'ter_ondertekening' AND NOT EXISTS "
        "(SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.signed_at IS NULL)",
}

# Rows that may never exist, whatever happened: each query returns offending ids.
PARTIAL_ROWS = {
    "route without a vmbo or mbo party":
        "SELECT r.id FROM learning_routes r WHERE NOT EXISTS (SELECT 1 FROM route_parties p "
        "WHERE p.route_id = r.id AND p.role = 'vmbo') OR NOT EXISTS (SELECT 1 FROM route_parties p "
        "WHERE p.route_id = r.id AND p.role = 'mbo')",
    "route without its audit entry":
        "SELECT r.id FROM learning_routes r WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
        "WHERE a.object_type = 'learning_route' AND a.object_id = r.id AND a.action = 'create')",
    "practice without a theme":
        "SELECT g.id FROM good_practices g WHERE NOT EXISTS (SELECT 1 FROM practice_themes t "
        "WHERE t.practice_id = g.id)",
    "published practice without its search row":
        "SELECT g.id FROM good_practices g WHERE g.status = 'gepubliceerd' AND g.archived_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM practice_search s WHERE s.practice_id = g.id)",
    "practice without its facet keys":
        "SELECT g.id FROM good_practices g WHERE g.archived_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM practice_facet_keys k WHERE k.practice_id = g.id)",
    "practice without its audit entry":
        "SELECT g.id FROM good_practices g WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
        "WHERE a.object_type = 'good_practice' AND a.object_id = g.id AND a.action = 'create')",
    "agreement with fewer than two parties":
        "SELECT a.id FROM agreements a WHERE (SELECT count(*) FROM agreement_parties p "
        "WHERE p.agreement_id = a.id) < 2",
    "submission key without its object":
        "SELECT s.object_id FROM form_submissions s WHERE s.object_id IS NULL "
        "OR (s.object_type = 'route' AND NOT EXISTS (SELECT 1 FROM learning_routes r WHERE r.id = s.object_id)) "
        "OR (s.object_type = 'practice' AND NOT EXISTS (SELECT 1 FROM good_practices g WHERE g.id = s.object_id))",
}

TABLES = {"route": "learning_routes", "practice": "good_practices"}


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def check_responses(hits: list[Hit], events: dict, limit: float) -> list[str]:
    violations: list[str] = []
    if "pg_back" not in events:
        return ["PostgreSQL was not restarted"]
    window_start, window_end = events["stop_begin"], events["pg_back"] + limit
    bad: Counter = Counter()
    examples: dict[str, Hit] = {}
    for hit in hits:
        in_window = hit.end >= window_start and hit.start <= window_end
        if hit.status == 503 and hit.retry_after and in_window:
            continue
        if hit.status in EXPECTED.get(hit.kind, {200}):
            continue
        label = f"{hit.kind} {hit.status or hit.error}" + (" (no Retry-After)" if hit.status == 503 and
                                                          not hit.retry_after else "")
        if hit.status >= 500 or hit.status == 0:
            label += " outside the outage window" if not in_window else ""
        bad[label] += 1
        examples.setdefault(label, hit)
    for label, count in bad.items():
        hit = examples[label]
        violations.append(f"{count}x {label}, e.g. {hit.method} {hit.path} at "
                          f"{hit.start - window_start:+.1f} s from the stop")
    health = [h for h in hits if h.kind == "healthz"]
    if not any(h.status != 200 and events["stop_done"] <= h.start <= events["start_begin"] for h in health):
        violations.append("/healthz did not report the outage")
    if events.get("recovery") is None or events["recovery"] > limit:
        violations.append(f"/healthz not 200 within {limit:.0f} s after PostgreSQL was back")
    return violations


def measure_recovery(hits: list[Hit], events: dict) -> None:
    back = events.get("pg_back")
    if back is None:
        return
    healthy = [h.end for h in hits if h.kind == "healthz" and h.status == 200 and h.start >= back]
    events["recovery"] = min(healthy) - back if healthy else None
    failures = [h.end for h in hits if h.status >= 500 and h.start >= back]
    events["last_failure_after_back"] = max(failures) - back if failures else 0.0


def check_database(url: str, outcomes: list[Outcome]) -> dict:
    violations: list[str] = []
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = {kind: conn.execute(f"SELECT id, title FROM {table} WHERE title LIKE %s",  # noqa: S608  constants
                                   (f"Soak {kind} %",)).fetchall() for kind, table in TABLES.items()}
        partial = {name: [r[0] for r in conn.execute(sql).fetchall()] for name, sql in PARTIAL_ROWS.items()}
        broken = {name: [tuple(r) for r in conn.execute(sql).fetchall()] for name, sql in INVARIANTS.items()}
        submissions = conn.execute("SELECT count(*) FROM form_submissions").fetchone()[0]
    figures = {"creates": {}, "rows": {}, "duplicates": 0, "retried": 0, "retries_answered_with_first": 0,
               "submission_rows": submissions}
    for kind in TABLES:
        mine = [o for o in outcomes if o.kind == kind]
        confirmed = {o.created for o in mine if o.created is not None}
        stored = Counter(title for _, title in rows[kind])
        ids = {row_id for row_id, _ in rows[kind]}
        figures["creates"][kind], figures["rows"][kind] = len(confirmed), len(ids)
        duplicated = [title for title, count in stored.items() if count > 1]
        figures["duplicates"] += len(duplicated)
        if duplicated:
            violations.append(f"{len(duplicated)} {kind} titles stored more than once, e.g. {duplicated[0]}")
        if confirmed != ids:
            violations.append(f"{kind}: {len(confirmed)} successful creates but {len(ids)} rows "
                              f"(rows without a create: {sorted(ids - confirmed)[:5]}, "
                              f"creates without a row: {sorted(confirmed - ids)[:5]})")
        for o in mine:
            if len(o.ids) > 1:
                violations.append(f"{kind} {o.title}: a retry with the same key made another object {sorted(o.ids)}")
            if o.rejected:
                violations.append(f"{kind} {o.title}: refused ({o.rejected})")
            elif not o.ids:
                violations.append(f"{kind} {o.title}: no answer but 503 until the end (statuses {o.statuses})")
            if o.mode != "single" and o.created is not None:
                figures["retried"] += 1
                figures["retries_answered_with_first"] += o.statuses.count(302) - 1
    for name, ids in partial.items():
        if ids:
            violations.append(f"partial rows: {len(ids)} {name} (ids {ids[:5]})")
    figures["partial_rows"] = {name: len(ids) for name, ids in partial.items()}
    for name, rows in broken.items():
        if rows:
            violations.append(f"invariant broken: {len(rows)} {name}: {rows[:5]}")
    figures["invariants_broken"] = {name: len(rows) for name, rows in broken.items()}
    figures["violations"] = violations
    return figures


def check_races(races: list[Race]) -> dict:
    """Per race: never both funding saves accepted (one version, one winner),
    never a 5xx but the outage's 503."""
    violations: list[str] = []
    figures = {"funding": 0, "funding_one_winner": 0, "sign": 0, "sign_all_answered": 0}
    for race in races:
        figures[race.kind] += 1
        errors = [s for s in race.statuses if s >= 500 and s != 503]
        if errors:
            violations.append(f"{race.kind} race on agreement {race.agreement_id}: statuses {race.statuses}")
        if race.kind == "funding":
            if race.statuses.count(302) == 2:
                violations.append(f"funding race on agreement {race.agreement_id}: both saves from one version "
                                  f"were accepted")
            figures["funding_one_winner"] += sorted(race.statuses) == [302, 422]
        elif all(s == 302 for s in race.statuses):
            figures["sign_all_answered"] += 1
    figures["violations"] = violations
    return figures


def summarise(recorder: Recorder, events: dict, start: float, database: dict, violations: list[str],
              settings: dict) -> dict:
    hits = [h for h in recorder.hits if h.kind != "probe"]
    statuses = Counter(str(h.status or "no answer") for h in hits)
    ok = [h.end - h.start for h in hits if 200 <= h.status < 400]
    per_kind = {}
    for kind in sorted({h.kind for h in hits}):
        times = [h.end - h.start for h in hits if h.kind == kind and 200 <= h.status < 400]
        per_kind[kind] = {"requests": sum(1 for h in hits if h.kind == kind),
                          "p50_ms": round(percentile(times, 0.5) * 1000), "p95_ms": round(percentile(times, 0.95) * 1000)}
    elapsed = max((h.end for h in hits), default=start) - start
    summary = {
        "settings": settings, "requests": len(hits), "requests_per_second": round(len(hits) / max(elapsed, 1e-9), 1),
        "statuses": dict(sorted(statuses.items())), "p50_ms": round(percentile(ok, 0.5) * 1000),
        "p95_ms": round(percentile(ok, 0.95) * 1000), "per_kind": per_kind,
        "outage": {
            "stopped_at_s": round(events.get("stop_begin", start) - start, 1),
            "down_s": round(events.get("pg_back", 0) - events.get("stop_begin", 0), 1),
            "healthz_recovered_after_s": None if events.get("recovery") is None else round(events["recovery"], 2),
            "last_failure_after_back_s": round(events.get("last_failure_after_back") or 0.0, 2),
            "answers_503": statuses.get("503", 0),
        },
        "database": database, "violations": violations, "ok": not violations,
    }
    print_summary(summary)
    return summary


def print_summary(s: dict) -> None:
    o, d = s["outage"], s["database"]
    print(f"\nsoak: {s['settings']['clients']} clients, {s['settings']['seconds']:.0f} s, gunicorn "
          f"{s['settings']['workers']}x{s['settings']['threads']} gthread, private PostgreSQL")
    print(f"  requests        {s['requests']} ({s['requests_per_second']}/s); statuses "
          + ", ".join(f"{k}: {v}" for k, v in s["statuses"].items()))
    print(f"  latency         p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms (answers 2xx/3xx)")
    for kind, figures in s["per_kind"].items():
        print(f"    {kind:<10} {figures['requests']:>6} requests, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    print(f"  restart         PostgreSQL stopped at {o['stopped_at_s']} s for {o['down_s']} s; "
          f"{o['answers_503']} answers 503 with Retry-After; /healthz 200 again {o['healthz_recovered_after_s']} s "
          f"after PostgreSQL was back; last 5xx {o['last_failure_after_back_s']} s after")
    print(f"  creates vs rows routes {d['creates']['route']} = {d['rows']['route']}, practices "
          f"{d['creates']['practice']} = {d['rows']['practice']}; duplicates {d['duplicates']}; "
          f"{d['retried']} submits sent again with the same key, {d['retries_answered_with_first']} extra answers "
          f"redirected to the first object")
    print(f"  partial rows    {sum(d['partial_rows'].values())}; invariants broken "
          f"{sum(d['invariants_broken'].values())}")
    r = d.get("races")
    if r:
        print(f"  races           {r['funding']} funding races ({r['funding_one_winner']} with one winner and one "
              f"conflict page), {r['sign']} signing races ({r['sign_all_answered']} answered without error)")
    if s["violations"]:
        print("VIOLATIONS:")
        for violation in s["violations"]:
            print(f"  - {violation}")
    else:
        print("soak: all checks passed")
