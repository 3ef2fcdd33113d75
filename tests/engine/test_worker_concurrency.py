"""At most once and at least once: concurrent workers, and a worker killed in the middle of its work.

Each firing claims its timer row with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it fired in the
same transaction as the case's state change, so two workers never fire a timer twice, and a worker
killed with SIGKILL leaves every unfinished firing to be done again by the next worker. No test waits
for a timer: the timers are made due by the fake clock; only a database count is polled.
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from engine import runtime
from engine.cases import audit
from engine.runtime import sweeps
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import AuditEvent, HumanTask, TaskState, Timer, TimerStatus
from tests.helpers import Harness

ROOT = Path(__file__).resolve().parents[2]

# A worker process on a fixed fake time (the timers were made due relative to it), sweeping in small
# batches until nothing is due, as ``schoolflow worker`` does with --limit.
WORKER = """
import os
from datetime import datetime
from engine.time.clock import FakeClock
from engine.storage.db import make_engine, make_sessionmaker
from engine.runtime.sweeps import fire_due

clock = FakeClock(datetime.fromisoformat(os.environ["SF_TEST_NOW"]))
Session = make_sessionmaker(make_engine(os.environ["SF_TEST_DB"]))
while fire_due(Session, clock, limit=1).total:
    print("fired", flush=True)  # one line per committed firing: the test watches these, not the clock
"""
KILLED = "sf_killed_worker"


def start_many(harness: Harness, n: int, per_transaction: int = 250) -> None:
    """Start ``n`` cases of the one-hour process in a few transactions (one per case would be slow)."""
    harness.deploy("timer_load.bpmn")
    harness.user("ann", "office")
    for offset in range(0, n, per_transaction):
        with harness.Session.begin() as s:
            for _ in range(min(per_transaction, n - offset)):
                runtime.start_process(s, "timer_load", user="ann", clock=harness.clock)


def fired_once_each(Session: sessionmaker[Session], n: int) -> None:  # noqa: N803
    """Every timer fired, exactly once, and every case moved on exactly once; the audit chain holds."""
    with Session() as s:
        statuses = Counter(dict(s.execute(
            sa.select(Timer.status, sa.func.count()).group_by(Timer.status)).all()))
        assert statuses == Counter({TimerStatus.FIRED: n})
        fired = Counter(s.scalars(sa.select(AuditEvent.instance_id).where(AuditEvent.kind == "timer.fired")))
        assert len(fired) == n and set(fired.values()) == {1}
        open_tasks = Counter(s.scalars(
            sa.select(HumanTask.instance_id).where(HumanTask.state == TaskState.OPEN)))
        assert len(open_tasks) == n and set(open_tasks.values()) == {1}
        assert set(open_tasks) == set(fired)
        report = audit.verify_chain(s)
        assert report.ok, report.reason


def progress(Session: sessionmaker[Session]) -> tuple[int, int, int]:  # noqa: N803
    """(timer rows fired, timer.fired events, cases with their task) — equal whenever a commit is whole."""

    def count(model: type, condition: sa.ColumnElement[bool]) -> int:
        return int(s.scalar(sa.select(sa.func.count()).select_from(model).where(condition)) or 0)

    with Session() as s:
        return (count(Timer, Timer.status == TimerStatus.FIRED),
                count(AuditEvent, AuditEvent.kind == "timer.fired"),
                count(HumanTask, HumanTask.state == TaskState.OPEN))


@pytest.mark.postgres_only
def test_two_workers_fire_a_thousand_due_timers_each_exactly_once(harness, db_url, Session, clock):
    n = 1000
    start_many(harness, n)
    clock.advance(hours=1)  # every timer is due now
    engines = [make_engine(db_url) for _ in range(2)]
    results: list[sweeps.SweepResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(engine: sa.Engine) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(sweeps.fire_due(make_sessionmaker(engine), clock))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "a worker hung"
    finally:
        for e in engines:
            e.dispose()
    assert errors == []
    assert sum(r.fired for r in results) == n
    assert [r.failed for r in results] == [0, 0]
    assert all(r.fired > 0 for r in results), f"one worker did everything: {results}"
    fired_once_each(Session, n)
    assert sweeps.fire_due(Session, clock).total == 0


def test_a_worker_killed_mid_batch_leaves_nothing_fired_twice_or_lost(harness, db_url, Session, clock):
    n = 400
    start_many(harness, n, per_transaction=200)
    now = clock.advance(hours=1)
    env = {**os.environ, "SF_TEST_DB": db_url, "SF_TEST_NOW": now.isoformat(),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}

    worker_url = db_url + (f"&application_name={KILLED}" if db_url.startswith("postgresql") else "")
    worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT,
                              env={**env, "SF_TEST_DB": worker_url},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        # Blocks until the worker has reported 20 committed firings.
        reported = sum(1 for _ in itertools.islice(worker.stdout, 20))
        assert reported == 20 and worker.poll() is None, "the worker ended before 20 firings"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
        worker.stdout.close()  # type: ignore[union-attr]
        worker.stderr.close()  # type: ignore[union-attr]
    assert worker.returncode == -signal.SIGKILL
    if db_url.startswith("postgresql"):
        # The server learns of the dead client asynchronously; end its session (and wait for that) so
        # the row it may have held is free, as it would be by the time a real worker restarts.
        admin = sa.create_engine(db_url)
        with admin.begin() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                                 "WHERE application_name = :name"), {"name": KILLED})
        admin.dispose()

    fired, events, tasks = progress(Session)
    print(f"killed after {fired} of {n} firings")
    assert 20 <= fired < n, "kill the worker while it still had work"
    assert fired == events == tasks  # the firing it was in the middle of left no trace at all

    restarted = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=120)
    assert restarted.returncode == 0, restarted.stderr
    fired_once_each(Session, n)
    assert sweeps.fire_due(Session, clock).total == 0
