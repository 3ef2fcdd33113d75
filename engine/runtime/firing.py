"""Firing one due timer inside its instance, and starting an instance for a schedule."""
from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.storage import store
from engine.time.clock import Clock
from engine.storage.models import Definition, InstanceStatus, TimerStatus
from engine.runtime.operations import Started, _if_finished, _instance_names, begin_instance
from engine.runtime.projection import Before, sync_instance
from engine.runtime.timer_sync import fire, interrupt_scope
from engine.runtime.workflow import advance, load_workflow, make_evaluator, script_engine


def fire_timer(session: Session, conn: Any, due: store.DueTimer, clock: Clock) -> list[audit.Event] | None:
    """Fire ``due`` (claimed and locked with its instance by the caller) and run its case on.

    Writes go to ``conn`` (the session's connection, or a batch's ``store.DeferredWrites``); the audit
    events are returned for the caller to append. None if the timer was stale (the case moved on
    without it); its row is then cancelled.

    :raises InstanceError: the case failed after the timer fired; the caller marks it in error.
    """
    instance = due.instance
    now = clock.now()
    evaluator = make_evaluator(session, instance.definition, clock, _instance_names(instance))
    engine = script_engine(evaluator, instance.definition)
    workflow = load_workflow(instance.definition, instance.state, engine)
    task = workflow.get_task_from_id(UUID(due.id))
    if task is None or task.state != SpiffState.WAITING or instance.status != InstanceStatus.RUNNING:
        store.update_timer(conn, due.id, TimerStatus.CANCELLED, due.due_at, None)
        return None
    before = Before.of(workflow, instance.definition)
    if due.kind == "event_subprocess" and _interrupting(instance.definition, due.bpmn_id):
        interrupt_scope(task)
    firing = fire(task, due.due_at, now)
    for _ in range(2 if firing.cycle else 1):
        workflow.refresh_timers()  # a cycle's last round completes its event on the second refresh
        advance(workflow)
    store.update_timer(conn, due.id, firing.status, firing.due_at, now)
    if firing.status == TimerStatus.FIRED:
        before = before.without_timer(due.id)  # its row is done, not to be cancelled
    sync_instance(conn, instance, workflow, evaluator, now, before)
    return [audit.Event("timer.fired", None, instance.id,
                        {"timer": due.bpmn_id, "timer_kind": due.kind, "due_at": due.due_at.isoformat()}),
            *_if_finished(instance)]


def _interrupting(definition: Definition, bpmn_id: str) -> bool:
    """Whether start event ``bpmn_id`` interrupts (BPMN's default); SpiffWorkflow's spec does not keep it."""
    return _interrupting_starts(definition.content_hash, definition.bpmn_xml).get(bpmn_id, True)


@functools.lru_cache(maxsize=256)
def _interrupting_starts(content_hash: str, xml: str) -> dict[str, bool]:
    tree = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    return {el.get("id"): el.get("isInterrupting", "true").strip().lower() != "false"
            for el in tree.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}startEvent")}


def start_scheduled(session: Session, definition: Definition, bpmn_id: str, clock: Clock) -> Started:
    """Start a new instance because its schedule (timer start event ``bpmn_id``) came due."""
    return begin_instance(session, store.definition_ref(definition), starter=None, start_data={}, clock=clock,
                          schedule=bpmn_id)
