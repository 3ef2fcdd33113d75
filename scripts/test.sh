#!/usr/bin/env bash
# Runs the whole test suite: on SQLite always, and on PostgreSQL too where one is reachable
# (TEST_POSTGRES_URL, default the local server's "test" database; required when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# libfaketime backs the deadline-rehearsal test; install it like any system tool when we can.
if ! command -v faketime >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq faketime) >/dev/null
fi
# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi
# Chinese pages need a Chinese font, or the screenshots show empty boxes.
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh)" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk) >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
