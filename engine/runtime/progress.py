"""How far a case has come: its user tasks done and waiting, in the order they happened, and its data.

Read-only: the state is loaded and looked at, nothing runs and nothing is saved. Called by
``engine.views.tracking`` for the complainant's view of their case, and (``elements_passed``) by
``engine.views.case_detail`` to mark the case's diagram. The steps done come from the audit log, in the
order they were completed: the task tree forgets a loop's finished rounds (``engine.spiff.task_tree``),
the log never does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from engine.time.clock import FakeClock
from engine.definitions.evaluation import make_evaluator
from engine.storage.models import AuditEvent, HumanTask, Instance, TaskState
from engine.runtime.projection import case_data, waiting_now
from engine.runtime.workflow import load_workflow, script_engine


@dataclass(frozen=True)
class Step:
    task_id: str  # also the id of its ``human_tasks`` row
    name: str
    done: bool


@dataclass(frozen=True)
class Progress:
    steps: list[Step]  # the completed user tasks in the order they were completed, then the waiting ones
    data: dict[str, Any]


def case_progress(session: Session, instance: Instance, now: datetime) -> Progress:
    """The user tasks of ``instance`` done so far and waiting now, and the case's data."""
    # The restricted script engine is attached although nothing runs here (so its clock may stand still
    # at ``now``): a loaded workflow must never carry SpiffWorkflow's unrestricted default.
    evaluator = make_evaluator(session, instance.definition, FakeClock(now), {})
    definition = instance.definition
    workflow = load_workflow(definition, instance.state, script_engine(evaluator, definition))
    ready = sorted(waiting_now(workflow, timers=False)[0].values(), key=lambda t: t.last_state_change)
    steps = _done(session, instance.id)
    steps += [Step(str(t.id), t.task_spec.bpmn_name or t.task_spec.bpmn_id, False) for t in ready]
    return Progress(steps, case_data(workflow))


@dataclass(frozen=True)
class Elements:
    completed: list[str]  # BPMN ids of the elements the case has passed, in the order first reached
    waiting_events: list[str]  # intermediate catch events (a timer, a message) the case waits at now


def elements_passed(session: Session, instance: Instance, now: datetime) -> Elements:
    """Which BPMN elements of ``instance`` are completed, and which catch events it waits at."""
    definition = instance.definition
    evaluator = make_evaluator(session, definition, FakeClock(now), {})
    workflow = load_workflow(definition, instance.state, script_engine(evaluator, definition))
    processes = {s.name for s in (workflow.spec, *workflow.subprocess_specs.values())}
    completed = [i for i in dict.fromkeys(t.task_spec.bpmn_id for t in workflow.get_tasks(
        state=SpiffState.COMPLETED)) if i and i not in processes]
    # A boundary event waits beside its task and is not itself where the case stands.
    waiting = sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=SpiffState.WAITING)
                      if t.task_spec.bpmn_id and type(t.task_spec).__name__ == "IntermediateCatchEvent"})
    # A pruned loop's earlier rounds are gone from the tree, not from the task rows.
    rows = session.scalars(sa.select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.COMPLETED).order_by(
        HumanTask.completed_at))
    completed += [i for i in dict.fromkeys(rows) if i not in completed]
    return Elements(completed, waiting)


def _done(session: Session, instance_id: int) -> list[Step]:
    """The user tasks completed, in the order of their ``task.completed`` events (a loop's task once a round).

    The engine's clock may not have moved between two completions, so the log's order decides, not a time.
    """
    done = {r.id: r.name or r.bpmn_id for r in session.execute(
        sa.select(HumanTask.id, HumanTask.name, HumanTask.bpmn_id)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == TaskState.COMPLETED))}
    order = (json.loads(payload).get("task_id") for payload in session.scalars(
        sa.select(AuditEvent.payload)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == "task.completed")
        .order_by(AuditEvent.seq)))
    return [Step(task_id, done.pop(task_id), True) for task_id in order if task_id in done]
