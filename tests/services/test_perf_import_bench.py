"""The import benchmark (bench/import_routes.py, part of `make bench`) times a
complete import: every row of its CSV must pass the route rules and be stored.
(Its rows once broke a rule added later, and the benchmark timed a refused
import for a whole session.)"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_benchmark_imports_and_stores_every_row(tmp_path):
    env = dict(os.environ, PORTAL_OFFLINE="1", PORTAL_INSTANCE_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)  # its own temporary SQLite database
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "import_routes.py"), "--rows", "60"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    assert "rows: 60, imported: 60, failed rows: 0" in result.stdout
    assert "stored: 60" in result.stdout
