#!/usr/bin/env bash
# The aggregate pages of issue 21 at two scales, in process (bench/profile_pages.py):
#   bench/profile_aggregates.sh SMALL.sqlite3 LARGE.sqlite3
# Each database: `flask db upgrade`, `flask demo generate --scale N --seed 2026` and
# `flask monitor snapshot --peildatum 2026-10-15` (the year report's snapshot).
# Prints the median CPU per rendered request (page cache off) of each page at both
# scales and their ratio. KEEP_AGGREGATES=0 measures without the kept aggregates.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=(/kaart/ /kaart/dashboard /api/v1/regions.geojson /leerroutes/ /regio/AM15 /dekking/
       /kaart/rapportage/2026-2027 /regioplannen/overzicht)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for db in "$1" "$2"; do
    DATABASE_URL="sqlite:///$db" TOP=0 RUNS="${RUNS:-7}" .venv/bin/python bench/profile_pages.py "${PAGES[@]}" \
        > "$out/$(basename "$db").txt"
done
python3 - "$out/$(basename "$1").txt" "$out/$(basename "$2").txt" <<'PY'
import re, sys
def cpu(path):
    return {line.split()[0]: float(re.search(r"CPU ([0-9.]+) ms", line).group(1))
            for line in open(path) if "CPU" in line}
small, large = cpu(sys.argv[1]), cpu(sys.argv[2])
print(f"{'page':32} {'small ms':>9} {'large ms':>9} {'ratio':>6}")
for page in small:
    print(f"{page:32} {small[page]:9.1f} {large[page]:9.1f} {large[page] / small[page]:6.2f}")
PY
