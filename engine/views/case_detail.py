"""One case as the staff who may see it read it: its header, the data by the form that recorded it, the
timeline from the audit log, and which elements of its diagram are done, waiting now and overdue.

Read-only: the workflow state is loaded and looked at, nothing runs and nothing is saved. Who may open a
case is not decided here (the caller checks it first); this module only describes one. Called by the web
UI's case page (``/cases/<case number>``).
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
from engine.runtime.progress import elements_passed
from engine.runtime.workflow import specs_of
from engine.storage.models import CandidateKind, Case, HumanTask, Instance, TaskCandidate, TaskState
from engine.time.school_time import school_time

START_FORM = ""  # FormRecord.form of the data a case was started with (the page names it)


@dataclass(frozen=True)
class DiagramMarks:
    """BPMN element ids of the case's diagram: completed steps, tasks waiting now, and those overdue.

    ``overdue`` is a subset of ``current``; ``done`` never holds a current element (a step done once and
    waiting again in a loop is current).
    """

    done: list[str]
    current: list[str]
    overdue: list[str]

    def to_json(self) -> dict[str, list[str]]:
        return {"done": self.done, "current": self.current, "overdue": self.overdue}


@dataclass(frozen=True)
class Entry:
    """One answered field: its label, type and value; ``shown`` is an enum answer's choice name."""

    id: str
    label: str
    type: str
    value: Any
    shown: Any


@dataclass(frozen=True)
class FormRecord:
    """The answers one form gave: the start form (``form == START_FORM``) or a completed task's."""

    form: str
    by: str | None
    on_behalf_of: str | None
    at: datetime
    entries: list[Entry]


@dataclass(frozen=True)
class TimelineEvent:
    """One audit event of the case: what happened, when, by whom, on whose behalf (duty cover)."""

    seq: int
    at: datetime
    kind: str
    actor: str | None
    on_behalf_of: str | None
    subject: str | None  # the task or timer it concerns, by name; the version moved to for a migration
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenTask:
    id: str
    name: str
    assignee: str | None
    groups: list[str]
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseDetail:
    instance_id: int
    case_number: str
    title: str | None
    status: str
    error: str | None
    process_key: str
    procedure: str
    version: int
    started_by: str | None
    started_at: datetime
    closed_at: datetime | None
    open_tasks: list[OpenTask]
    forms: list[FormRecord]
    timeline: list[TimelineEvent]
    marks: DiagramMarks


def case_detail(session: Session, case_number: str, now: datetime) -> CaseDetail:
    """The case with that number, described for its page; times in the school's time zone.

    :raises NotFound: no case has that number.
    """
    instance = _instance_by_number(session, case_number)
    zone = school_time(session).tz
    definition = instance.definition
    case = instance.case
    assert case is not None
    tasks = _open_tasks(session, instance.id, now)
    events = audit.instance_events(session, instance.id)
    return CaseDetail(
        instance_id=instance.id, case_number=case.number, title=case.title, status=str(instance.status),
        error=instance.error, process_key=instance.process_key,
        procedure=definition.name or instance.process_key, version=definition.version,
        started_by=instance.started_by, started_at=instance.started_at.astimezone(zone),
        closed_at=instance.completed_at.astimezone(zone) if instance.completed_at else None,
        open_tasks=[OpenTask(t.id, t.name, t.assignee, t.groups, t.due_at and t.due_at.astimezone(zone),
                             t.overdue) for t in tasks],
        forms=_forms(definition, events, zone),
        timeline=[_timeline_event(definition, e, zone) for e in events],
        marks=diagram_marks(session, instance, now),
    )


def diagram_xml(session: Session, case_number: str) -> str:
    """The BPMN file of the version the case runs on, to draw it.

    :raises NotFound: no case has that number.
    """
    return _instance_by_number(session, case_number).definition.bpmn_xml


def diagram_marks(session: Session, instance: Instance, now: datetime) -> DiagramMarks:
    """Which elements of ``instance``'s diagram are done, waiting now, and overdue at ``now``."""
    tasks = _open_tasks(session, instance.id, now)
    current = list(dict.fromkeys(t.bpmn_id for t in tasks))
    overdue = list(dict.fromkeys(t.bpmn_id for t in tasks if t.overdue))
    passed = elements_passed(session, instance, now)
    current += [e for e in passed.waiting_events if e not in current]
    return DiagramMarks(done=[e for e in passed.completed if e not in current], current=current,
                        overdue=overdue)


