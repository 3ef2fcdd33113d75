#!/usr/bin/env bash
# The main job on the embedded default (SQLite): set up, deploy the shipped procedures, load the demo
# users (passwords printed) and a handful of cases, then serve the web UI on 127.0.0.1. Running it again
# reuses demo.sqlite; pass --reset to start over, --port N for another port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
