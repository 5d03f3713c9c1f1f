"""Measure the /kaart page: HTML bytes raw and gzip-compressed (level 6, as a
web server would), without the cached vendored files, for the database in
DATABASE_URL (default: instance/portal.sqlite3).

Usage: .venv/bin/python scripts/map_size.py [URL ...]    (default URL: /kaart/)
"""
from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "map-size-measurement-only-0123456789")
os.environ.setdefault("RESPONSE_CACHE", "0")


def main(urls: list[str]) -> int:
    from portal import create_app
    app = create_app()
    client = app.test_client()
    limit = 150 * 1024
    worst = 0
    for url in urls or ["/kaart/"]:
        response = client.get(url)
        body = response.get_data()
        packed = len(gzip.compress(body, 6))
        worst = max(worst, packed)
        print(f"{url}: HTTP {response.status_code}, {len(body) / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip")
    print(f"limit 150 KB gzip: {'ok' if worst <= limit else 'TOO BIG'}")
    return 0 if worst <= limit else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
