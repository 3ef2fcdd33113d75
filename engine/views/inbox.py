"""A person's inbox, one page at a time: filters with their counts, case-number search, keyset pages.

The tasks are those of ``queries.visible_to`` (the one rule of who sees what), found through index ranges
(``_visible``): a person seeing 10,000 of 100,000 open tasks costs reading their 10,000 index entries,
not a look-up per task. Pages are keyset pages: the cursor is the last row's sort key, so page 200 costs
what page 1 costs (no OFFSET).
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage import store
from engine.people.substitution import covered_by
from engine.storage.models import CandidateKind, Group, TaskState, User, UTCDateTime, user_groups
from engine.time.school_calendar import load_calendar
from engine.time.school_time import SchoolTime

VIEWS = ("all", "mine", "queue", "covered", "overdue")
SORTS = ("due", "priority")
_T, _C, _I, _CASES = store.TASKS, store.CANDIDATES, store.INSTANCES, store.CASES
_NO_PRIORITY = -(2**31)  # tasks without a priority sort after every priority (Camunda's default is 0)


@dataclass(frozen=True)
class InboxRow:
    id: str
    case_number: str | None
    instance_id: int
    process_key: str
    procedure: str
    name: str | None
    assignee: str | None
    due_at: datetime | None
    priority: int | None
    overdue: bool
    due_soon: bool
    own: bool  # false: listed because the user covers its owner (the assignee, or a candidate user)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    counts: dict[str, int]  # per view, with the procedure filter and the search applied
    procedures: list[tuple[str, str]]  # (key, name) of the procedures among the user's tasks
    next_cursor: str | None


def _people(conn: sa.Connection, user: str, now: datetime) -> tuple[list[str], list[str]]:
    """The user's groups and the colleagues they cover at ``now`` (``visible_to``'s inputs), sorted."""
    user_id = sa.select(User.id).where(User.name == user).scalar_subquery()
    groups = sa.select(sa.literal("g").label("k"), Group.name).join(
        user_groups, user_groups.c.group_id == Group.id).where(user_groups.c.user_id == user_id)
    covered = covered_by(user_id, now).with_only_columns(sa.literal("c").label("k"), User.name)
    found = conn.execute(sa.union_all(groups, covered))
    by_kind: dict[str, list[str]] = {"g": [], "c": []}
    for kind, name in found:
        by_kind[kind].append(name)
    return sorted(by_kind["g"]), sorted(by_kind["c"])


def _visible(user: str, groups: list[str], covered: list[str], procedure: str | None,
             case_number: str | None, task_ids: list[str] | None = None) -> sa.CTE:
    """The open tasks ``user`` sees, one row each: id, assignee, due_at, priority, process_key, own.

    The rule is ``queries.visible_to`` (tests compare the two), resolved for one person and taken apart
    into index ranges: their own assigned tasks and those of the colleagues they cover (one range each of
    ``ix_human_tasks_inbox``), and the unclaimed tasks naming them, a group of theirs or a covered colleague
    as a candidate (one range each of ``ix_task_candidates_inbox``, whose rows carry their task's columns).
    ``own`` is false for a task seen only through a cover.
    """
    excluded = sa.select(_C.c.task_id).where(_C.c.kind == CandidateKind.EXCLUDED, _C.c.name == user)
    parts = []

    def narrow(task_id: Any, process_key: Any) -> list[Any]:
        out = [task_id.not_in(excluded)]
        if task_ids is not None:
            out.append(task_id.in_(task_ids))
        if procedure:
            out.append(process_key == procedure)
        if case_number:
            out.append(task_id.in_(sa.select(_T.c.id).join(_CASES, _CASES.c.instance_id == _T.c.instance_id)
                                   .where(_CASES.c.number == case_number)))
        return out

    def assigned(names: list[str], own: int) -> None:
        parts.append(sa.select(_T.c.id, _T.c.assignee, _T.c.due_at, _T.c.priority, _T.c.process_key,
                               sa.literal(own).label("own"))
                     .where(_T.c.state == TaskState.OPEN, _T.c.assignee.in_(names),
                            *narrow(_T.c.id, _T.c.process_key)))

    def unclaimed(kind: CandidateKind, names: list[str], own: int, *before: sa.Select[Any]) -> sa.Select[Any]:
        """Unclaimed tasks with a candidate of ``kind`` among ``names``, but none found by ``before``."""
        ids = sa.select(_C.c.task_id).where(_C.c.kind == kind, _C.c.name.in_(names),
                                            _C.c.task_state == TaskState.OPEN, _C.c.task_assignee.is_(None))
        found = (sa.select(_C.c.task_id.label("id"), _C.c.task_assignee.label("assignee"),
                           _C.c.task_due_at.label("due_at"), _C.c.task_priority.label("priority"),
                           _C.c.task_process_key.label("process_key"), sa.literal(own).label("own"))
                 .where(ids.whereclause, *narrow(_C.c.task_id, _C.c.task_process_key),
                        *[_C.c.task_id.not_in(b) for b in before]))
        # A task naming two of the names has two candidate rows: one task (all columns are the task's).
        parts.append(found.distinct() if len(names) > 1 else found)
        return ids

    # The parts do not overlap (assigned or not; each candidate part leaves out the tasks of those before
    # it), so no task is counted twice and none needs grouping: the rows of the rare overlaps are dropped
    # by small NOT IN look-ups instead of grouping all 10,000.
    assigned([user], 1)
    if covered:
        assigned(covered, 0)
    before = []
    if groups:
        before.append(unclaimed(CandidateKind.GROUP, groups, 1))
    before.append(unclaimed(CandidateKind.USER, [user], 1, *before))
    if covered:
        unclaimed(CandidateKind.USER, covered, 0, *before)
    return sa.union_all(*parts).cte("visible")


def _view_condition(view: str, v: Any, user: str, now: Any) -> Any:
    return {
        "all": sa.true(),
        "mine": v.c.assignee == user,
        "queue": sa.and_(v.c.assignee.is_(None), v.c.own == 1),
        "covered": v.c.own == 0,
        "overdue": sa.and_(v.c.due_at.is_not(None), v.c.due_at < now),
    }[view]


def _count_columns(v: Any, user: str, now: Any) -> list[Any]:
    return [sa.func.count().filter(_view_condition(view, v, user, now)).label(f"n_{view}") if view != "all"
            else sa.func.count().label("n_all") for view in VIEWS]


def _per_procedure(rows: Any) -> dict[str | None, dict[str, int]]:
    return {r.process_key: {view: int(getattr(r, f"n_{view}") or 0) for view in VIEWS} for r in rows}


def inbox_page(session: Session, user: str, now: datetime, *, view: str = "all", procedure: str | None = None,
               case_number: str | None = None, sort: str = "due", cursor: str | None = None,
               limit: int = 50, times: SchoolTime | None = None) -> InboxPage:
    """One page of ``user``'s open tasks. ``times``: the school's time zone and office-day end when the
    caller has read them already (the web page shows its times in that zone); else read here.

    :raises InvalidInput: an unknown view or sort, or a cursor this function did not give out.
    """
    if view not in VIEWS or sort not in SORTS:
        raise InvalidInput(f"unknown view '{view}' or sort '{sort}'")
    case_number = (case_number or "").strip().upper() or None
    order, after = _keyset(sort, cursor)  # a bad cursor is refused before any query
    n = sa.literal(now, type_=UTCDateTime())
    conn = session.connection()
    groups, covered = _people(conn, user, now)
    names = {k: name for k, name in _procedure_names(conn)}

    # One statement: the visible tasks are found once, then counted per procedure and view (the procedure
    # list ignores the filters, the counts take them: summed here) and walked for the page. A search has
    # its own set; the procedure list then comes from a grouped statement over all the user's tasks.
    v = _visible(user, groups, covered, None, case_number)
    keys = {"due_at": v.c.due_at, "priority": v.c.priority, "id": v.c.id}
    page = (sa.select(v.c.id, v.c.own, v.c.due_at, v.c.priority)
            .where(_view_condition(view, v, user, n), *([v.c.process_key == procedure] if procedure else []),
                   *[a(keys) for a in after])
            .order_by(*[o(keys) for o in order]).limit(limit + 1).cte("page"))
    position = sa.func.row_number().over(order_by=[o({"due_at": page.c.due_at, "priority": page.c.priority,
                                                      "id": page.c.id}) for o in order])
    page_rows = sa.select(
        sa.literal("p").label("part"), _T.c.id, _T.c.instance_id, _T.c.name, _T.c.assignee, _T.c.due_at,
        _T.c.priority, _T.c.process_key, _CASES.c.number.label("case_number"), page.c.own, position.label("pos"),
        *[sa.cast(sa.null(), sa.Integer).label(f"n_{view}") for view in VIEWS],
    ).select_from(page.join(_T, _T.c.id == page.c.id).outerjoin(_CASES, _CASES.c.instance_id == _T.c.instance_id))
    none = [sa.cast(sa.null(), c.type) for c in (_T.c.id, _T.c.instance_id, _T.c.name, _T.c.assignee,
                                                 _T.c.due_at, _T.c.priority)]
    count_rows = sa.select(sa.literal("c"), *none, v.c.process_key, sa.cast(sa.null(), _CASES.c.number.type),
                           sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.Integer),
                           *_count_columns(v, user, n)).group_by(v.c.process_key)
    found = list(conn.execute(sa.union_all(page_rows, count_rows)))
    rows = sorted((r for r in found if r.part == "p"), key=lambda r: r.pos)
    per_procedure = _per_procedure(r for r in found if r.part == "c")
    every = per_procedure
    if case_number:
        w = _visible(user, groups, covered, None, None)
        every = _per_procedure(conn.execute(
            sa.select(w.c.process_key, *_count_columns(w, user, n)).group_by(w.c.process_key)))
    procedures = sorted(((k, names.get(k) or k) for k in every if k is not None), key=lambda kv: kv[1])
    counts = {name: sum(c[name] for k, c in per_procedure.items() if not procedure or k == procedure)
              for name in VIEWS}

    more = len(rows) > limit
    rows = rows[:limit]
    soon_until = load_calendar(session, times).add_working_days(now, 1) if rows else now
    out = [InboxRow(r.id, r.case_number, r.instance_id, r.process_key, names.get(r.process_key) or r.process_key,
                    r.name, r.assignee, r.due_at, r.priority,
                    overdue=bool(r.due_at and r.due_at < now),
                    due_soon=bool(r.due_at and now <= r.due_at <= soon_until), own=bool(r.own))
           for r in rows]
    return InboxPage(out, counts, procedures, _cursor(sort, rows[-1]) if more else None)


def visible_among(session: Session, user: str, now: datetime, task_ids: list[str]) -> dict[str, bool]:
    """Which of ``task_ids`` ``user`` sees, each with ``own`` (false: seen only through a cover)."""
    if not task_ids:
        return {}
    conn = session.connection()
    groups, covered = _people(conn, user, now)
    v = _visible(user, groups, covered, None, None, task_ids)
    return {r.id: bool(r.own) for r in conn.execute(sa.select(v.c.id, v.c.own))}


Keys = dict[str, Any]  # the sort columns of the statement the keyset applies to: due_at, priority, id


def _keyset(sort: str, cursor: str | None) -> tuple[list[Any], list[Any]]:
    """ORDER BY and the condition "after the cursor" for a sort, as functions of the sort columns (the
    same order is applied to the visible set and to the page's rows). Due: no due time last."""
    def priority(c: Keys) -> Any:
        return sa.func.coalesce(c["priority"], _NO_PRIORITY)

    def no_due(c: Keys) -> Any:
        return c["due_at"].is_(None)

    order = [no_due, lambda c: c["due_at"], lambda c: c["id"]]
    if sort == "priority":
        order = [lambda c: priority(c).desc(), *order]
    if cursor is None:
        return order, []
    key = _decode(cursor, sort)
    due = datetime.fromisoformat(key["d"]) if key["d"] else None
    task_id, p = key["i"], key["p"]

    def due_after(c: Keys) -> Any:
        if due is None:
            return sa.and_(no_due(c), c["id"] > task_id)
        return sa.or_(no_due(c), c["due_at"] > due, sa.and_(c["due_at"] == due, c["id"] > task_id))

    if sort == "due":
        return order, [due_after]
    return order, [lambda c: sa.or_(priority(c) < p, sa.and_(priority(c) == p, due_after(c)))]


def _cursor(sort: str, row: Any) -> str:
    key = {"s": sort, "d": row.due_at.isoformat() if row.due_at else None, "i": row.id,
           "p": row.priority if row.priority is not None else _NO_PRIORITY}
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (not isinstance(key, dict) or key.get("s") != sort or not isinstance(key.get("i"), str)
                or not isinstance(key.get("p"), int)):
            raise ValueError
        if key["d"] is not None:
            datetime.fromisoformat(key["d"])
        return key
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, KeyError):
        raise InvalidInput("this page link is not valid any more; start from the first page") from None


_NAMES = sa.select(store.DEFINITIONS.c.process_key, store.DEFINITIONS.c.name).order_by(
    store.DEFINITIONS.c.process_key, store.DEFINITIONS.c.version)


def _procedure_names(conn: sa.Connection) -> list[tuple[str, str]]:
    # The latest version's name wins (rows come oldest first).
    return [(k, n) for k, n in conn.execute(_NAMES)]
