"""Loops: what one round of a looping case costs after 0, 100 and 300 rounds (issue #10, point 8).

    .venv/bin/python -m bench.loops            # full run: 3 cases per loop, a few minutes on 2 shared cores
    .venv/bin/python -m bench.loops --quick    # smoke run: 1 case per loop, shorter windows, no unpruned side
    .venv/bin/python -m bench.loops --json PATH  # results file (default bench/results/loops.json)

A round is what a client does to go once round the loop: the task lookup (``queries.task_list`` in a
read-only session, as ``schoolflow tasks``) and one committed transaction around ``runtime.complete_task``,
on a temporary SQLite file migrated with engine.storage.db.upgrade, FakeClock.

follow_up    A three-element loop: XOR-merge -> user task "回访家长" -> XOR(resolved ? archive : back).
p3_measures  The shipped P3 (processes/p3_institution_parent_complaints.bpmn) "落实措施1" loop: its user
             task carries a non-interrupting boundary timer, so each round adds a boundary split and join.
unpruned     follow_up with the engine's pruning switched off (informative, full run only): the growth
             the engine had before, measured in the same run. (P3's loop without pruning fails with a
             RecursionError after about 245 rounds, so it has no unpruned side.)

Per case, the median ms of the rounds in a window starting at round 0, 100 and 300 (``--window`` rounds
each) and the stored state's bytes there. The reference is measured in the same run and at the same
moments: at each checkpoint a fresh case of the same loop starts and its first rounds alternate with the
long case's (who goes first alternates). The ratio is the long case's 300-round window against that fresh
case's first rounds, the median over cases; CPU time and the ratio to the case's own first window are
cross-checks. Target: within 2x. Every case is finished and checked completed. No sleeping.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

import engine.runtime.projection as projection
import engine.runtime.workflow as workflow_module
from bench.engine_overhead import _git_state, _version
from engine import definitions, runtime
from engine.people import users
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.storage.models import Instance, InstanceStatus
from engine.time.clock import FakeClock
from engine.views import queries

TARGET_RATIO = 2.0
CHECKPOINTS = (0, 100, 300)
DEFAULT_JSON = Path(__file__).parent / "results" / "loops.json"
P3_FILE = Path(__file__).resolve().parent.parent / "processes" / "p3_institution_parent_complaints.bpmn"
T0 = datetime(2026, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

FOLLOW_UP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs"
    targetNamespace="http://schoolflow.example/bench">
  <bpmn:process id="bench_follow_up" name="回访直至解决" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="m_call"/>
    <bpmn:userTask id="call" name="回访家长" camunda:candidateGroups="office">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="resolved" label="已解决" type="boolean"/>
        <camunda:formField id="note" label="回访记录" type="string"/>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_resolved" default="f_again"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="m_call"/>
    <bpmn:sequenceFlow id="f_call" sourceRef="m_call" targetRef="call"/>
    <bpmn:sequenceFlow id="f_gw" sourceRef="call" targetRef="gw_resolved"/>
    <bpmn:sequenceFlow id="f_again" sourceRef="gw_resolved" targetRef="m_call"/>
    <bpmn:sequenceFlow id="f_done" sourceRef="gw_resolved" targetRef="end">
      <bpmn:conditionExpression>${resolved == true}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

P3_START = {"complainant_name": "林女士", "complainant_phone": "13700000000", "channel": "wechat",
            "accused_department": "教学部", "accused_name": "周老师", "accused_user": "zhoulaoshi",
            "title": "课堂上讽刺学生", "complaint_detail": "孩子多次被点名讽刺"}
# (user, task name, form data) up to the loop, the loop's round, and the way out of it
P3_BEFORE = [
    ("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teacher_behaviour", "severity": "high",
                     "urgency": "high", "scope": "class"}),
    ("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                       "special_team": False}),
    ("gao", "责任部门调查核实", {"findings": "属实", "founded": True}),
    ("gao", "制定处理方案", {"rectification": "教师书面致歉", "accountability": "扣绩效", "measure_1": "书面致歉",
                       "measure_1_owner": "gao", "measure_1_due": "2026-10-20"}),
    ("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"}),
]
P3_ROUND = ("gao", "落实措施1", {"progress_1": "进行中", "measure_1_done": False})
P3_AFTER = [("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True}),
            ("tan", "确认满意度", {"satisfaction": "very"}),
            ("tan", "归档与分析", {"analysis": "按期整改"})]

FU_ROUND = ("bench", "回访家长", {"resolved": False, "note": "家长仍不满意，下周再访"})
FU_AFTER = [("bench", "回访家长", {"resolved": True, "note": "家长满意"})]

LOOPS: dict[str, dict[str, Any]] = {
    "follow_up": {"key": "bench_follow_up", "starter": "bench", "start": {}, "before": [], "round": FU_ROUND,
                  "after": FU_AFTER, "pruned": True},
    "p3_measures": {"key": "p3_parent_complaint", "starter": "tan", "start": P3_START, "before": P3_BEFORE,
                    "round": P3_ROUND, "after": P3_AFTER, "pruned": True},
    "unpruned": {"key": "bench_follow_up", "starter": "bench", "start": {}, "before": [], "round": FU_ROUND,
                 "after": FU_AFTER, "pruned": False},
}


class Db:
    """A migrated SQLite file with both procedures deployed and their people."""

    def __init__(self, directory: str):
        self.engine = make_engine(f"sqlite:///{Path(directory) / 'loops.sqlite'}")
        upgrade(self.engine)
        self.Session = make_sessionmaker(self.engine)
        self.ReadSession = make_sessionmaker(self.engine, read_only=True)
        self.clock = FakeClock(T0)
        follow_up = Path(directory) / "bench_follow_up.bpmn"
        follow_up.write_text(FOLLOW_UP, encoding="utf-8")
        with self.Session.begin() as s:
            definitions.deploy_path(s, [follow_up, P3_FILE], clock=self.clock)
            # gao: of the department named at assignment (教学部), which P3's investigation reaches
            for name, groups in (("bench", ["office"]), ("tan", ["投诉受理人员"]), ("gao", ["责任部门", "教学部"]),
                                 ("guan", ["管理层"]), ("bai", ["复议小组"]), ("fang", ["专项处理小组"])):
                users.add_user(s, name, clock=self.clock, groups=groups)

    def step(self, instance_id: int, user: str, name: str, data: dict[str, Any]) -> None:
        """One round as a client makes it: look the task up, then complete it in its own transaction."""
        with self.ReadSession() as s:
            rows = [t for t in queries.task_list(s, user) if t.instance_id == instance_id and t.name == name]
        assert len(rows) == 1, f"{user} sees {len(rows)} tasks named {name!r} in case {instance_id}"
        with self.Session.begin() as s:
            runtime.complete_task(s, rows[0].id, user=user, clock=self.clock, data=data)

    def state_bytes(self, instance_id: int) -> int:
        with self.Session() as s:
            return len(s.scalar(sa.select(Instance.state).where(Instance.id == instance_id)) or "")

    def status(self, instance_id: int) -> str:
        with self.Session() as s:
            return str(s.scalar(sa.select(Instance.status).where(Instance.id == instance_id)))


@contextmanager
def pruning(enabled: bool) -> Iterator[None]:
    """Switch the engine's pruning of finished rounds off for the unpruned side, and back on."""
    if enabled:
        yield
        return
    saved = projection.prune_finished_rounds, workflow_module.prune_finished_rounds
    off: Callable[[Any], int] = lambda wf: 0  # noqa: E731
    projection.prune_finished_rounds = workflow_module.prune_finished_rounds = off  # type: ignore[assignment]
    try:
        yield
    finally:
        (projection.prune_finished_rounds,  # type: ignore[assignment]
         workflow_module.prune_finished_rounds) = saved


