"""Functions a procedure's expressions may call, bound to the engine's clock and the school calendar.

``add_working_days(7)`` is "the end of the office day, seven working days from today", as an ISO
string so SpiffWorkflow can use it as a timer date and the engine as a due date. "Today" and the office
day's end are the school's, from the administrator's settings (``engine.time.school_time``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from engine.errors import ScriptError
from engine.time.clock import Clock
from engine.time.school_calendar import MAX_WORKING_DAYS, OutOfRange
from engine.time.school_time import SchoolTime


def make_helpers(clock: Clock, calendar: Callable[[], Any],
                 school_time: Callable[[], SchoolTime]) -> dict[str, Callable[..., Any]]:
    """Helpers for one operation; ``calendar`` and ``school_time`` are called on first use only."""

    def add_working_days(n: int) -> str:
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not -1 < n < MAX_WORKING_DAYS + 1:
            raise ScriptError(f"add_working_days takes a number of days from 0 to {MAX_WORKING_DAYS}, "
                              f"not {_short(n)}")
        try:
            return calendar().add_working_days(clock.now(), int(n)).isoformat()
        except OutOfRange as exc:
            raise ScriptError(str(exc)) from None

    def working_days_between(a: str, b: str) -> int:
        try:
            return int(calendar().working_days_between(_moment(a), _moment(b)))
        except OutOfRange as exc:
            raise ScriptError(str(exc)) from None

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
            # An older spelling of add_working_days_from that no shipped file uses any more; kept so that
            # cases still open on procedure versions deployed with it keep their deadlines.
            "working_days_after": add_working_days_from,
            "working_days_between": working_days_between,
            "now": now, "today": today}


def _moment(value: str | datetime | date) -> datetime | date:
    if isinstance(value, (datetime, date)):
        return value
    text = str(value) if isinstance(value, str) and len(value) <= 40 else ""
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ScriptError(f"working_days_between takes dates such as 2026-09-01, not {_short(value)}") from None


def _short(value: object) -> str:
    if isinstance(value, int) and abs(value).bit_length() > 64:
        return "that number"
    return repr(value) if isinstance(value, (str, int, float)) and len(str(value)) <= 40 else "that value"
