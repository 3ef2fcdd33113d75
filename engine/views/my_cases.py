"""The cases a person has dealt with (经办案件): those they started or acted on (claimed, completed, were
handed a task of, as themselves or as someone's duty cover), open and closed, newest first.

Pages are keyset pages: a page ends at a case, and the next page is the cases opened before it
(``after`` names that last case by its number), so a later page costs what the first does however many
cases the school has. Searching is by case number (a part of it is enough, case and spaces ignored).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.storage.models import AuditEvent, Case, Definition, Instance, InstanceStatus
from engine.time.school_time import school_time

PAGE_SIZE = 25
MAX_SEARCH = 32  # longer than any case number: refused input is never searched for
Which = Literal["all", "open", "closed"]


@dataclass(frozen=True)
class MyCase:
    case_number: str
    title: str | None
    procedure: str
    status: str
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class Page:
    cases: list[MyCase]
    next_after: str | None  # the case number to pass as ``after`` for the next page; None on the last


def my_cases(session: Session, user: str, *, search: str = "", which: Which = "all",
             after: str | None = None, page_size: int = PAGE_SIZE) -> Page:
    """One page of the cases ``user`` started or acted on, newest first (times in the school's zone).

    ``which`` keeps the open (``running``) or the closed (completed, cancelled, in error) ones. An
    ``after`` that is not a case number gives the first page.
    """
    zone = school_time(session).tz
    acted = sa.exists().where(AuditEvent.instance_id == Case.instance_id, AuditEvent.actor == user)
    query = (
        sa.select(Case.id, Case.number, Case.title, Case.status, Case.opened_at, Case.closed_at,
                  sa.func.coalesce(Definition.name, Instance.process_key).label("procedure"))
        .join(Instance, Instance.id == Case.instance_id)
        .join(Definition, Definition.id == Instance.definition_id)
        .where(sa.or_(Instance.started_by == user, acted))
        .order_by(Case.id.desc())  # ids follow the order cases were opened in
        .limit(page_size + 1)
    )
    needle = "".join(search.split()).upper()[:MAX_SEARCH]
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Case.number.like(f"%{escaped}%", escape="\\"))
    if which == "open":
        query = query.where(Case.status == InstanceStatus.RUNNING)
    elif which == "closed":
        query = query.where(Case.status != InstanceStatus.RUNNING)
    if after:
        query = query.where(Case.id < sa.func.coalesce(
            sa.select(Case.id).where(Case.number == after).scalar_subquery(), 2**62))
    rows = session.execute(query).all()
    shown = rows[:page_size]
    cases = [MyCase(r.number, r.title, r.procedure, str(r.status), r.opened_at.astimezone(zone),
                    r.closed_at.astimezone(zone) if r.closed_at else None) for r in shown]
    return Page(cases, shown[-1].number if len(rows) > page_size else None)
