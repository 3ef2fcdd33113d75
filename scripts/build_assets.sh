#!/usr/bin/env bash
# Build the browser bundles under webui/static/vendor/ from the npm packages pinned in package-lock.json.
# The output is committed, so a fresh clone serves the pages without Node.js; run this again after
# changing a pinned package or an entry in webui/frontend/ (CI may rebuild and check `git diff` is empty).
# Later entries (a modeler) are added to ENTRIES.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund
ENTRIES=(webui/frontend/viewer.js)
node_modules/.bin/esbuild "${ENTRIES[@]}" --bundle --format=esm --minify --target=es2020 \
  --outdir=webui/static/vendor --entry-names='[name]' --asset-names='fonts/[name]-[hash]' \
  --loader:.woff=file --loader:.woff2=file --loader:.ttf=file --loader:.eot=file --loader:.svg=file \
  --log-level=warning
# Vendored htmx and others live beside these bundles; only what this script writes is listed here.
ls -l webui/static/vendor/viewer.* webui/static/vendor/fonts/
