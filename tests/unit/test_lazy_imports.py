"""Issue 21 (worker memory): openpyxl is 4 MB in every worker that never
makes an XLSX export, so it is loaded on the first one, not with the app.
The control: an export loads it (and still writes a workbook)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import io, sys
from portal import create_app
create_app()
print('openpyxl' in sys.modules)
from openpyxl import load_workbook  # noqa: E402  (only after the check above)
from portal.services.learning_routes.export import to_xlsx
book = load_workbook(io.BytesIO(to_xlsx([["titel"], ["=1+1"]])))
print(book.active["A2"].value, book.active["A1"].font.b)
"""


def test_openpyxl_is_loaded_on_the_first_export_not_with_the_app(tmp_path):
    env = {"SECRET_KEY": "test-secret-key-for-the-import-check-0123456789", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["False", "=1+1", "True"], out.stderr[-2000:]
