"""Timer rows in step with the workflow: due times computed by the engine, stale timers cancelled."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.storage import store
from engine.storage.models import TimerStatus
from engine.scripting import Evaluator
from engine.spiff.host_timers import FIRED, LAST_CYCLE, PENDING_CYCLES, is_event_subprocess, timer_definition, timer_type
from engine.time.timer_math import Cycle, due_time

CYCLE = "cycle"  # internal_data key holding a cycle timer's state


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, Any]:
    return {str(t.id): t for t in workflow.get_tasks(state=SpiffState.WAITING) if timer_definition(t.task_spec)}


def timer_kind(task: Any) -> str:
    spec = task.task_spec
    if isinstance(spec, StartEvent):
        return "start" if task.workflow is task.workflow.top_workflow else "event_subprocess"
    return "boundary" if type(spec).__name__ == "BoundaryEvent" else "intermediate"


def compute_due(task: Any, evaluator: Evaluator, now: datetime) -> tuple[datetime, Cycle | None]:
    """When a timer that just started waiting is due (and its cycle, for repeating timers).

    :raises ScriptError: the timer's expression fails or gives no usable time.
    """
    definition = timer_definition(task.task_spec)
    return due_time(timer_type(definition), definition.expression or "",
                    lambda text: evaluator.evaluate(text, task.data), now, evaluator.school_time)


def sync_timers(conn: sa.Connection, instance_id: int, waiting: dict[str, Any], evaluator: Evaluator,
                now: datetime, before: frozenset[str]) -> None:
    """Create rows for timers that started waiting; cancel rows whose timer no longer waits.

    ``waiting``: the timer tasks waiting now, by id; ``before``: those that were waiting (and had rows)
    when the workflow was loaded.
    """
    store.cancel_timers(conn, [t for t in before if t not in waiting])  # its activity finished first
    rows = []
    new = {i: t for i, t in waiting.items() if i not in before}
    boundaries = {t.task_spec.bpmn_id for t in new.values() if timer_kind(t) == "boundary"}
    fired = store.fired_deadlines(conn, instance_id, boundaries) if boundaries else set()
    for timer_id, task in new.items():
        due, cycle = compute_due(task, evaluator, now)
        if cycle is None and (task.task_spec.bpmn_id, due) in fired:
            # A task re-created by a loop keeps its deadline; that deadline's escalation already happened,
            # so the timer waits without a row and never fires again (the task still shows as overdue).
            continue
        if cycle is not None:
            task.internal_data[CYCLE] = cycle.to_json()
        rows.append({"id": timer_id, "instance_id": instance_id, "bpmn_id": task.task_spec.bpmn_id,
                     "kind": timer_kind(task), "status": TimerStatus.WAITING, "due_at": due, "created_at": now,
                     "fired_at": None})
    store.insert_timers(conn, rows)


@dataclass
class Firing:
    """What firing a timer did to its row: the row's new status and due time."""

    status: TimerStatus
    due_at: datetime
    cycle: bool = False  # a repeating timer's round


def fire(task: Any, due_at: datetime, now: datetime) -> Firing:
    """Fire one waiting timer task (a cycle timer stays waiting for its next round)."""
    if CYCLE not in task.internal_data:
        task._set_internal_data(**{FIRED: True})
        return Firing(TimerStatus.FIRED, due_at)
    task._set_internal_data(**{PENDING_CYCLES: task._get_internal_data(PENDING_CYCLES, 0) + 1})
    following = Cycle.from_json(task.internal_data[CYCLE]).advance(now)
    if following is None:
        task.internal_data.pop(CYCLE)
        task._set_internal_data(**{LAST_CYCLE: True})
        return Firing(TimerStatus.FIRED, due_at, cycle=True)
    task.internal_data[CYCLE] = following.to_json()
    return Firing(TimerStatus.WAITING, following.next_due, cycle=True)


def interrupt_scope(task: Any) -> None:
    """Cancel everything else in the scope of the event subprocess whose timer start event ``task`` is.

    SpiffWorkflow 3.2 ignores ``isInterrupting`` and runs every timer event subprocess alongside the
    work it watches; an interrupting one must end that work (and the other event subprocesses) first.
    """
    sub = task.workflow
    owner = sub.top_workflow.get_task_from_id(sub.parent_task_id)  # the event subprocess task
    if owner is None or not is_event_subprocess(owner):
        return  # a called process's own timer start event interrupts nothing of its caller
    scope = owner.workflow
    for other in list(scope.tasks.values()):
        if (other.id not in scope.tasks or not other.has_state(SpiffState.NOT_FINISHED_MASK)
                or other is owner or owner.is_descendant_of(other) or other.is_descendant_of(owner)
                or type(other.task_spec).__name__ == "_EndJoin"):
            continue
        other.cancel()


def fire_start_timers(workflow: BpmnWorkflow) -> bool:
    """A case started by hand or by its schedule begins now: its own timer start events fire at once."""
    fired = False
    for task in waiting_timers(workflow).values():
        if timer_kind(task) != "start":
            continue
        if timer_type(timer_definition(task.task_spec)) == "cycle":
            # A cycle event takes its outgoing flow only in the branches its rounds add; completing it adds
            # none. Setting FIRED alone started every case of a timeCycle start event (a schedule's, or
            # one started by hand) with no task at all, completed at once. So run exactly one last round.
            task._set_internal_data(**{PENDING_CYCLES: 1, LAST_CYCLE: True})
            task.task_spec._update(task)
        else:
            task._set_internal_data(**{FIRED: True})
        fired = True
    return fired
