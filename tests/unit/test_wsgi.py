"""The production entry point (gunicorn "wsgi:app")."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_entry_point_freezes_the_startup_heap_for_the_garbage_collector(tmp_path):
    """Objects that live as long as the worker are moved out of the collector's
    reach (gc.freeze), so full collections during a request stay short."""
    env = dict(os.environ, SECRET_KEY="wsgi-test-secret-key-0123456789abcdef", PORTAL_OFFLINE="1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.sqlite3'}", PORTAL_INSTANCE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    frozen = int(result.stdout.strip().splitlines()[-1])
    assert frozen > 50_000, frozen  # the app, SQLAlchemy's mappers, Flask, folium ...
