"""Database tables (SQLAlchemy 2.0 typed ORM). The schema itself is created by Alembic migrations.

Query-facing facts (who may do a task, when it is due) live in columns; the SpiffWorkflow state is an
opaque JSON document on ``Instance.state`` that only ``engine.storage.store`` reads and writes.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"
    CANCELLED = "cancelled"


class TaskState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CandidateKind(StrEnum):
    USER = "user"
    GROUP = "group"
    EXCLUDED = "excluded"  # never sees the task, whatever their groups (e.g. the accused staff member)


user_groups = sa.Table(
    "user_groups",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(128))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))  # argon2id; None: cannot sign in
    locale: Mapped[str | None] = mapped_column(sa.String(16))  # the web UI's language, None: browser's
    groups: Mapped[list[Group]] = relationship(secondary=user_groups, back_populates="members")

    def __repr__(self) -> str:
        return f"<User {self.name}>"


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    members: Mapped[list[User]] = relationship(secondary=user_groups, back_populates="groups")

    def __repr__(self) -> str:
        return f"<Group {self.name}>"


class Definition(Base):
    """One immutable version of a deployed process; instances stay on the version they started with."""

    __tablename__ = "definitions"
    __table_args__ = (sa.UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(sa.String(128), index=True)
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(sa.String(255))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    bpmn_xml: Mapped[str] = mapped_column(sa.Text)
    spec_json: Mapped[str] = mapped_column(sa.Text)
    properties: Mapped[dict[str, Any]]
    allow_scripts: Mapped[bool] = mapped_column(default=False)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(sa.String(64))
    # Uploaded for review: new cases keep starting on the active version until an administrator activates
    # this one (engine.definitions.activation). The active version is the highest one not staged.
    staged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    def __repr__(self) -> str:
        return f"<Definition {self.process_key} v{self.version}>"


class LaneGroup(Base):
    """An administrator's mapping of a lane to a group, per process key (overrides "group named like the lane")."""

    __tablename__ = "lane_groups"

    process_key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    lane: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    group_name: Mapped[str] = mapped_column(sa.String(64))


class Instance(Base):
    """One running or finished case; ``state`` is the SpiffWorkflow state without the spec."""

    __tablename__ = "instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(sa.String(128), index=True)
    status: Mapped[InstanceStatus] = mapped_column(sa.String(16), index=True)
    state: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)
    started_by: Mapped[str | None] = mapped_column(sa.String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)

    definition: Mapped[Definition] = relationship(lazy="joined", innerjoin=True)
    case: Mapped[Case | None] = relationship(lazy="joined", uselist=False, viewonly=True)

    # A save whose version no longer matches the row raises StaleDataError -> ConcurrentUpdate.
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Instance {self.id} {self.process_key} {self.status}>"


class HumanTask(Base):
    """A user task waiting for (or done by) a person: what inboxes query."""

    __tablename__ = "human_tasks"
    __table_args__ = (sa.Index("ix_human_tasks_inbox", "state", "assignee", "process_key", "due_at", "priority",
                               "id"),
                      sa.Index("ix_human_tasks_open_due", "state", "due_at", "id"),
                      sa.Index("ix_human_tasks_open_priority", "state", "priority", "due_at", "id"))

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    lane: Mapped[str | None] = mapped_column(sa.String(255))
    state: Mapped[TaskState] = mapped_column(sa.String(16))
    assignee: Mapped[str | None] = mapped_column(sa.String(64))
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    priority: Mapped[int | None]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(sa.String(64))
    # The instance's procedure, copied by a database trigger when the row is inserted (migration 0013):
    # the inbox counts and filters a person's tasks by procedure without a look-up per task.
    process_key: Mapped[str | None] = mapped_column(sa.String(128), server_default=sa.FetchedValue())

    candidates: Mapped[list[TaskCandidate]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="task"
    )
    instance: Mapped[Instance] = relationship()

    def candidate_names(self, kind: CandidateKind) -> list[str]:
        return sorted(c.name for c in self.candidates if c.kind == kind)

    def __repr__(self) -> str:
        return f"<HumanTask {self.bpmn_id} {self.state} {self.assignee}>"


