"""Read-side queries: a person's task list, one case's view. Nothing here writes."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.storage import store
from engine.people.assignment import covered_owner
from engine.errors import NotFound
from engine.definitions.forms import form_fields
from engine.storage.models import (CandidateKind, Case, Group, HumanTask, Instance, TaskCandidate, TaskState,
                                   UTCDateTime, User, user_groups)
from engine.storage.prepared import Prepared
from engine.definitions import params
from engine.definitions.deploy import list_definitions
from engine.definitions.start_form import start_form
from engine.runtime.workflow import specs_of
from engine.spiff.codec import codec
from engine.time.school_time import SchoolTime, lazy_school_time
from engine.people.substitution import active_for, covered_by
from engine.views.inbox import visible_among


def task_list(session: Session, user: str, now: datetime | None = None) -> list[Any]:
    """Open tasks assigned to ``user`` plus unclaimed ones they are a candidate for; soonest due first.

    With ``now``, also the tasks of the colleagues ``user`` covers at that moment (duty cover,
    ``engine.people.substitution``): assigned to them or naming them as candidate users, never their group
    tasks nor a case the procedure keeps away from ``user``.

    One statement whatever the number of tasks. Each row has the task's columns (``id``, ``instance_id``,
    ``bpmn_id``, ``name``, ``lane``, ``assignee``, ``due_at``, ``priority``, ``created_at``), its case's
    ``process_key`` and ``case_number``, and ``own``: false for a task listed only because ``user``
    covers its owner.

    :raises NotFound: no user has that name.
    """
    conn = session.connection()
    tasks = _VISIBLE.rows(conn, {"user": user, "now": now})
    if not tasks:
        store.check_user(conn, user)  # an empty list for nobody would hide a misspelt name
    return tasks


def tasks_json(session: Session, user: str, now: datetime, task_ids: list[str]) -> list[dict[str, Any]]:
    """The tasks ``task_ids`` that ``user`` sees, as ``task_list_json`` shows them, in the order given.

    For a page of the inbox (``engine.views.inbox``): the listing picks the ids, this renders them. Who
    sees them is checked again: for one task by the prebuilt statement (a primary-key look-up); for a page
    by the inbox's form of the rule (index ranges narrowed to the ids), since with 50 ids the general
    condition let SQLite walk every open task through the state index.
    """
    if not task_ids:
        return []
    if len(task_ids) == 1:
        rows = {r.id: r for r in session.connection().execute(
            _VISIBLE_BY_ID, {"user": user, "now": now, "ids": task_ids})}
        return _render(session, user, now, [rows[i] for i in task_ids if i in rows])
    seen = visible_among(session, user, now, task_ids)
    if not seen:
        return []
    rows = {r.id: r for r in session.connection().execute(
        sa.select(*_LISTED).select_from(_LISTED_FROM).where(_TASKS.c.id.in_(list(seen))))}
    return _render(session, user, now, [SimpleNamespace(**rows[i]._mapping, own=seen[i])
                                        for i in task_ids if i in rows])


def task_list_json(session: Session, user: str, now: datetime) -> list[dict[str, Any]]:
    """``task_list`` as the CLI and the API show it.

    A task listed because ``user`` covers its owner names that colleague in ``on_behalf_of``.
    """
    return _render(session, user, now, task_list(session, user, now))


def _render(session: Session, user: str, now: datetime, tasks: list[Any]) -> list[dict[str, Any]]:
    candidates = _candidates(session, [t.id for t in tasks])
    covered: list[str] | None = None
    school_time = lazy_school_time(session)  # read once, and only if a task has a due time to show
    out = []
    for task in tasks:
        owner = None
        if not task.own:  # listed only through a cover; rare, so look the covers up lazily
            covered = active_for(session, user, now) if covered is None else covered
            owner = covered_owner(task.assignee, candidates[task.id, CandidateKind.USER], covered)
        out.append(task_json(session, task, now, school_time=school_time, on_behalf_of=owner,
                             candidate_groups=candidates[task.id, CandidateKind.GROUP]))
    return out


_CANDIDATES_OF = (
    sa.select(TaskCandidate.task_id, TaskCandidate.kind, TaskCandidate.name)
    .where(TaskCandidate.task_id.in_(sa.bindparam("ids", expanding=True)),
           TaskCandidate.kind.in_([CandidateKind.USER, CandidateKind.GROUP]))
    .order_by(TaskCandidate.name)
)


def _candidates(session: Session, task_ids: list[str]) -> defaultdict[tuple[str, str], list[str]]:
    """Candidate users and groups of the tasks, sorted by name, by (task id, kind); one statement."""
    out: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    if task_ids:
        for task_id, kind, name in session.execute(_CANDIDATES_OF, {"ids": task_ids}):
            out[task_id, kind].append(name)
    return out


_TASKS, _CANDIDATES, _INSTANCES, _CASES = store.TASKS, store.CANDIDATES, store.INSTANCES, store.CASES


# What a listing shows of a task; the definition columns find its form (the spec is cached per version).
_LISTED = (
    _TASKS.c.id, _TASKS.c.instance_id, _TASKS.c.bpmn_id, _TASKS.c.name, _TASKS.c.lane, _TASKS.c.assignee,
    _TASKS.c.due_at, _TASKS.c.priority, _TASKS.c.created_at, _INSTANCES.c.process_key,
    _CASES.c.number.label("case_number"), *store.DEFINITION_COLUMNS,
)
_LISTED_FROM = _TASKS.join(_INSTANCES, _INSTANCES.c.id == _TASKS.c.instance_id).join(
    store.DEFINITIONS, store.DEFINITIONS.c.id == _INSTANCES.c.definition_id).outerjoin(
    _CASES, _CASES.c.instance_id == _INSTANCES.c.id)
_SOONEST_DUE_FIRST = (_TASKS.c.due_at.is_(None), _TASKS.c.due_at, _TASKS.c.priority.desc(),
                      _TASKS.c.created_at)


def visible_to(user: Any, now: Any) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """Who sees which open task, as SQL: (the condition, ``own``: seen as themselves, not via a cover).

    ``user`` and ``now`` are SQL expressions (bound parameters). Task lists, the inbox pages and their
    counts all use this one rule.
    """
    user_id = sa.select(User.id).where(User.name == user).scalar_subquery()
    groups = sa.select(Group.name).join(user_groups, user_groups.c.group_id == Group.id).where(
        user_groups.c.user_id == user_id)
    # Duty cover: the people this user covers now lend them their own tasks (a NULL ``now``: nobody). The
    # exclusion below stays on the user themselves, whoever they cover.
    covered = covered_by(user_id, now)

    def candidate(*users: Any) -> Any:
        return sa.exists().where(
            _CANDIDATES.c.task_id == _TASKS.c.id,
            sa.or_(
                sa.and_(_CANDIDATES.c.kind == CandidateKind.USER, sa.or_(*users)),
                sa.and_(_CANDIDATES.c.kind == CandidateKind.GROUP, _CANDIDATES.c.name.in_(groups)),
            ),
        )

    as_themselves = sa.or_(_TASKS.c.assignee == user,
                           sa.and_(_TASKS.c.assignee.is_(None), candidate(_CANDIDATES.c.name == user)))
    excluded = sa.exists().where(
        _CANDIDATES.c.task_id == _TASKS.c.id, _CANDIDATES.c.kind == CandidateKind.EXCLUDED,
        _CANDIDATES.c.name == user,
    )
    condition = sa.and_(
        _TASKS.c.state == TaskState.OPEN,
        sa.or_(as_themselves, _TASKS.c.assignee.in_(covered),
               sa.and_(_TASKS.c.assignee.is_(None), candidate(_CANDIDATES.c.name.in_(covered)))),
        ~excluded,
    )
    return condition, as_themselves


def _visible_statement() -> Prepared:
    # Built once with bound parameters, and prepared: a client lists tasks before every action. The
    # user's groups and covers are resolved inside it too.
    condition, own = visible_to(sa.bindparam("user"), sa.bindparam("now", type_=UTCDateTime()))
    return Prepared(
        sa.select(*_LISTED, own.label("own")).select_from(_LISTED_FROM).where(condition)
        .order_by(*_SOONEST_DUE_FIRST)
    )


_VISIBLE = _visible_statement()


def _visible_by_id_statement() -> sa.Select[Any]:
    # Built once: rebuilding visible_to's expression for every page cost more than running it.
    condition, own = visible_to(sa.bindparam("user"), sa.bindparam("now", type_=UTCDateTime()))
    return (sa.select(*_LISTED, own.label("own")).select_from(_LISTED_FROM)
            .where(condition, _TASKS.c.id.in_(sa.bindparam("ids", expanding=True))))


_VISIBLE_BY_ID = _visible_by_id_statement()
_OPEN_OF_INSTANCE = Prepared(
    sa.select(*_LISTED).select_from(_LISTED_FROM)
    .where(_TASKS.c.instance_id == sa.bindparam("instance_id"), _TASKS.c.state == TaskState.OPEN)
    .order_by(_TASKS.c.created_at)
)


def local_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """``moment`` as ISO 8601 in ``zone``, the school's (``settings.school_time``); None stays None."""
    return moment.astimezone(zone).isoformat() if moment else None


