"""The instance store: what starting a case, completing a task and firing a timer read and write.

These run all day, so they are prebuilt SQLAlchemy Core statements run as ``prepared.Prepared`` on the
session's connection (inside the caller's transaction) instead of ORM loads and flushes: the ORM's
identity map and unit of work, then SQLAlchemy's per-execution overhead, cost more than SpiffWorkflow's
own work per step (see docs/benchmarks.md). The ORM models stay the schema and serve every other read
and write. A stale save is still refused: the instance row is locked while it is read
(``FOR UPDATE`` where the database has it; SQLite's ``BEGIN IMMEDIATE`` holds the whole file) and the
update only applies to the version that was read.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.errors import ConcurrentUpdate, NotFound
from engine.storage.models import Case, CaseSequence, Definition, HumanTask, Instance, InstanceStatus, LaneGroup, TaskCandidate, TaskState, Timer, TimerStatus, User, user_groups
from engine.storage.prepared import Prepared

TASKS, INSTANCES, DEFINITIONS = HumanTask.__table__, Instance.__table__, Definition.__table__
CASES, CANDIDATES, TIMERS, USERS = Case.__table__, TaskCandidate.__table__, Timer.__table__, User.__table__
GROUPS = User.groups.property.mapper.local_table


@dataclass(frozen=True)
class DefinitionBody:
    """The immutable, bulky part of a definition version; the same bytes give the same body."""

    spec_json: str
    bpmn_xml: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class DefinitionRef:
    """A definition version as the hot path needs it; reads like ``models.Definition`` where it is used."""

    id: int
    process_key: str
    version: int
    name: str | None
    content_hash: str
    allow_scripts: bool
    body: DefinitionBody

    @property
    def spec_json(self) -> str:
        return self.body.spec_json

    @property
    def bpmn_xml(self) -> str:
        return self.body.bpmn_xml

    @property
    def properties(self) -> dict[str, Any]:
        return self.body.properties


@dataclass
class CaseRow:
    id: int
    number: str
    title: str | None
    category: str | None
    channel: str | None
    status: str
    closed_at: datetime | None


@dataclass
class InstanceRow:
    """An instance row read under lock, with its definition and case record."""

    id: int
    process_key: str
    status: str
    state: str
    version: int
    started_by: str | None
    definition: DefinitionRef
    case: CaseRow | None
    completed_at: datetime | None = None
    error: str | None = None
    started_at: datetime | None = None  # when the case was received: deadlines "from receipt" count from it


@dataclass
class TaskRow:
    id: str
    bpmn_id: str
    name: str | None
    state: str
    assignee: str | None
    completed_by: str | None


# ----------------------------------------------------------------------------------------------- reading
# What ``definition_of`` needs of a definition row, besides the instance's ``process_key``.
DEFINITION_COLUMNS = (
    DEFINITIONS.c.id.label("d_id"), DEFINITIONS.c.version.label("d_version"),
    DEFINITIONS.c.name.label("d_name"), DEFINITIONS.c.content_hash, DEFINITIONS.c.allow_scripts,
)
_INSTANCE_COLUMNS = (
    INSTANCES.c.id.label("i_id"), INSTANCES.c.process_key, INSTANCES.c.status.label("i_status"),
    INSTANCES.c.state.label("i_state"), INSTANCES.c.version.label("i_version"), INSTANCES.c.started_by,
    INSTANCES.c.started_at, *DEFINITION_COLUMNS,
    CASES.c.id.label("c_id"), CASES.c.number, CASES.c.title, CASES.c.category, CASES.c.channel,
    CASES.c.status.label("c_status"), CASES.c.closed_at,
)
_INSTANCE_JOIN = INSTANCES.join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id).outerjoin(
    CASES, CASES.c.instance_id == INSTANCES.c.id)

# The task row is locked along with its instance so that, after waiting for another transaction's lock,
# PostgreSQL re-reads both (a row of an unlocked joined table would keep its old version).
_DUE_TIMERS = Prepared(
    sa.select(TIMERS.c.id.label("t_id"), TIMERS.c.bpmn_id.label("t_bpmn_id"), TIMERS.c.kind.label("t_kind"),
              TIMERS.c.due_at.label("t_due_at"), *_INSTANCE_COLUMNS)
    .select_from(TIMERS.join(_INSTANCE_JOIN, INSTANCES.c.id == TIMERS.c.instance_id))
    .where(TIMERS.c.status == TimerStatus.WAITING, TIMERS.c.due_at <= sa.bindparam("now", type_=TIMERS.c.due_at.type))
    .order_by(TIMERS.c.due_at).limit(sa.bindparam("limit"))
    # A timer whose instance someone is working on right now is left for the next sweep, not waited for.
    .with_for_update(of=[TIMERS, INSTANCES], skip_locked=True)
)
_BODY = sa.select(DEFINITIONS.c.spec_json, DEFINITIONS.c.bpmn_xml, DEFINITIONS.c.properties).where(
    DEFINITIONS.c.id == sa.bindparam("definition_id"))
_LATEST = Prepared(
    sa.select(*DEFINITION_COLUMNS, DEFINITIONS.c.process_key)
    .where(DEFINITIONS.c.process_key == sa.bindparam("key"), DEFINITIONS.c.staged == sa.false())
    .order_by(DEFINITIONS.c.version.desc()).limit(1)
)

_BODIES: OrderedDict[tuple[str, str], DefinitionBody] = OrderedDict()
_BODY_CACHE_SIZE = 256


def definition_of(conn: sa.Connection, row: Any) -> DefinitionRef:
    """The definition version of a row read with ``DEFINITION_COLUMNS`` and ``process_key``; its bulky
    body is read once per version and process."""
    key = (row.process_key, row.content_hash)
    body = _BODIES.get(key)
    if body is None:
        b = conn.execute(_BODY, {"definition_id": row.d_id}).one()
        body = DefinitionBody(b.spec_json, b.bpmn_xml, b.properties or {})
        _BODIES[key] = body
        if len(_BODIES) > _BODY_CACHE_SIZE:
            _BODIES.popitem(last=False)
    return DefinitionRef(row.d_id, row.process_key, row.d_version, row.d_name, row.content_hash,
                         row.allow_scripts, body)


def _instance(conn: sa.Connection, row: Any) -> InstanceRow:
    case = None if row.c_id is None else CaseRow(row.c_id, row.number, row.title, row.category, row.channel,
                                                  row.c_status, row.closed_at)
    return InstanceRow(row.i_id, row.process_key, row.i_status, row.i_state, row.i_version, row.started_by,
                       definition_of(conn, row), case, started_at=row.started_at)


def lock_instance(conn: sa.Connection, instance_id: int) -> InstanceRow | None:
    """The instance with its definition and case, locked (``FOR UPDATE`` where the database has it)."""
    row = conn.execute(sa.select(*_INSTANCE_COLUMNS).select_from(_INSTANCE_JOIN)
                       .where(INSTANCES.c.id == instance_id).with_for_update(of=INSTANCES)).first()
    return None if row is None else _instance(conn, row)


def set_instance_definition(conn: sa.Connection, instance_id: int, definition_id: int) -> None:
    """Point an instance at another version of its procedure (a migration); the state is saved apart."""
    conn.execute(INSTANCES.update().where(INSTANCES.c.id == instance_id).values(definition_id=definition_id))


def waiting_timer_starts(conn: sa.Connection, instance_id: int) -> dict[str, datetime]:
    """When each waiting timer of an instance started waiting, by timer id."""
    rows = conn.execute(sa.select(TIMERS.c.id, TIMERS.c.created_at).where(
        TIMERS.c.instance_id == instance_id, TIMERS.c.status == TimerStatus.WAITING))
    return {r.id: r.created_at for r in rows}


def lock_task_for(conn: sa.Connection, task_id: str, user: str) -> tuple[TaskRow, InstanceRow, UserOnTask]:
    """The task and its instance, locked and freshly read, with how ``user`` stands to the task.

    One statement, since every completion runs it. The task row is locked along with its instance so
    that, after waiting for another transaction's lock, PostgreSQL re-reads both (a row of an unlocked
    joined table would keep its old version).

    :raises NotFound: no such user, or no such task.
    """
    row = _LOCK_TASK_FOR.first(conn, {"task_id": task_id, "user": user})
    if row is None:
        check_user(conn, user)
        raise NotFound(f"no task {task_id}")
    if row.u_name is None:
        raise NotFound(f"no user named '{user}'")
    task = TaskRow(row.id, row.bpmn_id, row.name, row.state, row.assignee, row.completed_by)
    return task, _instance(conn, row), UserOnTask(bool(row.u_excluded), bool(row.u_candidate))


@dataclass
class DueTimer:
    id: str
    bpmn_id: str
    kind: str
    due_at: datetime
    instance: InstanceRow


def claim_due_timers(conn: sa.Connection, now: datetime, limit: int) -> list[DueTimer]:
    """Up to ``limit`` of the most overdue waiting timers, locked with their instances.

    Rows other workers hold are skipped, so several workers share the due timers without waiting for
    each other. One timer per instance: a second one of the same instance waits for the next claim, since
    firing the first changes the instance it would be fired in.
    """
    out: list[DueTimer] = []
    seen: set[int] = set()
    for row in _DUE_TIMERS.rows(conn, {"now": now, "limit": limit}):
        if row.i_id not in seen:
            seen.add(row.i_id)
            out.append(DueTimer(row.t_id, row.t_bpmn_id, row.t_kind, row.t_due_at, _instance(conn, row)))
    return out


def latest_definition(conn: sa.Connection, key: str) -> DefinitionRef:
    """The version new instances of ``key`` start on. :raises NotFound: nothing deployed under ``key``."""
    row = _LATEST.first(conn, {"key": key})
    if row is None:
        raise NotFound(f"no procedure '{key}' is deployed")
    return definition_of(conn, row)


def definition_ref(definition: Definition) -> DefinitionRef:
    """The hot path's view of a definition the ORM already loaded (a schedule's)."""
    return DefinitionRef(definition.id, definition.process_key, definition.version, definition.name,
                         definition.content_hash, definition.allow_scripts,
                         DefinitionBody(definition.spec_json, definition.bpmn_xml, definition.properties or {}))


_USER_ON_TASK = sa.select(
    USERS.c.name,
    sa.exists().where(CANDIDATES.c.task_id == sa.bindparam("task_id"), CANDIDATES.c.kind == "excluded",
                      CANDIDATES.c.name == USERS.c.name).label("excluded"),
    sa.exists().where(
        CANDIDATES.c.task_id == sa.bindparam("task_id"),
        sa.or_(
            sa.and_(CANDIDATES.c.kind == "user", CANDIDATES.c.name == USERS.c.name),
            sa.and_(CANDIDATES.c.kind == "group", CANDIDATES.c.name.in_(
                sa.select(GROUPS.c.name).join(user_groups, user_groups.c.group_id == GROUPS.c.id)
                .where(user_groups.c.user_id == USERS.c.id).correlate(USERS))),
        ),
    ).label("candidate"),
).where(USERS.c.name == sa.bindparam("user"))


_USER = _USER_ON_TASK.subquery("u")
_LOCK_TASK_FOR = Prepared(
    sa.select(TASKS.c.id, TASKS.c.bpmn_id, TASKS.c.name, TASKS.c.state, TASKS.c.assignee, TASKS.c.completed_by,
              *_INSTANCE_COLUMNS, _USER.c.name.label("u_name"), _USER.c.excluded.label("u_excluded"),
              _USER.c.candidate.label("u_candidate"))
    .select_from(TASKS.join(_INSTANCE_JOIN, INSTANCES.c.id == TASKS.c.instance_id).outerjoin(_USER, sa.true()))
    .where(TASKS.c.id == sa.bindparam("task_id"))
    .with_for_update(of=[TASKS, INSTANCES])
)


@dataclass
class UserOnTask:
    excluded: bool  # the procedure keeps this task away from the user
    candidate: bool  # named, or in a named group (regardless of exclusion)


_USER_EXISTS = Prepared(sa.select(USERS.c.name).where(USERS.c.name == sa.bindparam("user")))


def check_user(conn: sa.Connection, user: str) -> str:
    """:raises NotFound: no user has that name."""
    if _USER_EXISTS.first(conn, {"user": user}) is None:
        raise NotFound(f"no user named '{user}'")
    return user


_CANDIDATE_USERS = Prepared(sa.select(CANDIDATES.c.name).where(
    CANDIDATES.c.task_id == sa.bindparam("task_id"), CANDIDATES.c.kind == "user").order_by(CANDIDATES.c.name))


def candidate_users(conn: sa.Connection, task_id: str) -> list[str]:
    return [r.name for r in _CANDIDATE_USERS.rows(conn, {"task_id": task_id})]


_LANES = Prepared(sa.select(LaneGroup.__table__.c.lane, LaneGroup.__table__.c.group_name).where(
    LaneGroup.__table__.c.process_key == sa.bindparam("key")))


def lane_groups(conn: sa.Connection, process_key: str) -> dict[str, str]:
    return {r.lane: r.group_name for r in _LANES.rows(conn, {"key": process_key})}


# ----------------------------------------------------------------------------------------------- writing
_COMPLETE_TASK = Prepared(TASKS.update().where(
    TASKS.c.id == sa.bindparam("task_id"), TASKS.c.state == TaskState.OPEN
).values(state=TaskState.COMPLETED, assignee=sa.bindparam("b_user"), completed_by=sa.bindparam("b_user"),
         completed_at=sa.bindparam("b_now", type_=TASKS.c.completed_at.type)))
_CANCEL_TASK = Prepared(TASKS.update().where(
    TASKS.c.id == sa.bindparam("task_id"), TASKS.c.state == TaskState.OPEN
).values(state=TaskState.CANCELLED, completed_at=sa.bindparam("b_now", type_=TASKS.c.completed_at.type)))
_INSERT_TASK = Prepared(TASKS.insert(), keys=[
    "id", "instance_id", "bpmn_id", "name", "lane", "state", "assignee", "due_at", "priority", "created_at",
    "completed_at", "completed_by"])
_INSERT_CANDIDATE = Prepared(CANDIDATES.insert(), keys=["task_id", "kind", "name"])
_SAVE_INSTANCE = Prepared(INSTANCES.update().where(
    INSTANCES.c.id == sa.bindparam("instance_id"), INSTANCES.c.version == sa.bindparam("b_version")
).values(
    state=sa.bindparam("b_state"), status=sa.bindparam("b_status"), version=INSTANCES.c.version + 1,
    updated_at=sa.bindparam("b_now", type_=INSTANCES.c.updated_at.type),
    completed_at=sa.bindparam("b_completed_at", type_=INSTANCES.c.completed_at.type),
))
_INSERT_INSTANCE = Prepared(INSTANCES.insert().returning(INSTANCES.c.id), keys=[
    "definition_id", "process_key", "status", "state", "version", "started_by", "started_at", "updated_at"])
_INSERT_CASE = Prepared(CASES.insert().returning(CASES.c.id), keys=[
    "number", "instance_id", "process_key", "status", "opened_at", "tracking_hash"])
_CANCEL_TIMER = Prepared(TIMERS.update().where(
    TIMERS.c.id == sa.bindparam("timer_id"), TIMERS.c.status == TimerStatus.WAITING
).values(status=TimerStatus.CANCELLED))
_INSERT_TIMER = Prepared(TIMERS.insert(), keys=[
    "id", "instance_id", "bpmn_id", "kind", "status", "due_at", "created_at", "fired_at"])
_UPDATE_TIMER = Prepared(TIMERS.update().where(TIMERS.c.id == sa.bindparam("timer_id")).values(
    status=sa.bindparam("b_status"), due_at=sa.bindparam("b_due_at", type_=TIMERS.c.due_at.type),
    fired_at=sa.bindparam("b_fired_at", type_=TIMERS.c.fired_at.type)))
_MARK_FAILED = Prepared(INSTANCES.update().where(INSTANCES.c.id == sa.bindparam("instance_id")).values(
    status=InstanceStatus.ERROR, error=sa.bindparam("b_error"), version=INSTANCES.c.version + 1,
    updated_at=sa.bindparam("b_now", type_=INSTANCES.c.updated_at.type)))


def mark_failed(conn: Any, instance_id: int, reason: str, now: datetime) -> None:
    """Put an instance in error with the reason people will read in ``show``."""
    _MARK_FAILED.run(conn, {"instance_id": instance_id, "b_error": reason, "b_now": now})


def complete_task_row(conn: sa.Connection, task_id: str, user: str, now: datetime) -> None:
    if _COMPLETE_TASK.run(conn, {"task_id": task_id, "b_user": user, "b_now": now}) != 1:
        raise ConcurrentUpdate("this task is no longer waiting; reload the case")


def cancel_tasks(conn: Any, ids: list[str], now: datetime) -> None:
    if ids:
        _CANCEL_TASK.many(conn, [{"task_id": i, "b_now": now} for i in ids])


def insert_tasks(conn: Any, tasks: list[dict[str, Any]], candidates: list[dict[str, Any]]) -> None:
    if tasks:
        _INSERT_TASK.many(conn, tasks)
    if candidates:
        _INSERT_CANDIDATE.many(conn, candidates)


def save_instance(conn: Any, instance: InstanceRow, now: datetime) -> None:
    """Write the instance's state and status if nobody saved it since it was read.

    :raises ConcurrentUpdate: someone else saved the instance first.
    """
    changed = _SAVE_INSTANCE.run(conn, {
        "instance_id": instance.id, "b_version": instance.version, "b_state": instance.state,
        "b_status": instance.status, "b_now": now, "b_completed_at": instance.completed_at})
    if changed != 1:
        raise ConcurrentUpdate("someone else changed this case at the same time; reload and try again")
    instance.version += 1


def insert_instance(conn: sa.Connection, definition: DefinitionRef, started_by: str | None,
                    now: datetime) -> InstanceRow:
    instance_id = _INSERT_INSTANCE.scalar(conn, {
        "definition_id": definition.id, "process_key": definition.process_key, "status": InstanceStatus.RUNNING,
        "state": "", "version": 1, "started_by": started_by, "started_at": now, "updated_at": now,
    })
    return InstanceRow(instance_id, definition.process_key, InstanceStatus.RUNNING, "", 1, started_by,
                       definition, None, started_at=now)


def insert_case(conn: sa.Connection, instance: InstanceRow, number: str, now: datetime,
                tracking_hash: str | None) -> CaseRow:
    case_id = _INSERT_CASE.scalar(conn, {
        "number": number, "instance_id": instance.id, "process_key": instance.process_key,
        "status": instance.status, "opened_at": now, "tracking_hash": tracking_hash,
    })
    instance.case = CaseRow(case_id, number, None, None, None, instance.status, None)
    return instance.case


_CASE_FACTS = ("title", "category", "channel", "status", "closed_at")
_UPDATE_CASE = Prepared(CASES.update().where(CASES.c.id == sa.bindparam("case_id")).values(
    {name: sa.bindparam(f"b_{name}", type_=CASES.c[name].type) for name in _CASE_FACTS}))


def update_case(conn: Any, case: CaseRow, values: dict[str, Any]) -> None:
    """Set the case columns in ``values``; one prebuilt statement, and none when nothing changed."""
    if all(getattr(case, k) == v for k, v in values.items()):
        return
    for k, v in values.items():
        setattr(case, k, v)
    _UPDATE_CASE.run(conn, {"case_id": case.id, **{f"b_{n}": getattr(case, n) for n in _CASE_FACTS}})


def _sequence_upsert(insert: Any) -> Prepared:
    table = CaseSequence.__table__
    stmt = insert(table).values(prefix=sa.bindparam("prefix"), year=sa.bindparam("year"), last_value=1)
    return Prepared(stmt.on_conflict_do_update(
        index_elements=[table.c.prefix, table.c.year], set_={"last_value": table.c.last_value + 1}
    ).returning(table.c.last_value))


# The upsert is written in each database's own syntax (both spell it ON CONFLICT … DO UPDATE).
_NEXT_SEQUENCE = {"postgresql": _sequence_upsert(pg_insert), "sqlite": _sequence_upsert(sqlite_insert)}


def next_sequence(conn: sa.Connection, prefix: str, year: int) -> int:
    """The next number for ``prefix`` in ``year``; one statement, safe under concurrency (row lock)."""
    return _NEXT_SEQUENCE[conn.dialect.name].scalar(conn, {"prefix": prefix, "year": year})


def fired_deadlines(conn: Any, instance_id: int, bpmn_ids: set[str]) -> set[tuple[str, datetime]]:
    """``(bpmn_id, due_at)`` of the timers of an instance among ``bpmn_ids`` that have already fired."""
    if not bpmn_ids:
        return set()
    conn = conn.conn if isinstance(conn, DeferredWrites) else conn
    rows = conn.execute(sa.select(TIMERS.c.bpmn_id, TIMERS.c.due_at).where(
        TIMERS.c.instance_id == instance_id, TIMERS.c.status == TimerStatus.FIRED,
        TIMERS.c.bpmn_id.in_(sorted(bpmn_ids))))
    return {(r.bpmn_id, _aware(r.due_at)) for r in rows}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cancel_timers(conn: Any, ids: list[str]) -> None:
    if ids:
        _CANCEL_TIMER.many(conn, [{"timer_id": i} for i in ids])


def insert_timers(conn: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        _INSERT_TIMER.many(conn, rows)


def update_timer(conn: Any, timer_id: str, status: str, due_at: datetime, fired_at: datetime | None) -> None:
    _UPDATE_TIMER.run(conn, {"timer_id": timer_id, "b_status": status, "b_due_at": due_at,
                             "b_fired_at": fired_at})


class DeferredWrites:
    """Stands in for the connection while a worker fires a batch of timers: reads go straight through,
    writes wait and are then sent once per statement with all their rows (``executemany``).

    The timers of a batch share one transaction, so a batch costs a handful of round trips instead of a
    handful per timer. Each timer's writes stay all-or-nothing: ``mark`` / ``discard_since`` drop the
    writes of a firing that failed, and nothing reaches the database before ``flush``.
    """

    # Updates that must touch every row they name; anything else means another writer got in between.
    _CHECKED = frozenset({_SAVE_INSTANCE})

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.dialect = conn.dialect
        self._writes: list[tuple[Prepared, list[Mapping[str, Any]]]] = []

    @property
    def connection(self) -> Any:
        return self.conn.connection  # what a Prepared read runs on: reads never depend on this batch's writes

    def defer(self, statement: Prepared, rows: list[Mapping[str, Any]]) -> None:
        """Called by ``Prepared.run`` / ``many`` instead of executing; a ``run`` then reports one row."""
        self._writes.append((statement, rows))

    def mark(self) -> int:
        return len(self._writes)

    def discard_since(self, mark: int) -> None:
        del self._writes[mark:]

    def flush(self) -> None:
        """Send the writes: each statement once, in the order statements first appeared.

        :raises ConcurrentUpdate: an instance save matched no row (saved by someone else meanwhile).
        """
        grouped: dict[Prepared, list[Mapping[str, Any]]] = {}
        for statement, rows in self._writes:
            grouped.setdefault(statement, []).extend(rows)
        self._writes.clear()
        for statement, rows in grouped.items():
            changed = statement.many(self.conn, rows)
            if statement in self._CHECKED and changed is not None and changed != len(rows):
                raise ConcurrentUpdate("someone else changed a case while its timer fired; it fires again")
