"""Starting cases and acting on their tasks. Each function flushes; the caller commits.

Every operation on an existing instance locks its row first (``SELECT … FOR UPDATE`` where the database
has it) and saves with a version check, so two people acting at once never both succeed: the second
gets ``ConcurrentUpdate`` and nothing of theirs is stored.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..assignment import check_may_claim, check_may_complete, is_excluded
from ..cases import open_case
from ..clock import Clock
from ..definitions import latest_definition
from ..errors import ConcurrentUpdate, NotAllowed, NotFound
from ..forms import form_fields, validate_form
from ..models import (
    CandidateKind,
    Case,
    Definition,
    HumanTask,
    Instance,
    InstanceStatus,
    TaskCandidate,
    TaskState,
)
from ..users import get_user
from .projection import sync_instance
from .timer_sync import fire_start_timers
from .workflow import advance, load_workflow, make_evaluator, new_workflow, run_task, script_engine


def start_process(session: Session, process_key: str, *, user: str, clock: Clock,
                  data: dict[str, Any] | None = None) -> Instance:
    """Start a case on the latest version of ``process_key`` and run it to its first wait.

    :raises NotFound: no such procedure or user.
    :raises InvalidInput: the start data is not an object of plain names.
    :raises InstanceError: the procedure failed before reaching a task.
    """
    starter = get_user(session, user)
    definition = latest_definition(session, process_key)
    start_data = validate_form([], data or {})
    return begin_instance(session, definition, starter=starter.name, start_data=start_data, clock=clock,
                          data=start_data)


def begin_instance(session: Session, definition: Definition, *, starter: str | None,
                   start_data: dict[str, Any], clock: Clock, **audit_detail: Any) -> Instance:
    """Create an instance of ``definition`` with its case record and run it to its first wait.

    Its own timer start events fire at once: a case started by hand or by its schedule begins now.
    """
    now = clock.now()
    instance = Instance(definition=definition, process_key=definition.process_key,
                        status=InstanceStatus.RUNNING, state="", started_by=starter, started_at=now,
                        updated_at=now)
    session.add(instance)
    session.flush()
    case = open_case(session, instance, now)
    evaluator = make_evaluator(session, definition, clock, _instance_names(instance, case.number))
    workflow = new_workflow(definition, script_engine(evaluator, definition), start_data)
    advance(workflow)
    if fire_start_timers(workflow):
        workflow.refresh_timers()
        advance(workflow)
    sync_instance(session, instance, workflow, evaluator, clock)
    audit.record(session, "instance.started", clock=clock, actor=starter, instance_id=instance.id,
                 process_key=definition.process_key, version=definition.version, case_number=case.number,
                 **audit_detail)
    _record_if_finished(session, instance, clock)
    _flush(session)
    return instance


def complete_task(session: Session, task_id: str, *, user: str, clock: Clock,
                  data: dict[str, Any] | None = None) -> HumanTask:
    """Submit a task's form as ``user`` and run the case on to its next wait.

    :raises NotFound: no such task or user.
    :raises NotAllowed: the user is neither the assignee nor, for an unclaimed task, a candidate.
    :raises InvalidInput: the form data is invalid (one message per field); nothing is stored.
    :raises ConcurrentUpdate: someone else completed the task or changed the case first.
    :raises InstanceError: the procedure failed after this task (e.g. a gateway condition).
    """
    actor = get_user(session, user)
    row, instance = _locked_task(session, task_id)
    check_may_complete(actor, row)
    evaluator = make_evaluator(session, instance.definition, clock, _instance_names(instance))
    workflow = load_workflow(instance.definition, instance.state, script_engine(evaluator, instance.definition))
    task = workflow.get_task_from_id(UUID(task_id))
    if task.state != SpiffState.READY:
        raise ConcurrentUpdate("this task is no longer waiting; reload the case")
    cleaned = validate_form(form_fields(task.task_spec), data or {})
    task.data.update(cleaned)
    run_task(workflow, task)
    now = clock.now()
    row.state, row.assignee, row.completed_by, row.completed_at = TaskState.COMPLETED, actor.name, actor.name, now
    sync_instance(session, instance, workflow, evaluator, clock)
    audit.record(session, "task.completed", clock=clock, actor=actor.name, instance_id=instance.id,
                 task_id=row.id, task=row.bpmn_id, name=row.name, data=cleaned)
    _record_if_finished(session, instance, clock)
    _flush(session)
    return row


def claim_task(session: Session, task_id: str, *, user: str, clock: Clock) -> HumanTask:
    """Take an unclaimed task one is a candidate for (open → assigned to ``user``).

    :raises NotAllowed: claimed by someone else, or the user is not a candidate.
    """
    actor = get_user(session, user)
    row, instance = _locked_task(session, task_id)
    check_may_claim(actor, row)
    if row.assignee != actor.name:
        row.assignee = actor.name
        _touch(instance, clock)
        audit.record(session, "task.claimed", clock=clock, actor=actor.name, instance_id=row.instance_id,
                     task_id=row.id, task=row.bpmn_id)
    _flush(session)
    return row


def unclaim_task(session: Session, task_id: str, *, user: str, clock: Clock) -> HumanTask:
    """Give a claimed task back to its candidates (assigned → unassigned); the assignee or an administrator.

    :raises NotAllowed: anyone else.
    """
    actor = get_user(session, user)
    row, instance = _locked_task(session, task_id)
    if row.assignee is None:
        return row
    if row.assignee != actor.name and not actor.is_admin:
        raise NotAllowed(f"only {row.assignee} or an administrator can release this task")
    row.assignee = None
    _touch(instance, clock)
    audit.record(session, "task.unclaimed", clock=clock, actor=actor.name, instance_id=row.instance_id,
                 task_id=row.id, task=row.bpmn_id)
    _flush(session)
    return row


def reassign_task(session: Session, task_id: str, *, user: str, to: str, clock: Clock) -> HumanTask:
    """Hand a task to another person (an administrator's action); they become its assignee and a candidate.

    :raises NotAllowed: ``user`` is not an administrator.
    :raises NotFound: ``to`` is not a user.
    """
    actor = get_user(session, user)
    if not actor.is_admin:
        raise NotAllowed("only an administrator can reassign tasks")
    target = get_user(session, to)
    row, instance = _locked_task(session, task_id)
    if is_excluded(target, row):
        raise NotAllowed(f"{target.name} may not be given task '{row.name or row.bpmn_id}' "
                         "(the procedure keeps this case away from them)")
    previous = row.assignee
    row.assignee = target.name
    if target.name not in row.candidate_names(CandidateKind.USER):
        row.candidates.append(TaskCandidate(kind=CandidateKind.USER, name=target.name))
    _touch(instance, clock)
    audit.record(session, "task.reassigned", clock=clock, actor=actor.name, instance_id=row.instance_id,
                 task_id=row.id, task=row.bpmn_id, previous=previous, to=target.name)
    _flush(session)
    return row


def _locked_task(session: Session, task_id: str) -> tuple[HumanTask, Instance]:
    """The task and its instance, with the instance row locked and both freshly read.

    Only the instance row is locked (``OF instances``): the eagerly joined definition row is shared by
    every case of the procedure, and locking it would make unrelated cases wait for each other.
    """
    instance_id = session.scalar(sa.select(HumanTask.instance_id).where(HumanTask.id == task_id))
    if instance_id is None:
        raise NotFound(f"no task {task_id}")
    instance = session.execute(
        sa.select(Instance).where(Instance.id == instance_id).with_for_update(of=Instance)
        .execution_options(populate_existing=True)
    ).scalar_one()
    row = session.get(HumanTask, task_id, populate_existing=True)  # read after the lock: current state
    assert row is not None  # task rows are never deleted while their instance exists
    if row.state == TaskState.COMPLETED:
        raise ConcurrentUpdate(f"task '{row.name or row.bpmn_id}' was already completed by {row.completed_by}")
    if row.state == TaskState.CANCELLED:
        raise ConcurrentUpdate(f"task '{row.name or row.bpmn_id}' was withdrawn: the case moved on without it")
    return row, instance


def _touch(instance: Instance, clock: Clock) -> None:
    # Forces an UPDATE, which bumps the version counter even when the clock has not moved, so a
    # concurrent save of the same case fails instead of overwriting.
    instance.updated_at = clock.now()
    flag_modified(instance, "updated_at")


def _instance_names(instance: Instance, case_number: str | None = None) -> dict[str, Any]:
    return {"initiator": instance.started_by, "instance_id": instance.id, "case_number": case_number}


def _record_if_finished(session: Session, instance: Instance, clock: Clock) -> None:
    if instance.status != InstanceStatus.RUNNING:
        audit.record(session, f"instance.{instance.status}", clock=clock, instance_id=instance.id)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentUpdate("someone else changed this case at the same time; reload and try again") from None


def find_case(session: Session, instance_id: int) -> Case | None:
    return session.scalar(sa.select(Case).where(Case.instance_id == instance_id))
