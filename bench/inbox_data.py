"""A database holding many open tasks, written in bulk, for the inbox benchmarks (``bench.inbox``).

One case per procedure is started through the engine (``runtime.start_process``); its instance, case,
task and candidate rows are then copied with new ids, case numbers, due times, priorities, assignees and
candidate groups, so the rows are the ones the engine writes (the instance state carries the copy's own
task id), at the cost of a few bulk statements instead of 100,000 engine starts. The audit log is not
copied: the inbox does not read it.

The viewer ``clerk`` (group ``office``) sees ``share`` of the ``total`` open tasks:

- 1 in 10 of them assigned to ``clerk`` (view "mine");
- 1 in 50 assigned to ``absent``, whom ``clerk`` covers now (view "covered"; their group is not clerk's);
- the rest the unclaimed queue of ``office``;

and does not see ``share / 100`` more tasks of ``office`` whose procedure keeps ``clerk`` away
(``excludeUsers``), nor the tasks of the nine other groups, some of them claimed by their members.
Due times are spread from five days ago to 25 days ahead (1 in 20 without one), priorities 0-100.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine import definitions, runtime
from engine.people import passwords, substitution, users
from engine.storage import store
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.time.clock import Clock

VIEWER, ABSENT, PASSWORD = "clerk", "absent", "bench password 7"
PROCEDURES = {"inbox_visit": "来访登记", "inbox_complaint": "投诉处理", "inbox_archive": "档案查阅",
              "inbox_parents": "家长沟通"}
OTHER_GROUPS = [f"group{k}" for k in range(9)]
_NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
       'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')


def _bpmn(key: str, name: str) -> bytes:
    # The complaint keeps its accused away (excludeUsers), like the shipped complaint procedures.
    props = ('<bpmn:extensionElements><camunda:properties>'
             '<camunda:property name="excludeUsers" value="${accused}"/></camunda:properties>'
             '</bpmn:extensionElements>') if key == "inbox_complaint" else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {_NS} id="d" targetNamespace="bench">'
            f'<bpmn:process id="{key}" name="{name}" isExecutable="true">{props}<bpmn:startEvent id="start"/>'
            '<bpmn:userTask id="handle" name="办理" camunda:candidateGroups="office" '
            'camunda:priority="50">'
            '<bpmn:extensionElements><camunda:formData>'
            '<camunda:formField id="note" label="意见" type="string"/></camunda:formData>'
            '</bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="end"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()


@dataclass(frozen=True)
class Filled:
    total: int
    visible: int  # what clerk's "all" count must say
    counts: dict[str, int]  # clerk's expected count per view


def _template(conn: sa.Connection, instance_id: int) -> dict[str, Any]:
    instance = dict(conn.execute(sa.select(store.INSTANCES).where(store.INSTANCES.c.id == instance_id)).one()._mapping)
    case = dict(conn.execute(sa.select(store.CASES).where(store.CASES.c.instance_id == instance_id)).one()._mapping)
    task = dict(conn.execute(sa.select(store.TASKS).where(store.TASKS.c.instance_id == instance_id)).one()._mapping)
    candidates = [dict(r._mapping) for r in conn.execute(
        sa.select(store.CANDIDATES).where(store.CANDIDATES.c.task_id == task["id"]))]
    return {"instance": instance, "case": case, "task": task, "candidates": candidates}


def fill(url: str, total: int, share: int, clock: Clock) -> Filled:
    """A fresh schema at ``url`` with ``total`` open tasks, ``share`` of them visible to ``clerk``."""
    engine = make_engine(url)
    upgrade(engine)
    now = clock.now()
    with make_sessionmaker(engine).begin() as s:
        for key, name in PROCEDURES.items():
            definitions.deploy_file(s, _bpmn(key, name), f"{key}.bpmn", clock=clock)
        users.add_user(s, VIEWER, clock=clock, groups=["office"])
        passwords.set_password(s, VIEWER, PASSWORD)
        users.add_user(s, ABSENT, clock=clock, groups=["annex"])
        users.add_user(s, "starter", clock=clock, groups=["office"])
        for g in OTHER_GROUPS:
            users.add_user(s, f"member_{g}", clock=clock, groups=[g])
        substitution.arrange(s, ABSENT, VIEWER, now - timedelta(hours=1), now + timedelta(days=30), clock=clock,
                             reason="benchmark")
        started = [runtime.start_process(s, key, user="starter", clock=clock, data={"accused": "nobody"}).id
                   for key in PROCEDURES]
    with engine.begin() as conn:
        templates = [_template(conn, i) for i in started]
        for table in (store.CANDIDATES, store.TASKS, store.CASES):
            conn.execute(table.delete())
        conn.execute(store.INSTANCES.delete())
        counts = {"all": 0, "mine": 0, "queue": 0, "covered": 0, "overdue": 0}
        step = total // share
        chunk = 5000
        for start in range(0, total, chunk):
            rows: dict[str, list[dict[str, Any]]] = {"i": [], "c": [], "t": [], "k": []}
            for i in range(start, min(total, start + chunk)):
                t = templates[(i + i // step) % len(templates)]
                task_id = str(uuid.uuid4())
                due = None if i % 20 == 7 else now + timedelta(minutes=(i * 7919) % 43200 - 7200)
                assignee, group, excluded = None, OTHER_GROUPS[i % 9], None
                if i % step == 0:  # one of clerk's
                    j = i // step
                    group = "office"
                    if j % 10 == 0:
                        assignee = VIEWER
                    elif j % 50 == 1:
                        assignee, group = ABSENT, "annex"
                elif i % step == step // 2 and (i // step) % 100 == 0 and t["instance"]["process_key"] == "inbox_complaint":
                    group, excluded = "office", VIEWER  # kept away from clerk
                elif i % 3 == 0:
                    assignee = f"member_{group}"
                if group in ("office", "annex") and excluded is None:
                    counts["all"] += 1
                    counts["mine" if assignee == VIEWER else "covered" if assignee == ABSENT else "queue"] += 1
                    counts["overdue"] += bool(due and due < now)
                iid = i + 1
                state = t["instance"]["state"].replace(t["task"]["id"], task_id)
                rows["i"].append({**t["instance"], "id": iid, "state": state})
                rows["c"].append({**{k: v for k, v in t["case"].items() if k != "id"}, "instance_id": iid,
                                  "number": f"BI-2026-{iid:06d}"})
                rows["t"].append({**t["task"], "id": task_id, "instance_id": iid, "assignee": assignee,
                                  "due_at": due, "priority": (i * 31) % 101})
                for c in t["candidates"]:
                    name = c["name"]
                    if c["kind"] == "group":
                        name = group
                    elif c["kind"] == "excluded":
                        name = excluded or "nobody"
                    rows["k"].append({**c, "task_id": task_id, "name": name})
            conn.execute(sa.insert(store.INSTANCES), rows["i"])
            conn.execute(sa.insert(store.CASES), rows["c"])
            conn.execute(sa.insert(store.TASKS), rows["t"])
            conn.execute(sa.insert(store.CANDIDATES), rows["k"])
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('instances', 'id'), {total})")
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load: statistics for the planner, and the visibility map
        # that lets the covering indexes answer without visiting the tables. (SQLite gets no ANALYZE: a
        # school's server would not run one either.)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return Filled(total, counts["all"], counts)


def dump(filled: Filled) -> str:
    return json.dumps({"total": filled.total, "visible": filled.visible, "counts": filled.counts})