def start_case(db: Db, loop: dict[str, Any]) -> int:
    """A new case of ``loop``, brought to the first round of its loop."""
    with db.Session.begin() as s:
        started = runtime.start_process(s, loop["key"], user=loop["starter"], clock=db.clock, data=loop["start"])
        iid = started.id
    for user, name, data in loop["before"]:
        db.step(iid, user, name, data)
    return iid


def finish_case(db: Db, loop: dict[str, Any], iid: int) -> None:
    for user, name, data in loop["after"]:
        db.step(iid, user, name, data)
    status = db.status(iid)
    assert status == InstanceStatus.COMPLETED, f"case {iid} ended {status}, not completed"


def timed(db: Db, iid: int, loop: dict[str, Any]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    db.step(iid, *loop["round"])
    return time.perf_counter() - t0, time.process_time() - c0


def run_case(db: Db, loop: dict[str, Any], window: int) -> dict[str, Any]:
    """One case through its loop to round 300 + window, timing the rounds of each checkpoint's window.

    At each checkpoint a fresh case of the same loop starts, and its first rounds alternate with the long
    case's: the reference, measured at the same moments on this shared machine. Both are then finished.
    """
    long_ms: dict[int, list[float]] = {c: [] for c in CHECKPOINTS}
    long_cpu: dict[int, list[float]] = {c: [] for c in CHECKPOINTS}
    fresh_ms: dict[int, list[float]] = {c: [] for c in CHECKPOINTS}
    fresh_cpu: dict[int, list[float]] = {c: [] for c in CHECKPOINTS}
    sizes: dict[int, int] = {}
    with pruning(loop["pruned"]):
        iid = start_case(db, loop)
        r = 0
        for c in CHECKPOINTS:
            while r < c:
                db.step(iid, *loop["round"])
                r += 1
            sizes[c] = db.state_bytes(iid)
            fresh = start_case(db, loop)
            gc.collect()
            for i in range(window):
                pair = [(iid, long_ms, long_cpu), (fresh, fresh_ms, fresh_cpu)]
                for case, wall, cpu in (pair if i % 2 else pair[::-1]):  # who goes first alternates
                    w, t = timed(db, case, loop)
                    wall[c].append(w * 1000)
                    cpu[c].append(t * 1000)
            r += window
            finish_case(db, loop, fresh)
        finish_case(db, loop, iid)
    med = {c: statistics.median(long_ms[c]) for c in CHECKPOINTS}
    ref = {c: statistics.median(fresh_ms[c]) for c in CHECKPOINTS}
    last = CHECKPOINTS[-1]
    return {"ms_per_round": med, "fresh_ms_per_round": ref, "state_bytes": sizes,
            "cpu_ms_per_round": {c: statistics.median(long_cpu[c]) for c in CHECKPOINTS},
            "fresh_cpu_ms_per_round": {c: statistics.median(fresh_cpu[c]) for c in CHECKPOINTS},
            "ratio": med[last] / ref[last], "ratio_to_own_start": med[last] / med[0],
            "ratio_cpu": statistics.median(long_cpu[last]) / statistics.median(fresh_cpu[last]),
            "rounds": r}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 case per loop, 10-round windows")
    ap.add_argument("--cases", type=int, help="cases per loop (default 3; --quick 1)")
    ap.add_argument("--window", type=int, help="rounds timed at each checkpoint (default 30; --quick 10)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})")
    args = ap.parse_args(argv)
    cases = args.cases or (1 if args.quick else 3)
    window = args.window or (10 if args.quick else 30)
    names = ["follow_up", "p3_measures"] + ([] if args.quick else ["unpruned"])
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m bench.loops", *map(shlex.quote, given)])

    per_loop: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as directory:
        db = Db(directory)
        for k in range(cases):  # the loops take turns, so a noisy moment on the machine hits all of them
            for name in names:
                result = run_case(db, LOOPS[name], window)
                per_loop[name].append(result)
                print(f"case {k + 1}/{cases} {name:12s} ms/round " +
                      " ".join(f"{c}:{result['ms_per_round'][c]:.2f}" for c in CHECKPOINTS) +
                      f"  ratio {result['ratio']:.2f}x", file=sys.stderr)
        db.engine.dispose()

    summary: dict[str, Any] = {}
    for name, results in per_loop.items():
        summary[name] = {
            key: {c: statistics.median(r[key][c] for r in results) for c in CHECKPOINTS}
            for key in ("ms_per_round", "fresh_ms_per_round", "cpu_ms_per_round", "fresh_cpu_ms_per_round",
                        "state_bytes")
        } | {
            key: statistics.median(r[key] for r in results)
            for key in ("ratio", "ratio_to_own_start", "ratio_cpu")
        } | {"ratio_min": min(r["ratio"] for r in results), "ratio_max": max(r["ratio"] for r in results)}
    met = all(summary[n]["ratio"] <= TARGET_RATIO for n in names if LOOPS[n]["pruned"])
    results_doc = {
        "benchmark": "loops", "command": command, "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "env": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                "sqlalchemy": sa.__version__, "spiffworkflow": _version("spiffworkflow"),
                "loadavg_at_start": os.getloadavg()[0], **_git_state()},
        "params": {"cases": cases, "window": window, "checkpoints": list(CHECKPOINTS)},
        "loops": summary, "cases": per_loop, "target_ratio": TARGET_RATIO, "target_met": met,
    }

    print(f"loops | Python {platform.python_version()} | SQLAlchemy {sa.__version__} | "
          f"cpus={os.cpu_count()} | "
          f"{cases} case(s) per loop, median of {window} rounds at each checkpoint")
    print(f"{'loop':12s} " + " ".join(f"{'ms @' + str(c):>8s}" for c in CHECKPOINTS) + f" {'fresh@300':>9s} "
          + " ".join(f"{'KB @' + str(c):>7s}" for c in CHECKPOINTS)
          + f" {'ratio':>6s} {'(min-max)':>11s} {'cpu':>6s} {'300/0':>6s}")
    for name in names:
        s = summary[name]
        print(f"{name:12s} " + " ".join(f"{s['ms_per_round'][c]:8.2f}" for c in CHECKPOINTS)
              + f" {s['fresh_ms_per_round'][CHECKPOINTS[-1]]:9.2f} "
              + " ".join(f"{s['state_bytes'][c] / 1024:7.1f}" for c in CHECKPOINTS)
              + f" {s['ratio']:5.2f}x {s['ratio_min']:5.2f}-{s['ratio_max']:<5.2f} {s['ratio_cpu']:5.2f}x"
              + f" {s['ratio_to_own_start']:5.2f}x")
    print("ratio: a round after 300 rounds against a fresh case's first rounds, alternated with it; "
          "cpu: the same in CPU time; 300/0: against the case's own first rounds")
    print(f"target: a round after 300 rounds within {TARGET_RATIO}x of the first rounds (pruned loops): "
          f"{'MET' if met else 'NOT MET'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results_doc, indent=1))
    print(f"wrote {args.json}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
