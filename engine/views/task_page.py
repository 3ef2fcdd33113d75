"""One task as the person working on it sees it: what they may do (and why not), its form, and the case
so far (its data labelled by the forms that recorded it, and its history).

Who may open it: anyone who sees the task in their list (``queries.visible_to``); a candidate of a task
someone else has claimed sees it read-only with the reason. A finished or withdrawn task is shown (as
"someone else acted first") only to people who may see its case (``visibility.may_see_case``, the one rule).
Everyone else gets ``NotFound``, exactly as for a task that does not exist.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.definitions.forms import FormField, form_fields
from engine.definitions.starting import start_info
from engine.errors import NotFound
from engine.people.assignment import is_candidate, is_excluded
from engine.people.users import get_user
from engine.storage import store
from engine.storage.models import Case, HumanTask, Instance, TaskState
from engine.views.visibility import may_see_case
from engine.views.queries import read_task_data, task_spec, visible_to


@dataclass(frozen=True)
class Entry:
    """One recorded value: the form's label for it, its type (``file``: evidence references), and for a
    choice the name the form gives it (``shown``; the value itself otherwise)."""

    label: str
    type: str
    value: Any
    shown: Any = None


@dataclass(frozen=True)
class Recorded:
    form: str  # the task's (or start event's) name
    at: datetime
    actor: str | None
    on_behalf_of: str | None
    entries: list[Entry]


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: str
    actor: str | None
    on_behalf_of: str | None
    task: str | None


@dataclass
class TaskView:
    id: str
    instance_id: int
    case_number: str | None
    process_key: str
    procedure: str
    name: str
    state: str
    assignee: str | None
    completed_by: str | None
    due_at: datetime | None
    priority: int | None
    fields: list[FormField]
    values: dict[str, Any]  # the case's current value of each form field (readonly ones are shown)
    may_claim: bool = False
    may_unclaim: bool = False
    may_complete: bool = False
    reason: str | None = None  # why the user may not act, in a sentence (None: they may)
    on_behalf_of: str | None = None
    overdue: bool = False  # open and past its due time
    recorded: list[Recorded] = field(default_factory=list)
    history: list[Step] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.state == TaskState.OPEN


def _visible_row(session: Session, user: str, now: datetime, task_id: str) -> Any:
    condition, own = visible_to(sa.literal(user), sa.literal(now, type_=store.TASKS.c.due_at.type))
    return session.execute(sa.select(own.label("own")).select_from(store.TASKS)
                           .where(store.TASKS.c.id == task_id, condition)).first()


def task_view(session: Session, user: str, task_id: str, now: datetime) -> TaskView:
    """The task page's content for ``user``. :raises NotFound: see the module's rule."""
    task = session.get(HumanTask, task_id) if len(task_id) <= 36 else None
    if task is None:
        raise NotFound("no such task")
    actor = get_user(session, user)
    instance = session.get(Instance, task.instance_id)
    assert instance is not None
    visible = _visible_row(session, user, now, task_id) if task.state == TaskState.OPEN else None
    reason = None
    if visible is None:
        if task.state == TaskState.OPEN and is_candidate(actor, task) and task.assignee not in (None, user):
            reason = f"task '{task.name or task.bpmn_id}' is claimed by {task.assignee}"
        elif task.state != TaskState.OPEN and may_see_case(session, user, instance.id, now=now):
            reason = None
        else:
            raise NotFound("no such task")
    case = session.scalar(sa.select(Case).where(Case.instance_id == instance.id))
    spec = task_spec(instance.definition, task.bpmn_id)
    fields = form_fields(spec) if spec is not None else []
    view = TaskView(
        id=task.id, instance_id=instance.id, case_number=case.number if case else None,
        process_key=instance.process_key, procedure=instance.definition.name or instance.process_key,
        name=task.name or task.bpmn_id, state=str(task.state), assignee=task.assignee,
        completed_by=task.completed_by, due_at=task.due_at, priority=task.priority, fields=fields,
        values={}, reason=reason,
        overdue=bool(task.state == TaskState.OPEN and task.due_at is not None and task.due_at < now),
    )
    if visible is not None:
        own = bool(visible.own)
        view.may_complete = True
        view.may_claim = task.assignee is None
        view.may_unclaim = task.assignee == user or (task.assignee is not None and actor.is_admin)
        if not own:
            view.on_behalf_of = task.assignee  # the covered colleague (None: a candidate user of it)
    if is_excluded(actor, task):  # never reached through the list, but a rule read twice is safer
        raise NotFound("no such task")
    view.recorded, view.history, view.values = _case_so_far(session, instance)
    if task.state == TaskState.OPEN and any(f.readonly for f in fields):
        # what the engine computed for this task (report counts, P5's offence count, a deadline) is in
        # the task's data only, never in an answer recorded in the audit log
        data = read_task_data(session, instance.definition, task)
        view.values.update({f.id: data[f.id] for f in fields if f.readonly and f.id in data})
    return view


def _payload(event: Any) -> dict[str, Any]:
    data = event.payload
    if isinstance(data, str):
        try:
            data = json.loads(data) if data else {}
        except ValueError:
            data = {}
    return data if isinstance(data, dict) else {}


def _case_so_far(session: Session, instance: Instance) -> tuple[list[Recorded], list[Step], dict[str, Any]]:
    definition = instance.definition
    recorded: list[Recorded] = []
    history: list[Step] = []
    values: dict[str, Any] = {}
    for event in audit.instance_events(session, instance.id):
        detail = _payload(event)
        # Claims and the like record the task's BPMN id only: people read the task's name.
        name = detail.get("name") or _task_name(definition, detail.get("task"))
        history.append(Step(event.at, event.kind, event.actor, detail.get("on_behalf_of"), name))
        if event.kind == "instance.started":
            fields = start_info(definition).fields
            form = start_info(definition).start_event or "start"
            data = detail.get("data") or {}
            label = "start"
        elif event.kind == "task.completed":
            spec = task_spec(definition, detail.get("task") or "")
            fields = form_fields(spec) if spec is not None else []
            data = detail.get("data") or {}
            label = name or ""
            form = label
        else:
            continue
        if not isinstance(data, dict) or not data:
            continue
        by_id = {f.id: f for f in fields}
        order = list(by_id)
        entries = [_entry(by_id.get(k), k, v)
                   for k, v in sorted(data.items(), key=lambda kv: order.index(kv[0]) if kv[0] in by_id
                                      else len(order))]
        values.update(data)
        recorded.append(Recorded(label if label != "start" else form, event.at, event.actor,
                                 detail.get("on_behalf_of"), entries))
    return recorded, history, values


def _entry(f: FormField | None, key: str, value: Any) -> Entry:
    """A recorded value in the form's order and words; a field the version no longer has keeps its id."""
    if f is None:
        return Entry(key, "string", value, value)
    shown = dict(f.values).get(value, value) if f.type == "enum" and isinstance(value, str) else value
    return Entry(f.label, f.type, value, shown)


def _task_name(definition: Any, bpmn_id: str | None) -> str | None:
    if not bpmn_id:
        return None
    spec = task_spec(definition, bpmn_id)
    return (getattr(spec, "bpmn_name", None) or bpmn_id) if spec is not None else bpmn_id
