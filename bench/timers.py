#!/usr/bin/env python
"""Timer firing throughput and delay on PostgreSQL.

    .venv/bin/python -m bench.timers [--instances 10000] [--steady 500] [--json PATH] [--quick]

(1) N instances whose timers are all due: time for one worker process to fire them all, then (fresh
    instances) for two worker processes sharing the work through SKIP LOCKED claims.
(2) Steady state: a real worker (`schoolflow worker`, default interval) runs while timers come due at
    spread-out moments over real time; the delay between due time and firing, p50 and p99.
Each run uses a private schema in the PostgreSQL test database (TEST_POSTGRES_URL).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from engine import definitions, runtime
from engine.people import users
from engine.time.clock import FakeClock, SystemClock
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.storage.models import Timer, TimerStatus

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BPMN = Path(__file__).with_name("timer_process.bpmn")
T0 = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)


def schema_url(schema: str) -> str:
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"


def fresh_schema() -> tuple[str, str]:
    schema = f"sf_bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(PG_URL).begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = schema_url(schema)
    upgrade(make_engine(url))
    return schema, url


def drop_schema(schema: str) -> None:
    with sa.create_engine(PG_URL).begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def seed(url: str, clock, dues: list[datetime]) -> None:  # type: ignore[no-untyped-def]
    Session = make_sessionmaker(make_engine(url))
    with Session.begin() as s:
        definitions.deploy_path(s, [BPMN], clock=clock)
        users.add_user(s, "bench", clock=clock, groups=["office"])
    for i in range(0, len(dues), 500):
        with Session.begin() as s:
            for due in dues[i:i + 500]:
                runtime.start_process(s, "bench_timer", user="bench", clock=clock, data={"due": due.isoformat()})


WORKER = """
import sys, time
from datetime import datetime
from engine.time.clock import FakeClock
from engine.storage.db import make_engine, make_sessionmaker
from engine.runtime.sweeps import fire_due
Session = make_sessionmaker(make_engine(sys.argv[1]))
clock = FakeClock(datetime.fromisoformat(sys.argv[2]))
with Session() as s:
    s.connection()  # connect before the clock starts, as a long-running worker is connected
