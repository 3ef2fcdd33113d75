"""A person's inbox, one page at a time: filters with their counts, case-number search, keyset pages.

The tasks are those of ``queries.visible_to`` (the one rule of who sees what). Pages are keyset pages: the
cursor is the last row's sort key, so page 200 costs what page 1 costs (no OFFSET); the open tasks are
walked in the order of the ``ix_human_tasks_open_due`` / ``ix_human_tasks_open_priority`` indexes.
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
from engine.storage.models import UTCDateTime
from engine.time.school_calendar import load_calendar
from engine.views.queries import _LISTED, _LISTED_FROM, visible_to

VIEWS = ("all", "mine", "queue", "covered", "overdue")
SORTS = ("due", "priority")
_T = store.TASKS
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


def _priority() -> Any:
    return sa.func.coalesce(_T.c.priority, _NO_PRIORITY)


def _filters(user: Any, now: Any, procedure: str | None, case_number: str | None) -> tuple[Any, Any]:
    condition, own = visible_to(user, now)
    where = [condition]
    if procedure:
        where.append(store.INSTANCES.c.process_key == procedure)
    if case_number:
        where.append(store.CASES.c.number == case_number)
    return sa.and_(*where), own


def _view_condition(view: str, user: Any, now: Any, own: Any) -> Any:
    return {
        "all": sa.true(),
        "mine": sa.and_(_T.c.assignee == user),
        "queue": sa.and_(_T.c.assignee.is_(None), own),
        "covered": sa.not_(own),
        "overdue": sa.and_(_T.c.due_at.is_not(None), _T.c.due_at < now),
    }[view]


def inbox_page(session: Session, user: str, now: datetime, *, view: str = "all", procedure: str | None = None,
               case_number: str | None = None, sort: str = "due", cursor: str | None = None,
               limit: int = 50) -> InboxPage:
    """One page of ``user``'s open tasks.

    :raises InvalidInput: an unknown view or sort, or a cursor this function did not give out.
    """
    if view not in VIEWS or sort not in SORTS:
        raise InvalidInput(f"unknown view '{view}' or sort '{sort}'")
    case_number = (case_number or "").strip().upper() or None
    u, n = sa.literal(user), sa.literal(now, type_=UTCDateTime())
    where, own = _filters(u, n, procedure, case_number)
    conn = session.connection()

    # Counts per view: one statement over the filtered set.
    counts_row = conn.execute(
        sa.select(*[sa.func.count().filter(_view_condition(v, u, n, own)).label(v) for v in VIEWS])
        .select_from(_LISTED_FROM).where(where)
    ).one()
    counts = {v: int(getattr(counts_row, v) or 0) for v in VIEWS}

    order, after = _keyset(sort, cursor)
    statement = (sa.select(*_LISTED, own.label("own")).select_from(_LISTED_FROM)
                 .where(where, _view_condition(view, u, n, own), *after).order_by(*order).limit(limit + 1))
    rows = list(conn.execute(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    soon_until = load_calendar(session).add_working_days(now, 1) if rows else now
    names = {k: name for k, name in _procedure_names(conn)}
    out = [InboxRow(r.id, r.case_number, r.instance_id, r.process_key, names.get(r.process_key) or r.process_key,
                    r.name, r.assignee, r.due_at, r.priority,
                    overdue=bool(r.due_at and r.due_at < now),
                    due_soon=bool(r.due_at and now <= r.due_at <= soon_until), own=bool(r.own))
           for r in rows]
    procedures = _procedures_of(conn, u, n, names)
    return InboxPage(out, counts, procedures, _cursor(sort, rows[-1]) if more else None)


def _keyset(sort: str, cursor: str | None) -> tuple[list[Any], list[Any]]:
    """ORDER BY and the condition "after the cursor" for a sort. Due: no due time last."""
    no_due = _T.c.due_at.is_(None)
    if sort == "due":
        order = [no_due, _T.c.due_at, _T.c.id]
    else:
        order = [_priority().desc(), no_due, _T.c.due_at, _T.c.id]
    if cursor is None:
        return order, []
    key = _decode(cursor, sort)
    due = datetime.fromisoformat(key["d"]) if key["d"] else None
    task_id = key["i"]
    if due is None:
        due_after = sa.and_(no_due, _T.c.id > task_id)
    else:
        due_after = sa.or_(no_due, _T.c.due_at > due, sa.and_(_T.c.due_at == due, _T.c.id > task_id))
    if sort == "due":
        return order, [due_after]
    p = key["p"]
    return order, [sa.or_(_priority() < p, sa.and_(_priority() == p, due_after))]


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


def _procedures_of(conn: sa.Connection, u: Any, n: Any, names: dict[str, str]) -> list[tuple[str, str]]:
    where, _own = _filters(u, n, None, None)
    keys = conn.execute(sa.select(store.INSTANCES.c.process_key).distinct().select_from(_LISTED_FROM)
                        .where(where)).scalars()
    return sorted(((k, names.get(k) or k) for k in keys), key=lambda kv: kv[1])