@dataclass(frozen=True)
class _Task:
    id: str
    bpmn_id: str
    name: str
    assignee: str | None
    groups: list[str]
    due_at: datetime | None
    overdue: bool


def _open_tasks(session: Session, instance_id: int, now: datetime) -> list[_Task]:
    rows = session.execute(
        sa.select(HumanTask.id, HumanTask.bpmn_id, HumanTask.name, HumanTask.assignee, HumanTask.due_at)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == TaskState.OPEN)
        .order_by(HumanTask.created_at, HumanTask.id)
    ).all()
    groups: dict[str, list[str]] = {r.id: [] for r in rows}
    if rows:
        for task_id, name in session.execute(
                sa.select(TaskCandidate.task_id, TaskCandidate.name)
                .where(TaskCandidate.task_id.in_(list(groups)), TaskCandidate.kind == CandidateKind.GROUP)
                .order_by(TaskCandidate.name)):
            groups[task_id].append(name)
    return [_Task(r.id, r.bpmn_id, r.name or r.bpmn_id, r.assignee, groups[r.id], r.due_at,
                  bool(r.due_at and r.due_at < now)) for r in rows]


def _instance_by_number(session: Session, case_number: str) -> Instance:
    instance = session.scalar(sa.select(Instance).join(Case, Case.instance_id == Instance.id)
                              .where(Case.number == case_number.strip().upper()))
    if instance is None:
        raise NotFound(f"no case {case_number}")
    return instance


def _fields_of(definition: Any, bpmn_id: str | None) -> dict[str, FormField]:
    """The form fields of user task ``bpmn_id`` (of the start event for None), by id; empty if none."""
    if bpmn_id is None:
        return {f.id: f for f in start_info(definition).fields}
    spec, subprocesses = specs_of(definition)
    for s in (spec, *subprocesses.values()):
        if bpmn_id in s.task_specs:
            return {f.id: f for f in form_fields(s.task_specs[bpmn_id])}
    return {}


def _name_of(definition: Any, bpmn_id: str) -> str:
    spec, subprocesses = specs_of(definition)
    for s in (spec, *subprocesses.values()):
        task_spec = s.task_specs.get(bpmn_id)
        if task_spec is not None:
            return task_spec.bpmn_name or bpmn_id
    return bpmn_id


def _forms(definition: Any, events: list[Any], zone: Any) -> list[FormRecord]:
    out = []
    for e in events:
        if e.kind not in ("instance.started", "task.completed"):
            continue
        payload = json.loads(e.payload)
        data = payload.get("data") or {}
        if not data:
            continue
        started = e.kind == "instance.started"
        # A field the current version no longer declares keeps its answer, labelled by its id.
        fields = _fields_of(definition, None if started else payload.get("task"))
        entries = []
        for key, value in data.items():
            f = fields.get(key)
            choices = dict(f.values) if f is not None else {}
            entries.append(Entry(key, f.label if f else key, f.type if f else "string", value,
                                 choices.get(value, value) if isinstance(value, str) else value))
        order = list(fields)
        entries.sort(key=lambda x: order.index(x.id) if x.id in fields else len(order))
        form = START_FORM if started else (payload.get("name") or payload.get("task") or "")
        out.append(FormRecord(form, e.actor, payload.get("on_behalf_of"), e.at.astimezone(zone), entries))
    return out


def _timeline_event(definition: Any, e: Any, zone: Any) -> TimelineEvent:
    payload = json.loads(e.payload)
    subject = payload.get("name")
    if subject is None and payload.get("task"):
        subject = _name_of(definition, payload["task"])
    if payload.get("timer"):
        subject = _name_of(definition, payload["timer"])
    if e.kind.startswith("instance.migrat"):
        subject = str(payload.get("to_version") or payload.get("to") or "")
    detail = {k: v for k, v in payload.items() if k in ("previous", "to", "reason", "from_version",
                                                        "to_version")}
    return TimelineEvent(e.seq, e.at.astimezone(zone), e.kind, e.actor, payload.get("on_behalf_of"),
                         subject, detail)
