"""Firing one due timer inside its instance, and starting an instance for a schedule."""
from __future__ import annotations

import functools
from uuid import UUID

import sqlalchemy as sa
from lxml import etree
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from .. import audit
from ..clock import Clock
from ..models import Definition, Instance, InstanceStatus, Timer, TimerStatus
from .operations import _flush, _instance_names, _record_if_finished, begin_instance
from .projection import sync_instance
from .timer_sync import fire, interrupt_scope
from .workflow import advance, load_workflow, make_evaluator, script_engine


def fire_timer(session: Session, timer: Timer, clock: Clock) -> bool:
    """Fire ``timer`` (already locked by the caller) and run its case on; False if it was stale.

    :raises InstanceError: the case failed after the timer fired; the caller marks it in error.
    """
    instance = session.execute(
        sa.select(Instance).where(Instance.id == timer.instance_id).with_for_update(of=Instance)
        .execution_options(populate_existing=True)
    ).scalar_one()
    now = clock.now()
    evaluator = make_evaluator(session, instance.definition, clock, _instance_names(instance))
    workflow = load_workflow(instance.definition, instance.state, script_engine(evaluator, instance.definition))
    task = workflow.get_task_from_id(UUID(timer.id))
    if task is None or task.state != SpiffState.WAITING or instance.status != InstanceStatus.RUNNING:
        timer.status = TimerStatus.CANCELLED  # the case moved on without it
        _flush(session)
        return False
    due = timer.due_at
    if timer.kind == "event_subprocess" and _interrupting(instance.definition, timer.bpmn_id):
        interrupt_scope(task)
    fire(task, timer, now)
    for _ in range(2):  # a cycle's last round completes its event on the second refresh
        workflow.refresh_timers()
        advance(workflow)
    sync_instance(session, instance, workflow, evaluator, clock)
    audit.record(session, "timer.fired", clock=clock, instance_id=instance.id, timer=timer.bpmn_id,
                 timer_kind=timer.kind, due_at=due.isoformat())
    _record_if_finished(session, instance, clock)
    _flush(session)
    return True


def _interrupting(definition: Definition, bpmn_id: str) -> bool:
    """Whether start event ``bpmn_id`` interrupts (BPMN's default); SpiffWorkflow's spec does not keep it."""
    return _interrupting_starts(definition.content_hash, definition.bpmn_xml).get(bpmn_id, True)


@functools.lru_cache(maxsize=256)
def _interrupting_starts(content_hash: str, xml: str) -> dict[str, bool]:
    tree = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    return {el.get("id"): el.get("isInterrupting", "true").strip().lower() != "false"
            for el in tree.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}startEvent")}


def start_scheduled(session: Session, definition: Definition, bpmn_id: str, clock: Clock) -> Instance:
    """Start a new instance because its schedule (timer start event ``bpmn_id``) came due."""
    return begin_instance(session, definition, starter=None, start_data={}, clock=clock, schedule=bpmn_id)
