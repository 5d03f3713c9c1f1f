"""Benchmark: import 2,000 leerroutes from CSV through the route service.

Usage:  .venv/bin/python bench/import_routes.py [--rows 2000] [--database-url URL]

Builds a fresh database (a temporary SQLite file by default; with
--database-url a PostgreSQL database, which is DROPPED and recreated), loads
the real reference data (regions, gemeenten, 1,176 vmbo schools), writes a
CSV with N valid rows over real vestigingscodes (exits with an error when not all are
imported and stored), and times parse + import +
commit exactly as the /leerroutes/importeren endpoint does. Target: < 10 s
for 2,000 rows. Prints the figure; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-import-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("PORTAL_INSTANCE_DIR", tmp)

    from tests.conftest import DATA_DIR, reset_database
    reset_database(url)

    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from portal.models import LearningRoute, Organisation
        from portal.services.accounts.users import create_user
        from portal.services.learning_routes import columns
        from portal.services.learning_routes import csv_import as route_import
        from portal.services.learning_routes import export as route_export
        from portal.services.reference.boundaries import import_municipalities, import_regions
        from portal.services.reference.schools import import_schools
        from portal.services.reference.vocabularies import seed_vocabularies

        upgrade()
        seed_vocabularies(db.session)
        import_regions(db.session, (DATA_DIR / "arbeidsmarktregio_2025.geojson").read_bytes(), 2025)
        import_municipalities(db.session, (DATA_DIR / "gemeente_arbeidsmarktregio_2025.csv").read_bytes(), 2025)
        import_schools(db.session, (DATA_DIR / "vo_vestigingen_2024.csv").read_bytes())
        roc = Organisation(kind="mbo", name="ROC Bench")
        db.session.add(roc)
        staff = create_user(db.session, email="bench@example.org", name="Bench", role="staff",
                            password="bench-wachtwoord-lang-genoeg")
        db.session.commit()

        schools = [o.vestigingscode for o in db.session.scalars(
            select(Organisation).where(Organisation.kind == "vmbo")) if {"BB", "KB"} <= {p.code for p in o.pathways}]
        rng = random.Random(42)
        header = [c for c, _ in columns.IMPORT_COLUMNS]
        lines = [header]
        for i in range(args.rows):
            kind = rng.choice(["glr", "dlr", "vakmanschap"])
            values = {c: "" for c in header}
            values.update({
                # A new DLR or GLR cannot start as actief (no signed agreement covers it yet).
                "titel": f"Benchroute {i}", "soort": kind,
                "status": rng.choice(["concept", "actief"] if kind == "vakmanschap" else ["concept", "voorbereiding"]),
                "vmbo_partijen": " | ".join(rng.sample(schools, rng.choice([1, 1, 2]))), "mbo_partijen": "ROC Bench",
                "leerwegen": "BB, KB", "profielen": rng.choice(["Z&W", "PIE", "HBR", "E&O"]), "mbo_niveau": "2",
                "opleidingsdomein": "Zorg en welzijn", "crebo": "25498", "kwalificatie": "Helpende zorg en welzijn",
                "lesplaats": "beide", "eerste_schooljaar": rng.choice(["2024-2025", "2025-2026", "2026-2027"]),
                "leerlingen_per_cohort": str(rng.randint(5, 40)), "omschrijving": "Benchmarkroute.",
            })
            lines.append([values[c] for c in header])
        raw = route_export.to_csv(lines)

        profiler = None
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        cpu_started = time.process_time()
        rows = route_import.parse_csv(raw)
        result = route_import.import_routes(db.session, rows, staff, mode="all")
        if result.should_commit:
            db.session.commit()
        else:
            db.session.rollback()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if profiler is not None:
            import pstats
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        stored = db.session.scalar(select(func.count(LearningRoute.id)))
        print(f"database: {url.split(':')[0]}")
        print(f"rows: {result.total}, imported: {result.created}, failed rows: {result.failed_rows}, "
              f"warnings: {len(result.messages) - len(result.errors)}, stored: {stored}")
        if result.errors:
            print("first errors:", [(m.row, m.column, m.message) for m in result.errors[:5]])
        print(f"parse + import + commit: {elapsed:.2f} s wall ({1000 * elapsed / max(1, result.total):.1f} ms/row), "
              f"{cpu:.2f} s CPU of this process")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        db.session.remove()
        db.engine.dispose()
        if result.created != args.rows or stored != args.rows:
            raise SystemExit(f"the import refused rows: {result.created} of {args.rows} imported, {stored} stored; "
                             "the time above is not that of a complete import")


if __name__ == "__main__":
    main()
