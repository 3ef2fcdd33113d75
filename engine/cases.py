"""Case records and their numbers: ``PREFIX-YEAR-SEQUENCE`` such as ``TS-2026-000123``.

The prefix comes from the process property ``casePrefix`` (default: the process key in capitals);
the year is the school's calendar year when the case opens; sequences never repeat.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import Case, CaseSequence, Definition, Instance

SCHOOL_TZ = ZoneInfo("Asia/Shanghai")
CASE_FIELDS = ("title", "category", "channel")


def case_prefix(definition: Definition) -> str:
    explicit = (definition.properties or {}).get("casePrefix")
    prefix = explicit or re.sub(r"[^A-Za-z0-9]", "", definition.process_key).upper()[:8]
    return prefix or "CASE"


def next_number(session: Session, prefix: str, at: datetime) -> str:
    """Hand out the next number for ``prefix`` in the school year of ``at``; safe under concurrency."""
    year = at.astimezone(SCHOOL_TZ).year
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(CaseSequence).values(prefix=prefix, year=year, last_value=0).on_conflict_do_nothing()
    )
    seq = session.execute(
        sa.select(CaseSequence).where(CaseSequence.prefix == prefix, CaseSequence.year == year)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    seq.last_value += 1
    return f"{prefix}-{year}-{seq.last_value:06d}"


def open_case(session: Session, instance: Instance, at: datetime) -> Case:
    case = Case(number=next_number(session, case_prefix(instance.definition), at), instance_id=instance.id,
                process_key=instance.process_key, status=instance.status, opened_at=at)
    session.add(case)
    return case


def update_case(case: Case, instance: Instance, data: dict, at: datetime) -> None:
    """Keep the searchable facts of a case in step with its data and status."""
    for name in CASE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            setattr(case, name, value[:255])
    case.status = instance.status
    if instance.completed_at and not case.closed_at:
        case.closed_at = at
