"""The operator's way to rehearse deadlines: run the CLI under libfaketime and every reading shifts."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"
FAKETIME = shutil.which("faketime")
pytestmark = pytest.mark.skipif(
    FAKETIME is None and os.environ.get("CI") != "true",
    reason="faketime is not installed (scripts/test.sh installs it with apt)",
)


def run(db: str, when: str, *args: str) -> str:
    assert FAKETIME, "faketime is required under CI=true"
    cmd = [FAKETIME, when, sys.executable, "-m", "cli", "--db", db, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_shifted_clock_sets_deadlines_and_fires_escalation(tmp_path):
    db = f"sqlite:///{tmp_path / 'rehearsal.sqlite'}"
    run(db, "2026-09-30 02:00:00", "init-db")
    run(db, "2026-09-30 02:00:00", "users", "add", "ann", "--groups", "office")
    run(db, "2026-09-30 02:00:00", "users", "add", "sam", "--groups", "supervisors")
    run(db, "2026-09-30 02:00:00", "deploy", str(DATA / "escalation.bpmn"))
    run(db, "2026-09-30 02:00:00", "start", "escalation", "--as", "ann")  # 10:00 in Shanghai

    [task] = json.loads(run(db, "2026-09-30 02:00:00", "tasks", "--as", "ann", "--json"))
    assert task["due_at"] == "2026-10-15T17:30:00+08:00"

    # The day before the deadline nothing escalates; the morning after, the supervisors have the case.
    run(db, "2026-10-15 09:00:00", "worker", "--once")
    assert json.loads(run(db, "2026-10-15 09:00:00", "tasks", "--as", "sam", "--json")) == []
    run(db, "2026-10-16 01:00:00", "worker", "--once")
    escalated = json.loads(run(db, "2026-10-16 01:00:00", "tasks", "--as", "sam", "--json"))
    assert [t["name"] for t in escalated] == ["Handle overdue reply"]
