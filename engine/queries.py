"""Read-side queries: a person's task list, one case's view. Nothing here writes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import audit
from .errors import NotFound
from .forms import form_fields
from .models import CandidateKind, Case, HumanTask, Instance, TaskCandidate, TaskState
from .runtime.workflow import specs_of
from .timer_math import SCHOOL_TZ
from .users import get_user


def task_list(session: Session, user: str) -> list[HumanTask]:
    """Open tasks assigned to ``user`` plus unclaimed ones they are a candidate for; soonest due first."""
    person = get_user(session, user)
    return list(session.scalars(_VISIBLE, {"user": person.name, "groups": [g.name for g in person.groups]}))


def _visible_statement() -> sa.Select[tuple[HumanTask]]:
    # Built once with bound parameters: constructing it per call cost more than running it.
    user, groups = sa.bindparam("user"), sa.bindparam("groups", expanding=True)
    candidate = sa.exists().where(
        TaskCandidate.task_id == HumanTask.id,
        sa.or_(
            sa.and_(TaskCandidate.kind == CandidateKind.USER, TaskCandidate.name == user),
            sa.and_(TaskCandidate.kind == CandidateKind.GROUP, TaskCandidate.name.in_(groups)),
        ),
    )
    excluded = sa.exists().where(
        TaskCandidate.task_id == HumanTask.id, TaskCandidate.kind == CandidateKind.EXCLUDED,
        TaskCandidate.name == user,
    )
    return sa.select(HumanTask).where(
        HumanTask.state == TaskState.OPEN,
        sa.or_(HumanTask.assignee == user, sa.and_(HumanTask.assignee.is_(None), candidate)),
        ~excluded,
    ).order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority.desc(), HumanTask.created_at)


_VISIBLE = _visible_statement()


def local_time(moment: datetime | None) -> str | None:
    return moment.astimezone(SCHOOL_TZ).isoformat() if moment else None


def task_json(session: Session, task: HumanTask, now: datetime | None = None) -> dict[str, Any]:
    """A task as the CLI and the API show it (see README, "JSON shapes")."""
    instance = task.instance
    spec = _task_spec(instance, task.bpmn_id)
    case = session.scalar(sa.select(Case.number).where(Case.instance_id == instance.id))
    out = {
        "id": task.id, "instance_id": instance.id, "case_number": case, "process_key": instance.process_key,
        "name": task.name, "lane": task.lane, "assignee": task.assignee,
        "candidate_groups": task.candidate_names(CandidateKind.GROUP),
        "due_at": local_time(task.due_at), "priority": task.priority,
        "form": [f.to_json() for f in form_fields(spec)] if spec is not None else [],
    }
    if now is not None:
        out["overdue"] = bool(task.due_at and task.due_at < now)
    return out


def _task_spec(instance: Instance, bpmn_id: str) -> Any:
    spec, subprocess_specs = specs_of(instance.definition)
    for s in (spec, *subprocess_specs.values()):
        if bpmn_id in s.task_specs:
            return s.task_specs[bpmn_id]
    return None


def instance_view(session: Session, instance_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Status, version, open tasks and history of one case (``now`` marks overdue tasks)."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    case = session.scalar(sa.select(Case).where(Case.instance_id == instance_id))
    open_tasks = session.scalars(sa.select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == TaskState.OPEN).order_by(HumanTask.created_at))
    history = [
        {"seq": e.seq, "at": local_time(e.at), "kind": e.kind, "actor": e.actor, "detail": e.payload}
        for e in audit.instance_events(session, instance_id)
    ]
    return {
        "id": instance.id, "process_key": instance.process_key, "version": instance.definition.version,
        "status": str(instance.status), "error": instance.error, "case_number": case.number if case else None,
        "title": case.title if case else None, "started_by": instance.started_by,
        "started_at": local_time(instance.started_at), "completed_at": local_time(instance.completed_at),
        "open_tasks": [task_json(session, t, now) for t in open_tasks],
        "history": history,
    }
