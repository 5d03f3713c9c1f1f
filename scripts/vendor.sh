#!/usr/bin/env bash
# Re-fetch the vendored front-end files from the npm registry (pinned versions)
# into portal/static/vendor/, each with its licence. Nothing is loaded from a CDN.
# Usage: scripts/vendor.sh   (or: make vendor)
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=portal/static/vendor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fetch() {  # fetch NAME@VERSION DEST FILE...   (paths inside the package)
  local spec=$1 dest=$2; shift 2
  (cd "$TMP" && npm pack --silent "$spec" >/dev/null 2>&1)
  local tgz; tgz=$(ls -t "$TMP"/*.tgz | head -1)
  rm -rf "$TMP/package"; tar -xzf "$tgz" -C "$TMP"; rm -f "$tgz"
  mkdir -p "$VENDOR/$dest"
  for file in "$@"; do cp "$TMP/package/$file" "$VENDOR/$dest/"; done
  for lic in LICENSE LICENSE.md LICENSE.txt LICENCE MIT-LICENCE.txt MIT-LICENSE.txt; do
    [ -f "$TMP/package/$lic" ] && cp "$TMP/package/$lic" "$VENDOR/$dest/LICENSE" && break
  done
  echo "$spec" > "$VENDOR/$dest/VERSION"
  echo "vendored $spec -> $VENDOR/$dest"
}

fetch htmx.org@2.0.11 htmx dist/htmx.min.js
fetch axe-core@4.11.4 axe-core axe.min.js
fetch leaflet@1.9.4 leaflet dist/leaflet.js dist/leaflet.css
mkdir -p "$VENDOR/leaflet/images"
(cd "$TMP" && npm pack --silent leaflet@1.9.4 >/dev/null 2>&1 && tar -xzf leaflet-1.9.4.tgz && cp package/dist/images/* "$OLDPWD/$VENDOR/leaflet/images/")
fetch leaflet.markercluster@1.5.3 leaflet.markercluster dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css
