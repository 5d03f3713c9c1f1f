"""The /dekking figures of `make bench` (issue 16): in-process render time of
/dekking on the real reference data (national size: 1,176 vmbo vestigingen,
342 gemeenten, DUO's 2019 profiel figures), and the gzip size of the page with
its gemeente map. Prints and returns the figures; asserts nothing.

    .venv/bin/python bench/dekking.py      (PORTAL_DATA_DIR, else ../shared/data)
"""
from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production-0123456789"


def measure(rounds: int = 15) -> dict:
    data_dir = os.environ.get("PORTAL_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    if not Path(data_dir, "duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv").is_file():
        return {"note": f"no reference data in {data_dir}"}
    tmp = Path(tempfile.mkdtemp(prefix="bench-dekking-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/dekking.sqlite3", SECRET_KEY=SECRET, PORTAL_OFFLINE="1",
               PORTAL_INSTANCE_DIR=str(tmp), PORTAL_DATA_DIR=data_dir, FLASK_DEBUG="0")
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["seed", "--offline"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from wsgi import app
    app.config["RESPONSE_CACHE"] = False  # every request renders
    client = app.test_client()
    started = time.process_time()
    first = client.get("/dekking/")
    first_ms = (time.process_time() - started) * 1000
    timings = {}
    for url in ("/dekking/", "/dekking/?profiel=HBR&km=25", "/regio/AM22", "/api/v1/coverage/profiles"):
        cpu = []
        for _ in range(rounds):
            started = time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - started) * 1000)
            assert response.status_code == 200, url
        timings[url] = round(statistics.median(cpu), 1)
    html = first.get_data()
    return {"first_request_cpu_ms": round(first_ms), "median_cpu_ms": timings,
            "page_kb": round(len(html) / 1024), "page_gzip_kb": round(len(gzip.compress(html)) / 1024),
            "target": "/dekking < 100 ms in process; gemeente map < 150 KB gzip"}


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
