"""What a complainant sees of their case, with its case number and tracking code (P3 clause 10).

The view holds the case number, the procedure's name, the status in plain Chinese, when the case was
opened and closed, the names of the steps done and waiting (a user task's ``publicName`` extension
property, where the procedure gives one, else its name; never its BPMN id), and the values of the fields the procedure
declares public (``publicFields``, see ``engine.definitions.public``) once a form has given them. Never
who did a step, lanes, groups, internal notes or any other form data.

A wrong case number and a wrong code give the same ``NotFound`` with the same message, after the same
work, so the answer does not tell which was wrong. Lookups write nothing: a failed one is logged (an
operator may throttle the address), since a database write per guess would let anyone on the internet
grow the database; codes are long enough that guessing is hopeless anyway (``engine.cases.tracking_codes``).
Called by the web UI's public tracking page and the ``schoolflow track`` command.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.definitions import public_fields
from engine.errors import NotFound
from engine.definitions.forms import FormField
from engine.storage.models import Case, HumanTask, Instance, InstanceStatus
from engine.runtime.progress import case_progress
from engine.runtime.workflow import specs_of
from engine.time.school_time import school_time
from engine.cases.tracking_codes import code_matches

__all__ = ["NO_MATCH", "CaseTracking", "PublicValue", "Stage", "track"]

logger = logging.getLogger(__name__)

NO_MATCH = "no case has this case number and tracking code"
PUBLIC_NAME = "publicName"  # a user task's extension property: its name on the tracking page
UNNAMED_STEP = "办理环节"  # a task without a name is never shown by its BPMN id
MAX_INPUT = 64  # longer input is no case number or code; it is refused without hashing megabytes

# status: (what the JSON says, what the complainant reads)
RECEIVED, IN_PROGRESS = ("received", "已受理"), ("in_progress", "处理中")
CLOSED, ENDED = ("closed", "已办结"), ("ended", "已终止")


@dataclass(frozen=True)
class Stage:
    """A step of the procedure: done (``at`` is when), or waiting now (``at`` is since when)."""

    name: str
    done: bool
    at: datetime | None


@dataclass(frozen=True)
class PublicValue:
    """A public field's label and its value as the complainant reads it (choices by name, 是/否)."""

    id: str
    label: str
    value: str


@dataclass(frozen=True)
class CaseTracking:
    """The view; its times are in the school's time zone."""

    case_number: str
    procedure: str
    status: str  # received | in_progress | closed | ended
    status_text: str  # 已受理 | 处理中 | 已办结 | 已终止
    opened_at: datetime
    closed_at: datetime | None
    stages: list[Stage] = field(default_factory=list)
    result: list[PublicValue] = field(default_factory=list)
    as_of: datetime | None = None

    @property
    def current(self) -> list[str]:
        """The steps waiting now."""
        return [s.name for s in self.stages if not s.done]

    def to_json(self) -> dict[str, Any]:
        """The shape ``schoolflow track --json`` prints (see README, "JSON shapes")."""
        return {
            "case_number": self.case_number, "procedure": self.procedure, "status": self.status,
            "status_text": self.status_text, "opened_at": local_time(self.opened_at),
            "closed_at": local_time(self.closed_at),
            "stages": [{"name": s.name, "done": s.done, "at": local_time(s.at)} for s in self.stages],
            "current": self.current,
            "result": [{"id": v.id, "label": v.label, "value": v.value} for v in self.result],
            "as_of": local_time(self.as_of),
        }


def local_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def track(session: Session, case_number: str, code: str, now: datetime) -> CaseTracking:
    """The complainant's view of the case numbered ``case_number``, if ``code`` is its tracking code.

    Case and spaces around the number, and case, dashes and look-alike letters in the code, do not matter.

    :raises NotFound: no such case, or the code is not its code (the same message for both).
    """
    number = unicodedata.normalize("NFKC", case_number).strip().upper()
    case = None
    if len(number) <= MAX_INPUT and len(code) <= MAX_INPUT:
        case = session.scalar(sa.select(Case).where(Case.number == number))
    if not code_matches(case.tracking_hash if case else None, number, code[:MAX_INPUT]):
        logger.warning("tracking lookup failed for case number %r", number[:MAX_INPUT])
        raise NotFound(NO_MATCH)
    assert case is not None  # code_matches is false without a case
    instance = session.get(Instance, case.instance_id)
    assert instance is not None  # a case row is deleted with its instance
    progress = case_progress(session, instance, now)
    times = {r.id: r for r in session.execute(
        sa.select(HumanTask.id, HumanTask.created_at, HumanTask.completed_at, HumanTask.bpmn_id)
        .where(HumanTask.instance_id == instance.id))}
    tz = school_time(session).tz

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz) if moment else None

    public = public_step_names(instance.definition)
    stages: list[Stage] = []
    for step in progress.steps:
        row = times.get(step.task_id)
        at = (row.completed_at if step.done else row.created_at) if row is not None else None
        bpmn_id = row.bpmn_id if row is not None else None
        name = public.get(bpmn_id or "") or (step.name if step.name != bpmn_id else UNNAMED_STEP)
        if stages and stages[-1].name == name and stages[-1].done == step.done:
            stages[-1] = Stage(name, step.done, local(at) if step.done else stages[-1].at)  # one step to read
        else:
            stages.append(Stage(name, step.done, local(at)))
    status, status_text = _status(instance.status, stages)
    result = [PublicValue(f.id, f.label, shown) for f in public_fields(instance.definition)
              if (shown := _shown(f, progress.data.get(f.id))) is not None]
    return CaseTracking(case.number, instance.definition.name or instance.process_key, status, status_text,
                        local(case.opened_at), local(case.closed_at), stages, result, local(now))


def public_step_names(definition: Any) -> dict[str, str]:
    """The names user tasks give the complainant (``publicName``), by BPMN id; tasks without one are
    shown by their own name. The same public name on several steps in a row is read as one step."""
    spec, subprocesses = specs_of(definition)
    out = {}
    for s in (spec, *subprocesses.values()):
        for bpmn_id, task_spec in s.task_specs.items():
            name = str((getattr(task_spec, "extensions", None) or {}).get(PUBLIC_NAME) or "").strip()
            if name:
                out[bpmn_id] = name
    return out


def _status(status: str, stages: list[Stage]) -> tuple[str, str]:
    if status == InstanceStatus.COMPLETED:
        return CLOSED
    if status == InstanceStatus.CANCELLED:
        return ENDED
    # A case in error is the school's to repair; for the complainant it is still being handled.
    return IN_PROGRESS if any(s.done for s in stages) else RECEIVED


def _shown(f: FormField, value: Any) -> str | None:
    """A value as the complainant reads it, or ``None`` while the field has none."""
    if value is None or value == "" or value == []:
        return None
    if f.type == "boolean":
        return "是" if value else "否"
    if f.type == "enum":
        return dict(f.values).get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
