"""Keeping the query tables (human tasks, case record) in step with the workflow state.

Runs at the end of every operation on an instance, in the same transaction as the state it mirrors.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from ..assignment import EXCLUDE_PROPERTY, assign, lane_groups
from ..cases import update_case
from ..clock import Clock
from ..errors import InstanceError, ScriptError
from ..models import CandidateKind, Definition, HumanTask, Instance, InstanceStatus, TaskCandidate, TaskState
from ..scripting import Evaluator, is_expression
from ..spiff_codec import codec
from ..spiff_timers import timer_definition
from ..timer_math import resolve_moment
from .timer_sync import sync_timers
from .workflow import specs_of

DEFAULT_PRIORITY = 50  # Camunda's default, so imported files sort the same way


def ready_human_tasks(workflow: BpmnWorkflow) -> dict[str, Any]:
    return {str(t.id): t for t in workflow.get_tasks(state=SpiffState.READY, manual=True)}


def sync_instance(session: Session, instance: Instance, workflow: BpmnWorkflow, evaluator: Evaluator,
                  clock: Clock) -> list[HumanTask]:
    """Save the workflow state and bring task rows and the case record up to date; returns new tasks.

    :raises InstanceError: an assignee, due-date or priority expression of a new task failed.
    """
    now = clock.now()
    ready = ready_human_tasks(workflow)
    open_rows = {r.id: r for r in session.scalars(
        sa.select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN))}
    for task_id, row in open_rows.items():
        if task_id not in ready:  # e.g. interrupted by a boundary timer, or the case was cancelled
            row.state, row.completed_at = TaskState.CANCELLED, now
    created = []
    groups_by_lane = _LaneGroups(session, instance.process_key)
    for task_id, task in ready.items():
        if task_id in open_rows:
            continue
        try:
            created.append(_new_row(instance, task_id, task, evaluator, groups_by_lane, now))
        except ScriptError as exc:
            raise InstanceError(f"the procedure failed at '{task.task_spec.bpmn_name}': {exc}") from exc
    session.add_all(created)
    try:
        if has_timers(instance.definition):  # most procedures' instances never wait for a timer
            sync_timers(session, instance, workflow, evaluator, now)
    except ScriptError as exc:
        raise InstanceError(f"the procedure failed at a timer: {exc}") from exc

    if workflow.is_completed():
        instance.status = InstanceStatus.COMPLETED if workflow.success else InstanceStatus.CANCELLED
        instance.completed_at = now
    instance.state = codec.dump_state(workflow)
    instance.updated_at = now
    case = instance.case
    if case is not None:
        update_case(case, instance, case_data(workflow), now)
    return created


class _LaneGroups(Mapping[str, str]):
    """The administrator's lane mapping, read only when a task actually falls back to its lane."""

    def __init__(self, session: Session, process_key: str):
        self._load = functools.cache(lambda: lane_groups(session, process_key))

    def __getitem__(self, lane: str) -> str:
        return self._load()[lane]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


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


def _new_row(instance: Instance, task_id: str, task: Any, evaluator: Evaluator,
             groups_by_lane: Mapping[str, str], now: Any) -> HumanTask:
    spec = task.task_spec
    ext = getattr(spec, "extensions", {}) or {}
    a = assign(ext, spec.lane, task.data, evaluator, groups_by_lane, instance.started_by,
               exclude=(instance.definition.properties or {}).get(EXCLUDE_PROPERTY))
    row = HumanTask(
        id=task_id, instance_id=instance.id, bpmn_id=spec.bpmn_id, name=spec.bpmn_name, lane=spec.lane,
        state=TaskState.OPEN, assignee=a.assignee, due_at=_due(ext, evaluator, task.data, now),
        priority=_priority(ext, evaluator, task.data), created_at=now,
    )
    row.candidates = [TaskCandidate(kind=CandidateKind.USER, name=n) for n in dict.fromkeys(a.users)] + [
        TaskCandidate(kind=CandidateKind.GROUP, name=n) for n in dict.fromkeys(a.groups)] + [
        TaskCandidate(kind=CandidateKind.EXCLUDED, name=n) for n in dict.fromkeys(a.excluded)]
    return row


def _due(ext: dict[str, Any], evaluator: Evaluator, data: dict[str, Any], now: Any) -> Any:
    raw = ext.get("camunda:dueDate")
    if not raw:
        return None
    value = evaluator.evaluate(raw, data) if is_expression(raw) else raw
    return resolve_moment(value, now)


def _priority(ext: dict[str, Any], evaluator: Evaluator, data: dict[str, Any]) -> int:
    raw = ext.get("camunda:priority")
    if raw is None:
        return DEFAULT_PRIORITY
    value = evaluator.evaluate(raw, data) if is_expression(raw) else raw
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScriptError(f"priority '{raw}' gave {value!r}, not a whole number") from None
