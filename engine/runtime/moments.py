"""Turning what a due-date or timer expression returns into an aware UTC datetime."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..errors import ScriptError

SCHOOL_TZ = ZoneInfo("Asia/Shanghai")
OFFICE_END = time(17, 30)


def resolve_moment(value: object, now: datetime, *, tz: ZoneInfo = SCHOOL_TZ,
                   office_end: time = OFFICE_END) -> datetime:
    """A datetime, an ISO date-time, a bare date (its office end) or a duration from ``now``.

    Naive times are read in the school's time zone, never the server's.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, office_end)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if text.upper().startswith("P"):
                parsed = TimerEventDefinition.parse_iso_duration(text)
                return TimerEventDefinition.get_timedelta_from_start(parsed, now) + now
            moment = (datetime.combine(date.fromisoformat(text), office_end) if len(text) == 10
                      else datetime.fromisoformat(text))
        except (ValueError, KeyError) as exc:
            raise ScriptError(f"'{value}' is not a date, date-time or duration") from exc
    else:
        raise ScriptError(f"{value!r} is not a date, date-time or duration")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)
