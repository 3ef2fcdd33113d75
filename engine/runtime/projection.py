"""Keeping the query tables (human tasks, case record) in step with the workflow state.

Runs at the end of every operation on an instance, in the same transaction as the state it mirrors.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.storage import store
from engine.people.assignment import EXCLUDE_PROPERTY, assign
from engine.cases.records import case_columns
from engine.errors import InstanceError, ScriptError
from engine.definitions.evaluation import LazyMapping
from engine.definitions.forms import form_fields
from engine.storage.models import CandidateKind, Definition, InstanceStatus, TaskState
from engine.scripting import Evaluator, is_expression
from engine.spiff.codec import codec
from engine.spiff.host_timers import timer_definition
from engine.spiff.task_tree import is_finished, prune_finished_rounds
from engine.storage.store import InstanceRow
from engine.time.timer_math import resolve_moment
from engine.runtime.timer_sync import sync_timers
from engine.runtime.workflow import specs_of

DEFAULT_PRIORITY = 50  # Camunda's default, so imported files sort the same way


def waiting_now(workflow: BpmnWorkflow, *, timers: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The human tasks ready and (if ``timers``) the timers waiting, by id, in one pass over the tasks."""
    ready: dict[str, Any] = {}
    waiting: dict[str, Any] = {}
    for t in _live_tasks(workflow):
        state = t.state
        if state == SpiffState.READY:
            if t.task_spec.manual:
                ready[str(t.id)] = t
        elif state == SpiffState.WAITING and timers and timer_definition(t.task_spec):
            waiting[str(t.id)] = t
    return ready, waiting


def _live_tasks(workflow: BpmnWorkflow) -> Iterator[Any]:
    """Every task of the workflow and of its subprocesses still under way.

    What ``workflow.get_tasks()`` walks, read from the task dictionaries instead of walking the tree: the
    walk cost more than the rest of the projection. A subprocess whose task has finished is skipped, as
    the walk skips it when looking for unfinished tasks.
    """
    yield from workflow.tasks.values()
    for parent_id, subprocess in workflow.subprocesses.items():
        parent = workflow.get_task_from_id(parent_id)
        if parent is not None and not parent.has_state(SpiffState.FINISHED_MASK):
            yield from subprocess.tasks.values()


def sync_instance(conn: sa.Connection, instance: InstanceRow, workflow: BpmnWorkflow,
                  evaluator: Evaluator, now: datetime, before: Before) -> None:
    """Save the workflow state and bring task rows, timer rows and the case record up to date.

    ``before`` is what was waiting when the state was loaded: exactly the open task rows and waiting timer
    rows, since every save goes through here; so nothing has to be read back to find what changed.

    :raises InstanceError: an assignee, due-date, priority or timer expression of a new task failed.
    :raises ConcurrentUpdate: someone else saved the instance since it was read.
    """
    with_timers = has_timers(instance.definition)  # most procedures' instances never wait for a timer
    ready, waiting = waiting_now(workflow, timers=with_timers)
    store.cancel_tasks(conn, [t for t in before.tasks if t not in ready], now)
    rows: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    # The administrator's lane mapping, read only when a task actually falls back to its lane.
    groups_by_lane = LazyMapping(lambda: store.lane_groups(conn, instance.process_key))
    for task_id, task in ready.items():
        if task_id in before.tasks:
            continue
        try:
            _new_row(instance, task_id, task, evaluator, groups_by_lane, now, rows, candidates)
        except ScriptError as exc:
            raise InstanceError(f"the procedure failed at '{task.task_spec.bpmn_name}': {exc}") from exc
    store.insert_tasks(conn, rows, candidates)
    try:
        if with_timers:
            sync_timers(conn, instance.id, waiting, evaluator, now, before.timers)
    except ScriptError as exc:
        raise InstanceError(f"the procedure failed at a timer: {exc}") from exc

    prune_finished_rounds(workflow)  # a looping case's step costs what its first round's did
    if is_finished(workflow):
        instance.status = InstanceStatus.COMPLETED if workflow.success else InstanceStatus.CANCELLED
        instance.completed_at = now
    instance.state = codec.dump_state(workflow)
    store.save_instance(conn, instance, now)
    if instance.case is not None:
        store.update_case(conn, instance.case, case_columns(instance, case_data(workflow), now))


