#!/usr/bin/env bash
# Regenerate the single initial migration from the models. Allowed only while
# no database outside development has been migrated (before the first release):
# afterwards, add normal Alembic revisions with `flask db migrate`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*.py
export DATABASE_URL="sqlite:///$tmp/regen.sqlite3" FLASK_APP=wsgi FLASK_DEBUG=1 PORTAL_INSTANCE_DIR="$tmp"
.venv/bin/flask db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
file=$(ls migrations/versions/0001_*.py)
# Full-text search objects (portal/models/extras.py) at the end of upgrade().
python3 - "$file" <<'PY'
import sys, re
path = sys.argv[1]
src = open(path).read()
src = src.replace("def downgrade():", "    from portal.models.extras import create_extras\n    create_extras(op.get_bind())\n\n\ndef downgrade():", 1)
open(path, "w").write(src)
PY
.venv/bin/ruff format -q "$file" 2>/dev/null || true
echo "regenerated $file"
