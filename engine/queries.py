"""Read-side queries: a person's task list, one case's view. Nothing here writes."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload, selectinload

from . import audit
from .assignment import covered_owner, may_see
from .errors import NotFound
from .forms import form_fields
from .models import (
    CandidateKind,
    Case,
    Group,
    HumanTask,
    Instance,
    TaskCandidate,
    TaskState,
    User,
    UTCDateTime,
    user_groups,
)
from .runtime.workflow import specs_of
from .settings import SchoolTime, lazy_school_time
from .substitution import active_for, covered_by
from .users import get_user


def task_list(session: Session, user: str, now: datetime | None = None) -> list[HumanTask]:
    """Open tasks assigned to ``user`` plus unclaimed ones they are a candidate for; soonest due first.

    With ``now``, also the tasks of the colleagues ``user`` covers at that moment (duty cover,
    ``engine.substitution``): assigned to them or naming them as candidate users, never their group tasks
    nor a case the procedure keeps away from ``user``.
    """
    tasks = _visible(session, user, now)
    if not tasks:
        get_user(session, user)  # an empty list for nobody would hide a misspelt name: NotFound instead
    return tasks


def task_list_json(session: Session, user: str, now: datetime) -> list[dict[str, Any]]:
    """``task_list`` as the CLI and the API show it.

    A task listed because ``user`` covers its owner names that colleague in ``on_behalf_of``.
    """
    person = get_user(session, user)
    covered: list[str] | None = None
    school_time = lazy_school_time(session)  # read once, and only if a task has a due time to show
    out = []
    for task in _visible(session, person.name, now, _VISIBLE_WITH_CANDIDATES):
        owner = None
        if not may_see(person, task):  # listed only through a cover; rare, so look the covers up lazily
            covered = active_for(session, person.name, now) if covered is None else covered
            owner = covered_owner(task, covered)
        out.append(task_json(session, task, now, school_time=school_time, on_behalf_of=owner))
    return out


def _visible(session: Session, user: str, now: datetime | None,
             statement: sa.Select[tuple[HumanTask]] | None = None) -> list[HumanTask]:
    return list(session.scalars(_VISIBLE if statement is None else statement, {"user": user, "now": now}))


def _visible_statement() -> sa.Select[tuple[HumanTask]]:
    # Built once with bound parameters: constructing it per call cost more than running it. The user's
    # groups are resolved inside it too, so a task list is one statement (plus its tasks' candidates).
    user = sa.bindparam("user")
    user_id = sa.select(User.id).where(User.name == user).scalar_subquery()
    groups = sa.select(Group.name).join(user_groups, user_groups.c.group_id == Group.id).where(
        user_groups.c.user_id == user_id)
    # Duty cover: the people this user covers now lend them their own tasks (a NULL ``now``: nobody). The
    # exclusion below stays on the user themselves, whoever they cover.
    covered = covered_by(user_id, sa.bindparam("now", type_=UTCDateTime()))
    candidate = sa.exists().where(
        TaskCandidate.task_id == HumanTask.id,
        sa.or_(
            sa.and_(TaskCandidate.kind == CandidateKind.USER,
                    sa.or_(TaskCandidate.name == user, TaskCandidate.name.in_(covered))),
            sa.and_(TaskCandidate.kind == CandidateKind.GROUP, TaskCandidate.name.in_(groups)),
        ),
    )
    excluded = sa.exists().where(
        TaskCandidate.task_id == HumanTask.id, TaskCandidate.kind == CandidateKind.EXCLUDED,
        TaskCandidate.name == user,
    )
    return sa.select(HumanTask).where(
        HumanTask.state == TaskState.OPEN,
        sa.or_(HumanTask.assignee == user, HumanTask.assignee.in_(covered),
              sa.and_(HumanTask.assignee.is_(None), candidate)),
        ~excluded,
    ).order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority.desc(), HumanTask.created_at)


# A plain list loads a task's candidates only if asked (a client picking a task needs none); the listing
# that shows them loads all tasks' candidates in one more statement.
_VISIBLE = _visible_statement().options(lazyload(HumanTask.candidates))
_VISIBLE_WITH_CANDIDATES = _visible_statement().options(selectinload(HumanTask.candidates))


def local_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """``moment`` as ISO 8601 in ``zone``, the school's (``settings.school_time``); None stays None."""
    return moment.astimezone(zone).isoformat() if moment else None


def task_json(session: Session, task: HumanTask, now: datetime | None = None, *,
              school_time: Callable[[], SchoolTime], on_behalf_of: str | None = None) -> dict[str, Any]:
    """A task as the CLI and the API show it (see README, "JSON shapes").

    ``school_time`` (``settings.lazy_school_time``, one per listing) gives the zone the due time is shown
    in. ``on_behalf_of`` is the absent colleague whose task the viewer sees as their substitute.
    """
    instance = task.instance
    spec = _task_spec(instance, task.bpmn_id)
    case = session.scalar(sa.select(Case.number).where(Case.instance_id == instance.id))
    out = {
        "id": task.id, "instance_id": instance.id, "case_number": case, "process_key": instance.process_key,
        "name": task.name, "lane": task.lane, "assignee": task.assignee,
        "candidate_groups": task.candidate_names(CandidateKind.GROUP),
        "due_at": local_time(task.due_at, school_time().tz) if task.due_at else None,
        "priority": task.priority, "on_behalf_of": on_behalf_of,
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
    school_time = lazy_school_time(session)
    zone = school_time().tz
    history = [
        {"seq": e.seq, "at": local_time(e.at, zone), "kind": e.kind, "actor": e.actor, "detail": e.payload}
        for e in audit.instance_events(session, instance_id)
    ]
    return {
        "id": instance.id, "process_key": instance.process_key, "version": instance.definition.version,
        "status": str(instance.status), "error": instance.error, "case_number": case.number if case else None,
        "title": case.title if case else None, "started_by": instance.started_by,
        "started_at": local_time(instance.started_at, zone),
        "completed_at": local_time(instance.completed_at, zone),
        "open_tasks": [task_json(session, t, now, school_time=school_time) for t in open_tasks],
        "history": history,
    }