@dataclass(frozen=True)
class Before:
    """Ids of the human tasks and timers waiting in a workflow as it was loaded."""

    tasks: frozenset[str] = frozenset()
    timers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, workflow: BpmnWorkflow, definition: Any) -> Before:
        ready, waiting = waiting_now(workflow, timers=has_timers(definition))
        return cls(frozenset(ready), frozenset(waiting))

    def without_task(self, task_id: str) -> Before:
        """As if ``task_id`` had not been waiting: its row is completed by the caller, not cancelled."""
        return Before(self.tasks - {task_id}, self.timers)

    def without_timer(self, timer_id: str) -> Before:
        return Before(self.tasks, self.timers - {timer_id})


_HAS_TIMERS: dict[str, bool] = {}  # per immutable definition version


def has_timers(definition: Definition) -> bool:
    key = f"{definition.process_key}:{definition.content_hash}"
    if key not in _HAS_TIMERS:
        spec, subprocess_specs = specs_of(definition)
        _HAS_TIMERS[key] = any(timer_definition(ts) is not None for s in (spec, *subprocess_specs.values())
                               for ts in s.task_specs.values())
    return _HAS_TIMERS[key]


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's data as people know it: everything entered so far, latest values winning."""
    data: dict[str, Any] = dict(workflow.data)
    last = workflow.last_task
    if last is not None:
        data.update(last.data)
    return data


def _new_row(instance: InstanceRow, task_id: str, task: Any, evaluator: Evaluator,
             groups_by_lane: Mapping[str, str], now: datetime, rows: list[dict[str, Any]],
             candidates: list[dict[str, Any]]) -> None:
    spec = task.task_spec
    ext = getattr(spec, "extensions", {}) or {}
    _fill_readonly(task, evaluator, now)
    a = assign(ext, spec.lane, task.data, evaluator, groups_by_lane, instance.started_by,
               exclude=instance.definition.properties.get(EXCLUDE_PROPERTY))
    rows.append({
        "id": task_id, "instance_id": instance.id, "bpmn_id": spec.bpmn_id, "name": spec.bpmn_name,
        "lane": spec.lane, "state": TaskState.OPEN, "assignee": a.assignee,
        "due_at": _due(ext, evaluator, task.data, now), "priority": _priority(ext, evaluator, task.data),
        "created_at": now, "completed_at": None, "completed_by": None,
    })
    for kind, names in ((CandidateKind.USER, a.users), (CandidateKind.GROUP, a.groups),
                        (CandidateKind.EXCLUDED, a.excluded)):
        candidates.extend({"task_id": task_id, "kind": kind, "name": n} for n in dict.fromkeys(names))


def _fill_readonly(task: Any, evaluator: Evaluator, now: datetime) -> None:
    """Give a new task's read-only fields their values: a default expression evaluated now
    (``${add_working_days_from(received_at, reply_days)}``), or what the case already holds under that id
    (the counts of a report). They stay in the task's data, and so with the case once it is completed.
    """
    for f in form_fields(task.task_spec):
        if not f.readonly:
            continue
        if f.default and is_expression(f.default):
            value = evaluator.evaluate(f.default, task.data)
            if f.type == "date" and value:  # a computed deadline, shown as the school's local date and time
                zone = evaluator.school_time().tz
                value = resolve_moment(value, now, evaluator.school_time).astimezone(zone).isoformat(timespec="minutes")
            task.data[f.id] = value
        elif f.default is not None and f.id not in task.data:
            task.data[f.id] = f.default


def _due(ext: dict[str, Any], evaluator: Evaluator, data: dict[str, Any], now: Any) -> Any:
    raw = ext.get("camunda:dueDate")
    if not raw:
        return None
    value = evaluator.evaluate(raw, data) if is_expression(raw) else raw
    return resolve_moment(value, now, evaluator.school_time)


def _priority(ext: dict[str, Any], evaluator: Evaluator, data: dict[str, Any]) -> int:
    raw = ext.get("camunda:priority")
    if raw is None:
        return DEFAULT_PRIORITY
    value = evaluator.evaluate(raw, data) if is_expression(raw) else raw
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScriptError(f"priority '{raw}' gave {value!r}, not a whole number") from None
