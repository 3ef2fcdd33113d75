"""Functions a procedure's expressions may call, bound to the engine's clock and the school calendar.

``add_working_days(7)`` is "the end of the office day, seven working days from today", as an ISO
string so SpiffWorkflow can use it as a timer date and the engine as a due date. "Today" and the office
day's end are the school's, from the administrator's settings (``engine.time.school_time``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from engine.time.clock import Clock
from engine.time.school_time import SchoolTime


def make_helpers(clock: Clock, calendar: Callable[[], Any],
                 school_time: Callable[[], SchoolTime]) -> dict[str, Callable[..., Any]]:
    """Helpers for one operation; ``calendar`` and ``school_time`` are called on first use only."""

    def add_working_days(n: int) -> str:
        return calendar().add_working_days(clock.now(), int(n)).isoformat()

    def working_days_between(a: str, b: str) -> int:
        return int(calendar().working_days_between(_moment(a), _moment(b)))

    def add_working_days_from(since: str, n: int) -> str:
        # Deadlines "n working days from receipt" count from a fixed moment (``received_at``), not from
        # today, so re-creating a task or typing a date cannot move them.
        moment = _moment(since)
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, 12, tzinfo=school_time().tz)
        elif moment.tzinfo is None:
            moment = moment.replace(tzinfo=school_time().tz)
        return calendar().add_working_days(moment, int(n)).isoformat()

    def now() -> str:
        return clock.now().isoformat()

    def today() -> str:
        return clock.now().astimezone(school_time().tz).date().isoformat()  # no calendar entries needed

    return {"add_working_days": add_working_days, "add_working_days_from": add_working_days_from,
            "working_days_after": add_working_days_from,  # the same, as the shipped specs write it
            "working_days_between": working_days_between,
            "now": now, "today": today}


def _moment(value: str | datetime | date) -> datetime | date:
    if isinstance(value, (datetime, date)):
        return value
    text = str(value)
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
