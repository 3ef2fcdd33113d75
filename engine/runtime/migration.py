"""Moving open cases from one version of a procedure to another.

A case can move when every step it waits on (user tasks, timers, running subprocesses) exists in the new
version under the same element id, and every step it has passed does too (its stored history refers to
them). The check is the move itself done in memory: the workflow is re-pointed at the new version with
SpiffWorkflow's own ``migrate_workflow``, its waiting branches are re-predicted from the new diagram, it
is run to its next wait and its state is encoded and decoded again; any failure is a reason, in a
sentence, and the stored case is not touched. A move is one transaction and one audit event: open task
rows keep their claim; timers are recomputed from the new version, each from the moment it started
waiting (so a three-day timer that has run two days has one day left if the new version keeps three).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.errors import InstanceError, InvalidInput, NotFound, ScriptError
from engine.people.users import require_admin
from engine.runtime.operations import _instance_names
from engine.runtime.projection import Before, sync_instance
from engine.runtime.timer_sync import CYCLE, compute_due, waiting_timers
from engine.runtime.workflow import advance, load_workflow, make_evaluator, script_engine, specs_of
from engine.spiff.codec import codec
from engine.storage import store
from engine.storage.models import Case, Definition, Instance, InstanceStatus, TimerStatus
from engine.time.clock import Clock

_WAITING = SpiffState.READY | SpiffState.WAITING | SpiffState.STARTED


@dataclass
class MoveCheck:
    """Whether one open case can move to the new version, and why not."""

    instance_id: int
    case_number: str | None
    movable: bool
    reasons: list[str] = field(default_factory=list)
    moved: bool = False


def versions(
    session: Session, process_key: str, from_version: int, to_version: int
) -> tuple[Definition, Definition]:
    """The two definition versions of a move.

    :raises NotFound: the procedure or one of the versions does not exist.
    :raises InvalidInput: the versions are the same.
    """
    if from_version == to_version:
        raise InvalidInput(f"version {from_version} is both the source and the target; name two versions")
    found = {
        d.version: d
        for d in session.scalars(
            sa.select(Definition).where(
                Definition.process_key == process_key, Definition.version.in_([from_version, to_version])
            )
        )
    }
    for v in (from_version, to_version):
        if v not in found:
            raise NotFound(f"procedure '{process_key}' has no version {v}")
    return found[from_version], found[to_version]


def versions_with_open_cases(session: Session, process_key: str) -> list[tuple[Definition, int]]:
    """Every version of ``process_key``, oldest first, with how many of its cases are open."""
    open_count = (
        sa.select(sa.func.count(Instance.id))
        .where(Instance.definition_id == Definition.id, Instance.status == InstanceStatus.RUNNING)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Definition, open_count)
        .where(Definition.process_key == process_key)
        .order_by(Definition.version)
    )
    return [(d, n) for d, n in rows]


def open_cases(
    session: Session, source: Definition, case_numbers: list[str] | None = None
) -> list[tuple[int, str | None]]:
    """(instance id, case number) of the running cases on ``source``, or of those named.

    :raises NotFound: a named case does not exist or is not a case of this procedure.
    """
    query = (
        sa.select(Instance.id, Case.number)
        .outerjoin(Case, Case.instance_id == Instance.id)
        .where(Instance.process_key == source.process_key)
        .order_by(Instance.id)
    )
    if not case_numbers:
        query = query.where(Instance.definition_id == source.id, Instance.status == InstanceStatus.RUNNING)
        return [(r.id, r.number) for r in session.execute(query)]
    rows = {r.number: r.id for r in session.execute(query.where(Case.number.in_(case_numbers)))}
    missing = [n for n in case_numbers if n not in rows]
    if missing:
        raise NotFound(f"no case {', '.join(missing)} of procedure '{source.process_key}'")
    return [(rows[n], n) for n in case_numbers]


def move_case(
    session: Session,
    instance_id: int,
    target: Definition,
    clock: Clock,
    *,
    actor: str | None = None,
    source: Definition | None = None,
    dry_run: bool = False,
) -> MoveCheck:
    """Move the case to ``target`` if it can move; flushes, the caller commits (one case per transaction).

    A case that cannot move is left untouched and its check says why. ``dry_run`` does the whole move,
    new task rows and timers included, inside a savepoint and rolls it back: what it says is what a move
    would do.
    """
    require_admin(session, actor, "move cases to another version")
    conn = session.connection()
    instance = store.lock_instance(conn, instance_id)
    if instance is None:
        raise NotFound("no such case")
    check, moved = _try(session, instance, target, clock, source)
    if not check.movable:
        return check
    savepoint = session.begin_nested() if dry_run else None
    conn = session.connection()  # the session emits SAVEPOINT when its connection is next asked for
    try:
        _write(session, conn, instance, target, clock, actor, *moved)
    except (InstanceError, ScriptError) as exc:  # a new task's assignee, due date or timer failed
        if savepoint is None:
            raise
        check.movable, check.reasons = False, [f"on version {target.version} {exc}"]
    finally:
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
    session.expire_all()
    check.moved = check.movable and not dry_run
    return check


def _write(
    session: Session,
    conn: sa.Connection,
    instance: store.InstanceRow,
    target: Definition,
    clock: Clock,
    actor: str | None,
    workflow: Any,
    before: Before,
    evaluator: Any,
    new_instance: store.InstanceRow,
) -> None:
    now = clock.now()
    _recompute_kept_timers(conn, workflow, evaluator, before, store.waiting_timer_starts(conn, instance.id))
    sync_instance(conn, new_instance, workflow, evaluator, now, before)
    store.set_instance_definition(conn, instance.id, target.id)
    audit.append(
        conn,
        clock,
        [
            audit.Event(
                "instance.migrated",
                actor,
                instance.id,
                {"from_version": instance.definition.version, "to_version": target.version},
            )
        ],
    )


def _try(
    session: Session, instance: store.InstanceRow, target: Definition, clock: Clock, source: Definition | None
) -> tuple[MoveCheck, Any]:
    number = instance.case.number if instance.case else None
    check = MoveCheck(instance.id, number, False)
    if source is not None and instance.definition.id != source.id:
        check.reasons.append(f"the case is on version {instance.definition.version}, not {source.version}")
    if instance.process_key != target.process_key:
        check.reasons.append(f"the case belongs to '{instance.process_key}', not '{target.process_key}'")
    if instance.status != InstanceStatus.RUNNING:
        check.reasons.append(f"the case is {instance.status}, not open")
    if check.reasons:
        return check, None
    old_evaluator = make_evaluator(session, instance.definition, clock, _instance_names(instance))
    workflow = load_workflow(
        instance.definition, instance.state, script_engine(old_evaluator, instance.definition)
    )
    before = Before.of(workflow, instance.definition)
    new_spec, new_subspecs = specs_of(target)
    check.reasons.extend(_missing_waits(workflow, new_spec, new_subspecs, target.version))
    if check.reasons:
        return check, None
    target_ref = store.definition_ref(target)
    evaluator = make_evaluator(session, target_ref, clock, _instance_names(instance))
    try:
        top, subs = diff_workflow(codec.serializer.registry, workflow, new_spec, new_subspecs)
        migrate_workflow(top, workflow, new_spec)
        for sp_id, sp in workflow.subprocesses.items():
            migrate_workflow(subs[sp_id], sp, new_subspecs[sp.spec.name])
        workflow.subprocess_specs = dict(new_subspecs)
        workflow.script_engine = script_engine(evaluator, target_ref)
        check.reasons.extend(_passed_removed(workflow, new_spec, new_subspecs, target.version))
        if check.reasons:
            return check, None
        advance(workflow)
        codec.load_state(codec.dump_state(workflow), (new_spec, new_subspecs))  # it must reload
    except (InstanceError, ScriptError) as exc:
        check.reasons.append(f"on version {target.version} {exc}")
        return check, None
    except Exception as exc:  # noqa: BLE001 - the library's own failure, said in a sentence
        check.reasons.append(f"version {target.version} cannot take this case's state: {exc}")
        return check, None
    check.movable = True
    return check, (workflow, before, evaluator, replace(instance, definition=target_ref))


def _label(task: Any) -> str:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return f"'{name}' ({bpmn_id})" if name else f"'{bpmn_id}'"


def _missing_waits(workflow: Any, new_spec: Any, new_subspecs: dict[str, Any], version: int) -> list[str]:
    reasons = []
    for task in workflow.get_tasks(state=_WAITING, skip_subprocesses=True):
        if task.task_spec.name not in new_spec.task_specs:
            reasons.append(f"it waits on {_label(task)}, which version {version} does not have")
    for sp in workflow.subprocesses.values():
        spec = new_subspecs.get(sp.spec.name)
        if spec is None:
            reasons.append(f"it is inside subprocess '{sp.spec.name}', which version {version} does not have")
            continue
        for task in sp.get_tasks(state=_WAITING):
            if task.task_spec.name not in spec.task_specs:
                reasons.append(f"it waits on {_label(task)}, which version {version} does not have")
    return reasons


def _passed_removed(workflow: Any, new_spec: Any, new_subspecs: dict[str, Any], version: int) -> list[str]:
    """Tasks that still point at the old diagram after the re-pointing: steps the new version removed."""
    reasons = []
    scopes = [(workflow, new_spec)] + [
        (sp, new_subspecs[sp.spec.name]) for sp in workflow.subprocesses.values()
    ]
    for scope, spec in scopes:
        for task in scope.tasks.values():
            if spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                label = _label(task)
                if label not in (r.split(",")[0].removeprefix("it has passed ") for r in reasons):
                    reasons.append(f"it has passed {label}, which version {version} no longer has")
    return reasons


def _recompute_kept_timers(
    conn: sa.Connection, workflow: Any, evaluator: Any, before: Before, started: dict[str, Any]
) -> None:
    """Timers that waited before the move and still wait: due again by the new version's definition,
    counted from when each started waiting (new timers were computed from now by ``sync_instance``)."""
    for timer_id, task in waiting_timers(workflow).items():
        if timer_id not in before.timers or timer_id not in started:
            continue
        due, cycle = compute_due(task, evaluator, started[timer_id])
        if cycle is not None:
            task.internal_data[CYCLE] = cycle.to_json()
        store.update_timer(conn, timer_id, TimerStatus.WAITING, due, None)
