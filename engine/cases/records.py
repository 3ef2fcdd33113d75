"""Case records and their numbers: ``PREFIX-YEAR-SEQUENCE`` such as ``TS-2026-000123``.

The prefix comes from the process property ``casePrefix`` (default: the process key in capitals);
the year is the school's calendar year when the case opens; sequences never repeat.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from engine.storage import store
from engine.storage.models import Definition
from engine.time.school_time import SchoolTime
from engine.cases.tracking_codes import hash_code, new_code

CASE_FIELDS = ("title", "category", "channel")
# Every zone's offset from UTC lies within this (UTC-12 to UTC+14 today).
_MAX_UTC_OFFSET = timedelta(hours=15)


def case_prefix(definition: Definition) -> str:
    explicit = (definition.properties or {}).get("casePrefix")
    prefix = explicit or re.sub(r"[^A-Za-z0-9]", "", definition.process_key).upper()[:8]
    return prefix or "CASE"


def next_number(conn: sa.Connection, prefix: str, at: datetime, school_time: Callable[[], SchoolTime]) -> str:
    """Hand out the next number for ``prefix`` in the school year of ``at``; safe under concurrency."""
    year = _local_year(at, school_time)
    return f"{prefix}-{year}-{store.next_sequence(conn, prefix, year):06d}"


def _local_year(at: datetime, school_time: Callable[[], SchoolTime]) -> int:
    # Away from New Year the year is the same in every zone, so the school's zone (a settings read) is
    # asked for only in the day or so around it.
    utc = at.astimezone(UTC)
    earliest, latest = (utc - _MAX_UTC_OFFSET).year, (utc + _MAX_UTC_OFFSET).year
    return latest if earliest == latest else at.astimezone(school_time().tz).year


def open_case(conn: sa.Connection, instance: store.InstanceRow, at: datetime,
              school_time: Callable[[], SchoolTime]) -> tuple[store.CaseRow, str]:
    """Insert the case record; returns it with its tracking code, of which only the hash is stored.

    ``school_time`` gives the zone whose calendar year goes into the number; it is called only near New Year.
    """
    number = next_number(conn, case_prefix(instance.definition), at, school_time)
    code = new_code()
    return store.insert_case(conn, instance, number, at, tracking_hash=hash_code(number, code)), code


def case_columns(instance: store.InstanceRow, data: dict, at: datetime) -> dict[str, object]:
    """The searchable facts of a case as its data and status now give them."""
    case = instance.case
    assert case is not None
    values: dict[str, object] = {}
    for name in CASE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            values[name] = value[:255]
    values["status"] = instance.status
    if instance.completed_at and not case.closed_at:
        values["closed_at"] = at
    return values
