"""Starting cases and acting on their tasks. Each function flushes; the caller commits.

Every operation on an existing instance locks its row first (``SELECT … FOR UPDATE`` where the database
has it) and saves with a version check, so two people acting at once never both succeed: the second
gets ``ConcurrentUpdate`` and nothing of theirs is stored.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from engine.cases import audit
from engine.storage import store
from engine.people.assignment import check_may_claim, check_may_complete, covered_owner, is_excluded
from engine.cases.earlier_cases import count_earlier
from engine.cases.records import open_case
from engine.cases.statistics import DEFAULT_PERIOD, PERIOD_PROPERTY, STATISTICS_PROPERTY, count_cases
from engine.time.clock import Clock
from engine.errors import ConcurrentUpdate, NotAllowed, NotFound
from engine.definitions.start_data import validate_start_data
from engine.definitions.forms import check_case_size, form_fields, validate_form
from engine.definitions.reserved import check_data
from engine.storage.models import CandidateKind, HumanTask, Instance, InstanceStatus, TaskCandidate, TaskState, User
from engine.time.school_time import lazy_school_time
from engine.time.timer_math import add_duration
from engine.people.substitution import active_for
from engine.people.users import get_user
from engine.runtime.projection import Before, sync_instance
from engine.runtime.timer_sync import fire_start_timers
from engine.runtime.workflow import advance, load_workflow, make_evaluator, new_workflow, run_task, script_engine


@dataclass(frozen=True)
class Started:
    """A case just started: its instance id, case number and status."""

    id: int
    case_number: str | None
    status: str
    tracking_code: str | None = None  # for the complainant, returned only here: just its hash is stored


@dataclass(frozen=True)
class Completed:
    """A task just completed, and where its case stands now."""

    id: str
    bpmn_id: str
    name: str | None
    instance_id: int
    instance_status: str


def start_process(session: Session, process_key: str, *, user: str, clock: Clock,
                  data: dict[str, Any] | None = None) -> Started:
    """Start a case on the latest version of ``process_key`` and run it to its first wait.

    :raises NotFound: no such procedure or user.
    :raises InvalidInput: the start data does not satisfy the start event's form (or, without one, is not
        an object of plain names, or names a field another form asks for); nothing is stored.
    :raises InstanceError: the procedure failed before reaching a task.
    """
    conn = _connection(session)
    store.check_user(conn, user)
    definition = store.latest_definition(conn, process_key)
    # Checked like a task's form (undeclared fields, constraints, lengths); free data only without a form.
    start_data = validate_start_data(definition, data or {})
    check_data(definition, start_data)
    return begin_instance(session, definition, starter=user, start_data=start_data, clock=clock, data=start_data)


def begin_instance(session: Session, definition: store.DefinitionRef, *, starter: str | None,
                   start_data: dict[str, Any], clock: Clock, **audit_detail: Any) -> Started:
    """Create an instance of ``definition`` with its case record and run it to its first wait.

    Its own timer start events fire at once: a case started by hand or by its schedule begins now.
    """
    conn = _connection(session)
    now = clock.now()
    instance = store.insert_instance(conn, definition, starter, now)
    school_time = lazy_school_time(session)  # shared: case year and deadlines read the settings once at most
    case, tracking_code = open_case(conn, instance, now, school_time)
    names = _instance_names(instance, case.number)
    evaluator = make_evaluator(session, definition, clock, names, school_time)
    # ``received_at`` (when the case was received, which deadlines count from) is a fact of the case
    # (``_instance_names``, from the instance's start), not a copy in its data.
    engine_data: dict[str, Any] = {}
    if definition.properties.get(STATISTICS_PROPERTY):  # a report: the counts it shows, kept with the case
        engine_data.update(_report_counts(session, definition.properties, now, school_time))
    # a repeat count (P5: which offence this is), from earlier cases' records, never from the form
    engine_data.update(count_earlier(session, definition.process_key, definition.properties, start_data,
                                     instance.id))
    workflow = new_workflow(definition, script_engine(evaluator, definition), {**start_data, **engine_data})
    advance(workflow)
    if fire_start_timers(workflow):
        workflow.refresh_timers()
        advance(workflow)
    sync_instance(conn, instance, workflow, evaluator, now, Before())
    audit.append(conn, clock, [
        audit.Event("instance.started", starter, instance.id, {
            "process_key": definition.process_key, "version": definition.version, "case_number": case.number,
            **audit_detail}),
        *_if_finished(instance),
    ])
    session.expire_all()
    return Started(instance.id, case.number, instance.status, tracking_code)


def complete_task(session: Session, task_id: str, *, user: str, clock: Clock,
                  data: dict[str, Any] | None = None) -> Completed:
    """Submit a task's form as ``user`` and run the case on to its next wait.

    :raises NotFound: no such task or user.
    :raises NotAllowed: the user is neither the assignee nor, for an unclaimed task, a candidate.
    :raises InvalidInput: the form data is invalid (one message per field); nothing is stored.
    :raises ConcurrentUpdate: someone else completed the task or changed the case first.
    :raises InstanceError: the procedure failed after this task (e.g. a gateway condition).
    """
    conn = _connection(session)
    row, instance, standing = store.lock_task_for(conn, task_id, user)
    _check_open(row)
    on_behalf_of = check_may_complete(user, row.name or row.bpmn_id, row.assignee, standing,
                                      lambda: _covered_owner(session, conn, user, row, clock))
    evaluator = make_evaluator(session, instance.definition, clock, _instance_names(instance))
    workflow = load_workflow(instance.definition, instance.state, script_engine(evaluator, instance.definition))
    task = workflow.get_task_from_id(UUID(task_id))
    if task.state != SpiffState.READY:
        raise ConcurrentUpdate("this task is no longer waiting; reload the case")
    fields = form_fields(task.task_spec)
    cleaned = validate_form(fields, data or {})
    check_data(instance.definition, cleaned)
    check_case_size({**task.data, **cleaned})
    before = Before.of(workflow, instance.definition).without_task(task_id)
    # A field left blank is the latest answer too: it clears what an earlier round of a loop wrote there
    # (a plan re-made after a review with one measure fewer must not keep the old one).
    task.data.update({f.id: None for f in fields if not f.readonly and f.id not in cleaned})
    task.data.update(cleaned)
    # Who completed each task, kept by the engine (after the form, so no field can set it): an approval
    # can then exclude the author of what it approves (``excludeUsers=${done_by['plan']}``).
    done_by = task.data.get("done_by")
    task.data["done_by"] = {**(done_by if isinstance(done_by, dict) else {}), row.bpmn_id: user}
    run_task(workflow, task)
    now = clock.now()
    store.complete_task_row(conn, task_id, user, now)
    sync_instance(conn, instance, workflow, evaluator, now, before)
    audit.append(conn, clock, [
        audit.Event("task.completed", user, instance.id,
                    {"task_id": row.id, "task": row.bpmn_id, "name": row.name, "data": cleaned,
                     **_cover(on_behalf_of)}),
        *_if_finished(instance),
    ])
    session.expire_all()
    return Completed(row.id, row.bpmn_id, row.name, instance.id, instance.status)


def _connection(session: Session) -> sa.Connection:
    # Pending ORM changes of the caller go to the database before this operation's own statements.
    session.flush()
    return session.connection()


def _covered_owner(session: Session, conn: sa.Connection, user: str, row: store.TaskRow,
                   clock: Clock) -> str | None:
    """The absent colleague ``user`` covers now whose task this is (see ``assignment.covered_owner``)."""
    covered = active_for(session, user, clock.now())
    if not covered:
        return None
    return covered_owner(row.assignee, store.candidate_users(conn, row.id) if row.assignee is None else (),
                         covered)


def _check_open(row: store.TaskRow) -> None:
    if row.state == TaskState.COMPLETED:
        raise ConcurrentUpdate(f"task '{row.name or row.bpmn_id}' was already completed by {row.completed_by}")
    if row.state == TaskState.CANCELLED:
        raise ConcurrentUpdate(f"task '{row.name or row.bpmn_id}' was withdrawn: the case moved on without it")


def _if_finished(instance: store.InstanceRow) -> list[audit.Event]:
    if instance.status == InstanceStatus.RUNNING:
        return []
    return [audit.Event(f"instance.{instance.status}", None, instance.id)]


def claim_task(session: Session, task_id: str, *, user: str, clock: Clock) -> HumanTask:
    """Take an unclaimed task one is a candidate for (open → assigned to ``user``), or as the substitute of
    a candidate user one covers (duty cover).

    :raises NotAllowed: claimed by someone else, or the user is not a candidate.
    """
    actor = get_user(session, user)
    row, instance = _locked_task(session, task_id)
    on_behalf_of = _acting_for(session, check_may_claim, actor, row, clock)
    if row.assignee != actor.name:
        row.assignee = actor.name
        _touch(instance, clock)
        audit.record(session, "task.claimed", clock=clock, actor=actor.name, instance_id=row.instance_id,
                     task_id=row.id, task=row.bpmn_id, **_cover(on_behalf_of))
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
    _check_open(row)  # type: ignore[arg-type]  # a HumanTask has the same fields
    return row, instance


def _acting_for(session: Session, check: Callable[[User, HumanTask, Collection[str]], str | None],
                actor: User, row: HumanTask, clock: Clock) -> str | None:
    """Run a permission check; returns the absent colleague ``actor`` acts for as substitute, or None.

    Only someone the check refuses as themselves pays for looking up whom they cover (duty cover), so the
    common path costs no query.
    """
    try:
        return check(actor, row, ())
    except NotAllowed:
        return check(actor, row, active_for(session, actor.name, clock.now()))


def _cover(on_behalf_of: str | None) -> dict[str, str]:
    # Audit detail of an action done as someone's substitute; plain actions keep their payload unchanged.
    return {"on_behalf_of": on_behalf_of} if on_behalf_of else {}


def _touch(instance: Instance, clock: Clock) -> None:
    # Forces an UPDATE, which bumps the version counter even when the clock has not moved, so a
    # concurrent save of the same case fails instead of overwriting.
    instance.updated_at = clock.now()
    flag_modified(instance, "updated_at")


def _report_counts(session: Session, properties: dict[str, Any], now: datetime,
                   school_time: Callable[[], Any]) -> dict[str, Any]:
    keys = [k.strip() for k in str(properties[STATISTICS_PROPERTY]).split(",") if k.strip()]
    period = str(properties.get(PERIOD_PROPERTY) or DEFAULT_PERIOD)
    since = now - (add_duration(now, period) - now)
    return count_cases(session, keys, since, now, now, school_time().tz)


def _instance_names(instance: store.InstanceRow, case_number: str | None = None) -> dict[str, Any]:
    if case_number is None and instance.case is not None:
        case_number = instance.case.number
    started = getattr(instance, "started_at", None)
    # ``received_at``: the moment the engine received the case, which no form field can move.
    return {"initiator": instance.started_by, "instance_id": instance.id, "case_number": case_number,
            "received_at": started.isoformat() if started is not None else None}


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentUpdate("someone else changed this case at the same time; reload and try again") from None