began = time.time()
r = fire_due(Session, clock)
print(r.fired, began, time.time())
"""


def fire_with(url: str, workers: int, at: datetime) -> tuple[float, float, int]:
    """Start ``workers`` worker processes at once; (firing seconds, wall seconds incl. start-up, fired).

    Firing seconds run from the first worker's first claim to the last worker's end: a worker's
    interpreter start-up and imports (about 1.5 s here) are not timer throughput.
    """
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, at.isoformat()], stdout=subprocess.PIPE,
                              text=True) for _ in range(workers)]
    outs = [p.communicate()[0].split() for p in procs]
    wall = time.perf_counter() - started
    fired = sum(int(o[0]) for o in outs)
    return max(float(o[2]) for o in outs) - min(float(o[1]) for o in outs), wall, fired


def bulk(n: int, workers: int) -> dict[str, float]:
    schema, url = fresh_schema()
    try:
        seed(url, FakeClock(T0), [T0 + timedelta(minutes=1)] * n)
        seconds, wall, fired = fire_with(url, workers, T0 + timedelta(hours=1))
        with make_sessionmaker(make_engine(url))() as s:
            done = s.scalar(sa.select(sa.func.count()).select_from(Timer).where(Timer.status == TimerStatus.FIRED))
        assert fired == n == done, (fired, n, done)
        return {"workers": workers, "timers": n, "seconds": seconds, "wall_seconds_with_startup": wall,
                "firings_per_s": n / seconds,
                "per_worker_per_s": n / seconds / workers}
    finally:
        drop_schema(schema)


def library(n: int) -> dict[str, float]:
    """Reference: the same firing done by SpiffWorkflow alone, in memory, in this process (no database).

    Per timer: restore the instance state (spec cached), mark the timer fired, refresh, run on to the
    user task, serialize again -- what any engine built on the library has to do. schoolflow's own timer
    classes and codec are used because the library's timers read the wall clock themselves.
    """
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from engine.definitions.spiff_parser import SchoolParser
    from engine.spiff.codec import codec
    from engine.spiff.host_timers import FIRED, install_host_timers

    parser = SchoolParser()
    parser.add_bpmn_file(str(BPMN))
    specs = (parser.get_spec("bench_timer"), parser.get_subprocess_specs("bench_timer"))
    install_host_timers([specs[0], *specs[1].values()])
    states = []
    for _ in range(n):
        wf = BpmnWorkflow(*specs)
        wf.task_tree.data["due"] = T0.isoformat()
        wf.do_engine_steps()
        states.append(codec.dump_state(wf))
    t0, c0 = time.perf_counter(), time.process_time()
    for state in states:
        wf = codec.load_state(state, specs)
        [task] = wf.get_tasks(state=TaskState.WAITING)
        task._set_internal_data(**{FIRED: True})
        wf.refresh_timers()
        wf.do_engine_steps()
        assert wf.get_tasks(state=TaskState.READY, manual=True)
        codec.dump_state(wf)
    seconds = time.perf_counter() - t0
    return {"timers": n, "seconds": seconds, "cpu_seconds": time.process_time() - c0, "firings_per_s": n / seconds}


def steady(n: int, spread_s: float) -> dict[str, float]:
    schema, url = fresh_schema()
    try:
        lead = 5.0  # seconds to seed before the first timer comes due
        base = datetime.now(UTC) + timedelta(seconds=lead + n * 0.004)
        dues = [base + timedelta(seconds=spread_s * i / n) for i in range(n)]
        seed(url, SystemClock(), dues)
        worker = subprocess.Popen([sys.executable, "-m", "cli", "--db", url, "worker"], stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + spread_s + lead + 60
            Session = make_sessionmaker(make_engine(url))
            while time.monotonic() < deadline:
                with Session() as s:
                    left = s.scalar(sa.select(sa.func.count()).select_from(Timer)
                                    .where(Timer.status == TimerStatus.WAITING))
                if not left:
                    break
                time.sleep(0.5)  # a benchmark watching real time, not a test
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        with make_sessionmaker(make_engine(url))() as s:
            rows = s.execute(sa.select(Timer.due_at, Timer.fired_at).where(Timer.status == TimerStatus.FIRED)).all()
        delays = sorted((f - d).total_seconds() for d, f in rows)
        q = statistics.quantiles(delays, n=100)
        return {"timers": n, "fired": len(delays), "spread_s": spread_s, "p50_s": statistics.median(delays),
                "p99_s": q[98], "max_s": delays[-1]}
    finally:
        drop_schema(schema)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=int, default=10_000)
    ap.add_argument("--steady", type=int, default=500)
    ap.add_argument("--spread", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true", help="1,000 instances, 100 steady timers")
    ap.add_argument("--json", default="bench/results/timers.json")
    a = ap.parse_args()
    if a.quick:
        a.instances, a.steady, a.spread = 1000, 100, 10.0
    ref_before = library(min(a.instances, 2000))
    one, two = bulk(a.instances, 1), bulk(a.instances, 2)
    ref_after = library(min(a.instances, 2000))
    ref = min((ref_before, ref_after), key=lambda r: r["firings_per_s"])  # the slower: the fairer floor
    st = steady(a.steady, a.spread)
    print(f"{'workers':>8} {'timers':>8} {'seconds':>8} {'firings/s':>10} {'per worker/s':>13}")
    for r in (one, two):
        print(f"{r['workers']:>8} {r['timers']:>8} {r['seconds']:>8.1f} {r['firings_per_s']:>10.0f} "
              f"{r['per_worker_per_s']:>13.0f}")
    print(f"steady state: {st['fired']}/{st['timers']} timers over {st['spread_s']:.0f} s, "
          f"delay p50 {st['p50_s']:.2f} s, p99 {st['p99_s']:.2f} s, max {st['max_s']:.2f} s")
    print(f"two workers vs one: {two['firings_per_s'] / one['firings_per_s']:.2f}x")
    print(f"reference, SpiffWorkflow alone in memory: {ref_before['firings_per_s']:.0f} and "
          f"{ref_after['firings_per_s']:.0f} firings/s (before/after); one worker costs "
          f"{ref['firings_per_s'] / one['firings_per_s']:.2f}x the library per firing")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps({"one_worker": one, "two_workers": two, "steady": st,
                                        "library_reference": [ref_before, ref_after],
                                        "ratio_one_worker_to_library": ref["firings_per_s"] / one["firings_per_s"],
                                        "command": " ".join(sys.argv)}, indent=2))


if __name__ == "__main__":
    main()
