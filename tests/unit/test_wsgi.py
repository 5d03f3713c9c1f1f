"""The production entry point (gunicorn "wsgi:app")."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_entry_point_freezes_the_startup_heap_for_the_garbage_collector(tmp_path):
    """Objects that live as long as the worker are moved out of the collector's
    reach (gc.freeze), so full collections during a request stay short; and the
    youngest generation is collected every 5,000 objects, not every 700."""
    env = dict(os.environ, SECRET_KEY="wsgi-test-secret-key-0123456789abcdef", PORTAL_OFFLINE="1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.sqlite3'}", PORTAL_INSTANCE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count(), *gc.get_threshold())"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, *thresholds = map(int, result.stdout.strip().splitlines()[-1].split())
    assert frozen > 50_000, frozen  # the app, SQLAlchemy's mappers, Flask, folium ...
    assert thresholds == [5000, 10, 10]


def test_the_web_workers_do_not_load_alembic_and_flask_db_still_migrates(tmp_path):
    """Issue 21 (worker memory): Flask-Migrate and Alembic (some 11 MB) are not
    loaded by the web entry point; `flask --app wsgi db …` (make run, the
    README's production steps) sets them up when it is run, with its options."""
    env = dict(os.environ, SECRET_KEY="wsgi-test-secret-key-0123456789abcdef", PORTAL_OFFLINE="1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.sqlite3'}", PORTAL_INSTANCE_DIR=str(tmp_path))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, wsgi; print('alembic' in sys.modules, 'flask_migrate' in sys.modules)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert loaded.stdout.split()[-2:] == ["False", "False"], loaded.stderr[-2000:]
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]
    upgrade = subprocess.run([*flask, "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    current = subprocess.run([*flask, "--directory", "migrations", "current"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert current.returncode == 0 and "(head)" in current.stdout, current.stderr[-2000:]