class TaskCandidate(Base):
    """A user or group that may claim a task."""

    __tablename__ = "task_candidates"
    __table_args__ = (sa.Index("ix_task_candidates_inbox", "kind", "name", "task_state", "task_assignee",
                               "task_process_key", "task_due_at", "task_priority", "task_id"),)

    task_id: Mapped[str] = mapped_column(
        sa.ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[CandidateKind] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # Copies of the task's columns the inbox filters and sorts by (migration 0013): written by database
    # triggers when the row is inserted and whenever the task's state or assignee changes, never by code.
    # With them a person's queue is one range of ``ix_task_candidates_inbox`` (engine.views.inbox).
    task_state: Mapped[str | None] = mapped_column(sa.String(16), server_default=sa.FetchedValue())
    task_assignee: Mapped[str | None] = mapped_column(sa.String(64), server_default=sa.FetchedValue())
    task_due_at: Mapped[datetime | None] = mapped_column(server_default=sa.FetchedValue())
    task_priority: Mapped[int | None] = mapped_column(server_default=sa.FetchedValue())
    task_process_key: Mapped[str | None] = mapped_column(sa.String(128), server_default=sa.FetchedValue())

    task: Mapped[HumanTask] = relationship(back_populates="candidates")


class EvidenceFile(Base):
    """An uploaded file's content, stored once however often it is uploaded (key: its SHA-256)."""

    __tablename__ = "evidence_files"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime]


class EvidenceUpload(Base):
    """One upload of a file to a case: who may download it follows from who may see the case."""

    __tablename__ = "evidence_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("evidence_files.sha256"))
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime]


class Case(Base):
    """The case record of an instance: its number and the facts people search by."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    process_key: Mapped[str] = mapped_column(sa.String(128), index=True)
    title: Mapped[str | None] = mapped_column(sa.String(255))
    category: Mapped[str | None] = mapped_column(sa.String(128))
    channel: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[InstanceStatus] = mapped_column(sa.String(16))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    tracking_hash: Mapped[str | None] = mapped_column(sa.String(64))  # hash of the complainant's tracking code


class CaseSequence(Base):
    """The last case number handed out per prefix and year."""

    __tablename__ = "case_sequences"

    prefix: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int]


class AuditEvent(Base):
    """An append-only, hash-chained record of everything that happened; never updated."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(sa.String(64))
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    instance_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash; lets verification notice deleted trailing events."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))


class CalendarEntryKind(StrEnum):
    CLOSURE = "closure"  # a day the school is closed although it would be a working day
    WORKDAY = "workday"  # a day the school works although it would be a day off


class CalendarEntry(Base):
    """A day an administrator entered: a closure or an extra working day, overriding the national calendar."""

    __tablename__ = "calendar_entries"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    kind: Mapped[CalendarEntryKind] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime]


class TimerStatus(StrEnum):
    WAITING = "waiting"
    FIRED = "fired"
    CANCELLED = "cancelled"
    ERROR = "error"  # firing failed; the instance is marked in error with the reason


class Timer(Base):
    """A timer waiting inside an instance; the worker fires it when ``due_at`` has passed."""

    __tablename__ = "timers"
    __table_args__ = (sa.Index("ix_timers_status_due_at", "status", "due_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[TimerStatus] = mapped_column(sa.String(16))
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]


class Schedule(Base):
    """A timer start event of the latest version of a procedure: each firing starts a new instance."""

    __tablename__ = "schedules"
    __table_args__ = (sa.UniqueConstraint("process_key", "bpmn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(sa.String(128))
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("definitions.id"))
    bpmn_id: Mapped[str] = mapped_column(sa.String(255))
    expression: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16))  # date | duration | cycle | cron
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    cycle: Mapped[dict[str, Any] | None]  # a repeating schedule's state (timer_math.Cycle.to_json)
    active: Mapped[bool] = mapped_column(default=True)
    last_fired_at: Mapped[datetime | None]


class ProcessParam(Base):
    """An administrator's value for a procedure's named parameter (``param.NAME``), overriding the file's default.

    Kept per process key, so it survives new versions of the file; a name the latest version no longer
    declares is ignored.
    """

    __tablename__ = "process_params"

    process_key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(sa.String(64))


class Setting(Base):
    """A school-wide setting an administrator changed (e.g. the office-day end); absent means the default."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(sa.String(64))


class Substitution(Base):
    """Duty cover: while ``starts_at <= now < ends_at`` the substitute sees and may do the user's tasks."""

    __tablename__ = "substitutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    substitute_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    cancelled_at: Mapped[datetime | None]


class ApiToken(Base):
    """A token a program sends as ``Authorization: Bearer …``; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(128))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the first characters, to tell tokens apart in lists
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class DefinitionDraft(Base):
    """A procedure file an administrator is editing in the browser and has not deployed yet: kept when a
    save is refused (with the reasons), so nothing typed is lost. One per administrator and process key
    (the empty key: a new diagram not yet saved under its own key)."""

    __tablename__ = "definition_drafts"
    __table_args__ = (sa.UniqueConstraint("process_key", "author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(sa.String(128))
    author: Mapped[str] = mapped_column(sa.String(64))
    based_on_version: Mapped[int | None]
    bpmn_xml: Mapped[str] = mapped_column(sa.Text)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON())
    saved_at: Mapped[datetime]
