#!/usr/bin/env bash
# Creates .venv and installs schoolflow with its pinned dependencies, and node_modules with the Node
# packages of the modeler check (npm ci). Safe to run again: it reinstalls only when pyproject.toml or
# package.json / package-lock.json changed. Run by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.schoolflow-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    echo "$want" > "$stamp"
fi
# The Node packages of the modeler check (tests/modeler: bpmnlint, bpmn-moddle), pinned in
# package-lock.json; reinstalled when node_modules is missing or the lock changed.
if command -v npm >/dev/null 2>&1; then
    npm_stamp=node_modules/.schoolflow-installed
    npm_want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
    if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
        npm ci --no-audit --no-fund --update-notifier=false --loglevel=error
        echo "$npm_want" > "$npm_stamp"
    fi
else
    echo "setup: npm not found. The modeler check (tests/modeler) needs Node.js 20 or later with npm;" \
         "install them and run scripts/setup.sh again. Until then those tests fail." >&2
fi
