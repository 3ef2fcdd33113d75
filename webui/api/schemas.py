"""The API's request and response shapes: the OpenAPI document is generated from these models.

The task, case and tracking shapes are those of ``schoolflow tasks --json``, ``show --json`` and
``track --json`` (README, "JSON shapes"); a changed shape here changes the document.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_OPEN = ConfigDict(extra="allow")  # later fields may be added without breaking a client


class Error(BaseModel):
    error: str = Field(
        description="a stable code: bad_request, unauthorized, forbidden, not_found, conflict, "
        "precondition_failed, too_large, invalid_input, …"
    )
    message: str = Field(description="one sentence for a person")
    fields: dict[str, str] = Field(default_factory=dict, description="field id → what is wrong with it")


class Choice(BaseModel):
    id: str
    name: str


class FormFieldOut(BaseModel):
    """One field of a form: the key ``id`` in the ``data`` a client sends, and what its value must be."""

    model_config = _OPEN
    id: str = Field(description="the key of this field's value in `data`")
    label: str = Field(description="what the form calls it, for a person")
    type: Literal["string", "long", "boolean", "date", "enum", "file"]
    required: bool = Field(description="true: `data` must give this field a value")
    readonly: bool = Field(description="true: shown with `value`, never sent back (a value sent is ignored)")
    values: list[Choice] = Field(description="the choices of an enum field (send the `id`)")
    value_schema: dict[str, Any] = Field(
        alias="schema",
        description="a JSON Schema (2020-12) of the value this field takes in `data`: type, limits, choices",
    )
    with_time: bool = Field(default=False, description="a date field that also takes a time of day")
    value: Any = Field(default=None, description="a read-only field's value, as the case holds it")


class Task(BaseModel):
    model_config = _OPEN
    id: str
    instance_id: int
    case_number: str | None
    process_key: str
    name: str | None
    lane: str | None
    assignee: str | None
    candidate_groups: list[str]
    due_at: str | None
    priority: int | None
    overdue: bool = False
    on_behalf_of: str | None
    form: list[FormFieldOut] = Field(
        description="the fields `POST /tasks/{task_id}/complete` takes in `data` (empty: free data)"
    )


class Counts(BaseModel):
    all: int
    mine: int
    queue: int
    covered: int
    overdue: int


class TaskPage(BaseModel):
    items: list[Task]
    counts: Counts
    next: str | None = Field(description="the URL of the next page, or null on the last")


class TaskQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    view: Literal["all", "mine", "queue", "covered", "overdue"] = "all"
    sort: Literal["due", "priority"] = "due"
    procedure: str | None = Field(default=None, max_length=128)
    case_number: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=400)


class HistoryEvent(BaseModel):
    model_config = _OPEN
    seq: int
    at: str | None
    kind: str
    actor: str | None
    detail: Any = Field(description="what happened, as JSON text")


class InstanceOut(BaseModel):
    model_config = _OPEN
    id: int
    process_key: str
    version: int
    status: str
    error: str | None
    case_number: str | None
    title: str | None
    started_by: str | None
    started_at: str | None
    completed_at: str | None
    open_tasks: list[Task]
    history: list[HistoryEvent]


class CaseSummary(BaseModel):
    id: int
    case_number: str | None
    process_key: str
    status: str
    started_at: str | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    next: str | None


class CaseQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=40)


class DataIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="the answers to the form, by field `id`: to start a case, the procedure's "
        "`start_form` (`GET /definitions`); to complete a task, the task's `form`. Each value matches its "
        "field's `schema`; every field with `required: true` has one; read-only fields and ids the form "
        "does not have are left out. A form without fields takes any object of plain values.",
    )


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=1, max_length=64)


class Started(BaseModel):
    id: int
    case_number: str | None
    status: str
    tracking_code: str | None = Field(description="for the complainant; shown only in this response")


class TaskDone(BaseModel):
    id: str
    instance_id: int
    instance_status: str


class Definition(BaseModel):
    model_config = _OPEN
    key: str
    name: str | None
    version: int
    versions: int
    file: str | None
    deployed_at: str | None
    allow_scripts: bool
    params: dict[str, Any] = Field(default_factory=dict)
    start_form: list[FormFieldOut] = Field(
        default_factory=list,
        description="the fields `POST /processes/{key}/instances` takes in `data` (empty: free data)",
    )


class Deployed(BaseModel):
    key: str
    version: int
    created: bool = Field(description="false when the same content was already the latest version")
    file: str


class Problem(BaseModel):
    file: str
    line: int | None
    element_id: str | None
    message: str


class Refused(Error):
    problems: list[Problem]


class Stage(BaseModel):
    name: str
    done: bool
    at: str | None


class PublicValue(BaseModel):
    id: str
    label: str
    value: str | None


class Tracking(BaseModel):
    model_config = _OPEN
    case_number: str
    procedure: str | None
    status: str
    status_text: str
    opened_at: str | None
    closed_at: str | None
    stages: list[Stage]
    current: list[str]
    result: list[PublicValue]
    as_of: str | None


class TrackingHeaders(BaseModel):
    x_tracking_code: str = Field(alias="X-Tracking-Code", min_length=1, max_length=32)