def task_json(session: Session, task: Any, now: datetime | None = None, *,
              school_time: Callable[[], SchoolTime], candidate_groups: list[str],
              on_behalf_of: str | None = None) -> dict[str, Any]:
    """A task row (``task_list``) as the CLI and the API show it (see README, "JSON shapes").

    ``school_time`` (``settings.lazy_school_time``, one per listing) gives the zone the due time is shown
    in. ``on_behalf_of`` is the absent colleague whose task the viewer sees as their substitute.
    """
    definition = store.definition_of(session.connection(), task)
    spec = task_spec(definition, task.bpmn_id)
    fields = form_fields(spec) if spec is not None else []
    out = {
        "id": task.id, "instance_id": task.instance_id, "case_number": task.case_number,
        "process_key": task.process_key, "name": task.name, "lane": task.lane, "assignee": task.assignee,
        "candidate_groups": candidate_groups,
        "due_at": local_time(task.due_at, school_time().tz) if task.due_at else None,
        "priority": task.priority, "on_behalf_of": on_behalf_of,
        "form": [f.to_json() for f in fields],
    }
    if any(f.readonly for f in fields):  # shown, not asked: their values come from the task's data
        data = read_task_data(session, definition, task)
        for f, shown in zip(fields, out["form"], strict=True):
            if f.readonly:
                shown["value"] = data.get(f.id)
    if now is not None:
        out["overdue"] = bool(task.due_at and task.due_at < now)
    return out


