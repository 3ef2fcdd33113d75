"""The school's time settings as everything else reads them: the office-day end and time zone.

Each known setting has a default here, and only here; table ``settings`` holds the values an
administrator set (``schoolflow settings set``, ``engine.people.settings_changes``), and a missing row means the default. Deadlines, timers,
case-number years and displayed times read them as one ``SchoolTime``, loaded at most once per
operation and only when something is actually placed in time (``lazy_school_time``). A change applies
to what is computed from then on: deadlines and timers already computed keep their moment.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.storage.models import Setting

OFFICE_DAY_END = "office_day_end"
TIME_ZONE = "time_zone"

_HH_MM = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class SchoolTime:
    """How the school reads the clock: its time zone, and when its office day ends there."""

    tz: ZoneInfo
    office_end: time


def _office_end(text: str) -> time:
    m = _HH_MM.match(text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValueError(f"'{text}' is not a time of day like 17:30 (HH:MM, 24-hour clock)")
    return time(int(m[1]), int(m[2]))


def _check_office_end(text: str) -> str:
    return _office_end(text).strftime("%H:%M")


def _check_time_zone(text: str) -> str:
    # available_timezones() rather than ZoneInfo() alone: ZoneInfo also opens files such as "localtime"
    # or "posixrules" that are no IANA zone name and differ from one server to the next. It scans the
    # zone database, so it runs when a value is set, never when one is read.
    zones = available_timezones()
    if text not in zones:
        near = difflib.get_close_matches(text, zones, n=1)
        hint = f"did you mean {near[0]}?" if near else "use an IANA name such as Asia/Shanghai"
        raise ValueError(f"'{text}' is not a time zone name; {hint}")
    return text


@dataclass(frozen=True)
class _Known:
    default: str
    description: str
    check: Callable[[str], str]  # the value as stored, or ValueError with a sentence saying what is wrong


KNOWN: dict[str, _Known] = {
    OFFICE_DAY_END: _Known(
        "17:30", "end of the office day (HH:MM): a deadline in working days falls due at this time",
        _check_office_end,
    ),
    TIME_ZONE: _Known(
        "Asia/Shanghai", "the school's time zone (IANA name): working days, office-day end, times shown",
        _check_time_zone,
    ),
}


def _school_time(values: dict[str, str]) -> SchoolTime:
    """The ``SchoolTime`` for stored ``values`` (name → text), defaults for the names missing."""
    office_end, zone = (values.get(name, KNOWN[name].default) for name in (OFFICE_DAY_END, TIME_ZONE))
    try:
        return SchoolTime(tz=ZoneInfo(zone), office_end=_office_end(office_end))
    except (ValueError, ZoneInfoNotFoundError) as exc:  # a hand edit: set_setting refuses such values
        raise InvalidInput(f"the stored settings {OFFICE_DAY_END}={office_end!r}, {TIME_ZONE}={zone!r} "
                           f"are invalid ({exc}); correct them with 'schoolflow settings set'") from None


DEFAULT_SCHOOL_TIME = _school_time({})


def _stored(session: Session) -> dict[str, str]:
    return {name: value for name, value in session.execute(sa.select(Setting.name, Setting.value))}


def school_time(session: Session) -> SchoolTime:
    """The school's time zone and office-day end in force (one query).

    :raises InvalidInput: a stored value was edited by hand into something invalid.
    """
    return _school_time(_stored(session))


def lazy_school_time(session: Session) -> Callable[[], SchoolTime]:
    """``school_time`` read on the first call only: hand one to everything in one operation."""
    return functools.cache(lambda: school_time(session))


@dataclass
class SettingView:
    """One setting as ``schoolflow settings show`` lists it."""

    name: str
    value: str
    default: str
    overridden: bool
    description: str
    updated_at: datetime | None = None
    updated_by: str | None = None


def all_settings(session: Session) -> list[SettingView]:
    """Every known setting with its value in force, its default and who changed it last."""
    rows = {r.name: r for r in session.scalars(sa.select(Setting))}
    out = []
    for name, known in KNOWN.items():
        row = rows.get(name)
        out.append(SettingView(name, row.value if row else known.default, known.default, row is not None,
                               known.description, row.updated_at if row else None,
                               row.updated_by if row else None))
    return out


def get_setting(session: Session, name: str) -> str:
    """The value of ``name`` in force: the administrator's, else the default.

    :raises InvalidInput: no such setting.
    """
    known = known_setting(name)
    row = session.get(Setting, name)
    return row.value if row else known.default


def known_setting(name: str) -> _Known:
    try:
        return KNOWN[name]
    except KeyError:
        raise InvalidInput(f"there is no setting '{name}'; the settings are {', '.join(KNOWN)}",
                           {"name": "unknown setting"}) from None
