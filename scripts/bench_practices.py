"""Benchmark of the library search: 5,000 published practices, then the
search page's whole query work (full-text match, filters, facet counts, one
page of hits with snippets) timed per query; prints p50/p95/max in ms.

    .venv/bin/python scripts/bench_practices.py                      # SQLite (temp file)
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_practices \
        .venv/bin/python scripts/bench_practices.py                  # PostgreSQL (schema is reset!)

Text comes from the real letters in ../shared/context/, so word frequencies
are realistic. The target is p95 <= 50 ms.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNT = int(os.environ.get("BENCH_PRACTICES", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
QUERIES = [
    ("techniek", {}), ("zomerlek", {}), ("hybride docent", {}), ('"doorlopende leerroute"', {}),
    ("perron OR knippenberg", {}), ("*", {}), ("samenwerking", {"theme": "lob"}),
    ("mbo", {"level": "2"}), ("'; DROP TABLE good_practices; --", {}), ("", {"theme": "techniek"}),
    ("vmbo", {}), ("leer*", {}),
]


def sentences_from_context() -> list[str]:
    """Real sentences of the letters: realistic words and word frequencies."""
    folder = ROOT.parent / "shared" / "context"
    text = " ".join(p.read_text(errors="ignore") for p in sorted(folder.glob("*.txt")))
    text = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s", text) if 40 <= len(s.strip()) <= 400]


def main() -> None:
    keep = os.environ.get("BENCH_SQLITE_FILE")  # reuse a loaded SQLite file between runs
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{keep or tempfile.mkdtemp() + '/bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    reuse = bool(keep and Path(keep).is_file()) or os.environ.get("BENCH_REUSE") == "1"  # PostgreSQL: keep the data
    from portal import create_app
    from portal.config import TestConfig
    from tests.conftest import reset_database

    if not reuse:
        reset_database(url)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import select

        from portal.domain.practices import THEMES
        from portal.extensions import db
        from portal.models import MboLevel
        from portal.models.base import utcnow
        from portal.models.practice import GoodPractice, PracticeTag, PracticeTheme
        from portal.services.practices.operations import reindex
        from portal.services.practices.queries import Filters, search_practices
        from portal.services.reference.vocabularies import seed_vocabularies

        if reuse:
            return measure(db, search_practices, Filters)
        upgrade()
        seed_vocabularies(db.session)
        levels = list(db.session.scalars(select(MboLevel)))
        rng = random.Random(42)
        sentences = sentences_from_context()
        started = time.perf_counter()
        for i in range(COUNT):
            body = "\n\n".join(rng.sample(sentences, rng.randint(8, 25)))  # about 200-600 words
            title_words = rng.choice(sentences).split()[:8]
            p = GoodPractice(
                title=" ".join(title_words)[:200], summary=rng.choice(sentences)[:500], body=body,
                status="gepubliceerd", published_at=utcnow(), is_demo=True,
            )
            p.themes = [PracticeTheme(theme_code=t.code) for t in rng.sample(THEMES, 2)]
            tags = {w.lower() for w in re.findall(r"[^\W\d_]{5,}", rng.choice(sentences))[:3]}
            p.tags = [PracticeTag(tag=w[:40]) for w in tags]
            p.levels = rng.sample(levels, 1)
            db.session.add(p)
            db.session.flush()
            reindex(db.session, p)
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(f"{db.engine.dialect.name}: {COUNT} practices loaded in {time.perf_counter() - started:.1f} s")
        measure(db, search_practices, Filters)


def measure(db, search_practices, Filters) -> None:
    """Wall time per search, and this process's CPU time (on a busy shared
    machine the CPU time is the fairer figure for SQLite, which runs in-process)."""
    for q, extra in QUERIES:  # warm-up: caches and statement compilation
        search_practices(db.session, Filters(q=q, **extra))
        db.session.rollback()
    cpu: list[float] = []
    timings: list[float] = []
    per_query: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        for q, extra in QUERIES:
            t0, c0 = time.perf_counter(), time.process_time()
            page = search_practices(db.session, Filters(q=q, **extra))
            _ = [str(h.snippet) for h in page.hits]
            ms = (time.perf_counter() - t0) * 1000
            cpu.append((time.process_time() - c0) * 1000)
            timings.append(ms)
            per_query.setdefault(f"{q!r} {extra or ''}", []).append(ms)
            db.session.rollback()
    timings.sort()
    cpu.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    load = os.getloadavg()[0]
    for name, values in per_query.items():
        values.sort()
        print(f"  {name:45s} median {statistics.median(values):6.1f} ms  max {values[-1]:6.1f} ms")
    print(f"{db.engine.dialect.name}: {len(timings)} searches, p50 {statistics.median(timings):.1f} ms, "
          f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (target p95 <= 50 ms); "
          f"CPU time of this process p50 {statistics.median(cpu):.1f} ms, "
          f"p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms; load average {load:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