def read_task_data(session: Session, definition: Any, task: Any) -> dict[str, Any]:
    """The data of an open task as its case holds it (read only for forms with read-only fields)."""
    instance = session.get(Instance, task.instance_id)
    if instance is None:
        return {}
    workflow = codec.load_state(instance.state, specs_of(definition))
    found = workflow.get_task_from_id(UUID(str(task.id)))
    return dict(found.data) if found is not None else {}


def task_spec(definition: Any, bpmn_id: str) -> Any:
    """The task spec of element ``bpmn_id`` in ``definition`` (its subprocesses too), or None."""
    spec, subprocess_specs = specs_of(definition)
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
    open_tasks = _OPEN_OF_INSTANCE.rows(session.connection(), {"instance_id": instance_id})
    candidates = _candidates(session, [t.id for t in open_tasks])
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
        "open_tasks": [task_json(session, t, now, school_time=school_time,
                                 candidate_groups=candidates[t.id, CandidateKind.GROUP]) for t in open_tasks],
        "history": history,
    }


def definitions_json(session: Session) -> list[dict[str, Any]]:
    """Every procedure's latest version as ``schoolflow definitions --json`` and the API list them."""
    zone = lazy_school_time(session)().tz
    return [{"key": d.process_key, "name": d.name, "version": d.version, "versions": n, "file": d.file_name,
             "deployed_at": local_time(d.deployed_at, zone), "allow_scripts": d.allow_scripts,
             "params": {p.name: p.value for p in params.describe(session, d)},
             "start_form": [f.to_json() for f in start_form(d)]}
            for d, n in list_definitions(session)]


_CASE_VERSION_OF_TASK = (
    sa.select(HumanTask.instance_id, Instance.version)
    .join(Instance, Instance.id == HumanTask.instance_id).where(HumanTask.id == sa.bindparam("task_id"))
)


def case_version_of_task(session: Session, task_id: str) -> tuple[int, int] | None:
    """(instance id, version) of the case a task belongs to: what an ETag of the task stands for."""
    row = session.execute(_CASE_VERSION_OF_TASK, {"task_id": task_id}).first()
    return (row.instance_id, row.version) if row else None
