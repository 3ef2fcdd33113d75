#!/usr/bin/env bash
# The main job on the embedded default (SQLite): set up, deploy the shipped procedures, load the demo
# users, and walk one parent complaint through its tasks as different people, printing each step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python scripts/demo.py
