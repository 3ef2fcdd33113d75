"""The school calendar: which days are working days, and deadlines counted in working days.

Owns the rules: China's national calendar (weekends, statutory holidays and the adjusted working days,
调休, from the ``chinese_calendar`` package) overridden by the days an administrator entered (school
closures and extra working days, table ``calendar_entries``). Years without bundled national data fall back
to weekends only and say so in ``SchoolCalendar.warnings``, never by raising. Days are taken in the school's
time zone and deadlines fall at its office-day end, both administrator settings (``engine.time.school_time``).
Also parses CSV and iCalendar files of entries for import. Called by timers, script helpers and the
``calendar`` CLI.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
import sqlalchemy as sa

from engine.errors import InvalidInput
from engine.storage.models import CalendarEntry, CalendarEntryKind
from engine.time.school_time import DEFAULT_SCHOOL_TIME, SchoolTime, school_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.time.clock import Clock

logger = logging.getLogger(__name__)
# Without logging configured, Python would print our warnings to stderr itself; callers that show
# ``SchoolCalendar.warnings`` (the CLI) would then print every warning twice.
logger.addHandler(logging.NullHandler())

_KIND_WORDS = {
    "closure": CalendarEntryKind.CLOSURE, "停课": CalendarEntryKind.CLOSURE, "放假": CalendarEntryKind.CLOSURE,
    "workday": CalendarEntryKind.WORKDAY, "补班": CalendarEntryKind.WORKDAY, "上班": CalendarEntryKind.WORKDAY,
}
_WORKDAY_MARKERS = ("workday", "补班", "上班")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An event longer than this is almost certainly a mistyped DTEND, not a closure.
_MAX_EVENT_DAYS = 366


class SchoolCalendar:
    """Working days of one school: the national calendar plus the administrator's closures and workdays."""

    def __init__(
        self,
        closures: Mapping[date, str | None] | None = None,
        extra_workdays: Mapping[date, str | None] | None = None,
        timezone: str = DEFAULT_SCHOOL_TIME.tz.key,
        office_end: time = DEFAULT_SCHOOL_TIME.office_end,
    ) -> None:
        try:
            self.timezone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        self.closures = dict(closures or {})
        self.extra_workdays = dict(extra_workdays or {})
        self.office_end = office_end
        self._uncovered_years: set[int] = set()

    @property
    def warnings(self) -> list[str]:
        """One sentence per year looked at that has no bundled national holiday data."""
        return [_no_data_warning(year) for year in sorted(self._uncovered_years)]

    def _national(self, day: date) -> tuple[bool, str]:
        """(is_working, reason) from the national calendar alone."""
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            if day.year not in self._uncovered_years:
                self._uncovered_years.add(day.year)
                logger.warning(_no_data_warning(day.year))
            weekend = day.weekday() >= 5
            return (not weekend, "weekend" if weekend else "")
        if is_holiday:
            return (False, name or "weekend")
        # A working day that carries a holiday's name is a weekend day moved to work (调休).
        return (True, f"adjusted working day ({name})" if name else "")

    def day_info(self, day: date) -> tuple[bool, str]:
        """(is_working, reason) for ``day``; entries an administrator made win over the national calendar."""
        if day in self.closures:
            reason = self.closures[day]
            return (False, f"closure: {reason}" if reason else "closure")
        if day in self.extra_workdays:
            reason = self.extra_workdays[day]
            return (True, f"extra workday: {reason}" if reason else "extra workday")
        return self._national(day)

    def is_working_day(self, day: date) -> bool:
        """Whether the school works on ``day``."""
        return self.day_info(day)[0]

    def local_date(self, moment: datetime | date) -> date:
        """The calendar day in the school's time zone that ``moment`` falls on (dates pass through).

        :raises ValueError: for a naive datetime, whose day cannot be known.
        """
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError("naive datetime given to the school calendar; pass an aware one")
            return moment.astimezone(self.timezone).date()
        return moment

    def _working_days_after(self, day: date) -> Iterator[date]:
        while True:
            day += timedelta(days=1)
            if self.is_working_day(day):
                yield day

    def next_working_day(self, day: datetime | date) -> date:
        """The first working day strictly after ``day`` (a datetime counts by its school-time-zone date)."""
        return next(self._working_days_after(self.local_date(day)))

    def office_close(self, day: date) -> datetime:
        """The end of the office day on ``day``, as an aware UTC datetime."""
        return datetime.combine(day, self.office_end, tzinfo=self.timezone).astimezone(UTC)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End of the office day of the n-th working day after the school-time-zone day of ``start``.

        The day ``start`` falls on never counts, whatever the hour: a request on Wednesday morning with
        n=1 is due Thursday at ``office_end``. n=0 means the end of the start day if it is a working
        day, else of the next working day. The result is an aware datetime in UTC.

        :raises ValueError: if n is negative or ``start`` is naive.
        """
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days ({n})")
        day = self.local_date(start)
        if n == 0:
            return self.office_close(day if self.is_working_day(day) else self.next_working_day(day))
        days = self._working_days_after(day)
        for _ in range(n - 1):
            next(days)
        return self.office_close(next(days))

    def working_days_between(self, a: datetime | date, b: datetime | date) -> int:
        """Count working days d with a_day < d <= b_day, days taken in the school's time zone.

        The start day is excluded and the end day included, so ``working_days_between(start,
        add_working_days(start, n)) == n`` for n >= 1. If b is before a the result is minus the count
        of working days d with b_day < d <= a_day; equal days give 0.
        """
        a_day, b_day = self.local_date(a), self.local_date(b)
        sign = 1
        if b_day < a_day:
            a_day, b_day, sign = b_day, a_day, -1
        count = sum(
            1 for offset in range(1, (b_day - a_day).days + 1)
            if self.is_working_day(a_day + timedelta(days=offset))
        )
        return sign * count

    def year_days(self, year: int) -> list[tuple[date, bool, str]]:
        """Every day of ``year`` as (date, is_working, reason); reason is "" for an ordinary working day."""
        day, end = date(year, 1, 1), date(year, 12, 31)
        result = []
        while day <= end:
            result.append((day, *self.day_info(day)))
            day += timedelta(days=1)
        return result


def _no_data_warning(year: int) -> str:
    return f"{year}: no national holiday data bundled; only weekends and entered closures are used"


def load_calendar(session: Session, times: SchoolTime | None = None) -> SchoolCalendar:
    """Build the calendar from the national data and every row of ``calendar_entries``.

    ``times`` are the school's time zone and office-day end; without them they are read from the settings.
    """
    closures: dict[date, str | None] = {}
    workdays: dict[date, str | None] = {}
    for entry in session.scalars(sa.select(CalendarEntry)):
        target = closures if CalendarEntryKind(entry.kind) is CalendarEntryKind.CLOSURE else workdays
        target[entry.day] = entry.reason
    times = times or school_time(session)
    return SchoolCalendar(closures, workdays, timezone=times.tz.key, office_end=times.office_end)


def add_entries(
    session: Session, days: list[date], kind: CalendarEntryKind | str, reason: str | None, *, clock: Clock
) -> list[CalendarEntry]:
    """Store ``kind`` for each day; an earlier entry for the same day is replaced. Flushes, never commits.

    :raises InvalidInput: for an unknown kind or a reason longer than 255 characters.
    """
    try:
        kind = CalendarEntryKind(kind)
    except ValueError as exc:
        raise InvalidInput(f"unknown calendar entry kind {kind!r}; use closure or workday") from exc
    reason = (reason or "").strip() or None
    if reason and len(reason) > 255:
        raise InvalidInput("reason is longer than 255 characters", {"reason": "at most 255 characters"})
    now = clock.now()
    rows = []
    for day in dict.fromkeys(days):  # de-duplicate, keep order
        row = session.get(CalendarEntry, day)
        if row is None:
            row = CalendarEntry(day=day)
            session.add(row)
        row.kind, row.reason, row.created_at = kind, reason, now
        rows.append(row)
    session.flush()
    return rows


def parse_import(data: bytes, filename: str) -> list[tuple[date, CalendarEntryKind, str | None]]:
    """Read entries from a CSV (``date,kind,reason``) or iCalendar (``.ics``) file, chosen by extension.

    :raises InvalidInput: naming the file and the line (CSV) or event (iCalendar) that is wrong.
    """
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return _parse_csv(data, filename)
    if lowered.endswith((".ics", ".ical", ".ifb")):
        return _parse_ics(data, filename)
    raise InvalidInput(f"{filename}: unsupported file type; use .csv or .ics")


def _parse_csv(data: bytes, filename: str) -> list[tuple[date, CalendarEntryKind, str | None]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves CSV in GBK unless told otherwise.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{filename}: not a UTF-8 or GBK text file") from exc
    reader = csv.reader(io.StringIO(text))
    entries = []
    for row in reader:
        where = f"{filename} line {reader.line_num}"
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if reader.line_num == 1 and cells[0].lower() in ("date", "day", "日期"):
            continue  # header row
        if not 2 <= len(cells) <= 3:
            raise InvalidInput(f"{where}: expected date,kind,reason but found {len(cells)} columns")
        if not _ISO_DATE.fullmatch(cells[0]):
            raise InvalidInput(f"{where}: {cells[0]!r} is not a date like 2026-10-08")
        try:
            day = date.fromisoformat(cells[0])
        except ValueError as exc:
            raise InvalidInput(f"{where}: {cells[0]!r} is not a valid date") from exc
        kind = _KIND_WORDS.get(cells[1].lower())
        if kind is None:
            raise InvalidInput(f"{where}: kind {cells[1]!r} is not closure/停课/放假 or workday/补班/上班")
        reason = cells[2] if len(cells) == 3 and cells[2] else None
        entries.append((day, kind, reason))
    return entries


def _parse_ics(data: bytes, filename: str) -> list[tuple[date, CalendarEntryKind, str | None]]:
    import icalendar  # only the import path needs it

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise InvalidInput(f"{filename}: not a valid iCalendar file ({exc})") from exc
    entries = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "")).strip() or None
        where = f"{filename} event {number}" + (f" ({summary!r})" if summary else "")
        try:
            start, end = event.start, event.end
        except ValueError as exc:
            raise InvalidInput(f"{where}: {exc}") from exc
        if isinstance(start, datetime) or isinstance(end, datetime):
            raise InvalidInput(f"{where}: only all-day events can be imported")
        if event.get("RRULE") is not None:
            raise InvalidInput(f"{where}: repeating events cannot be imported; list each day")
        span = (end - start).days
        if not 1 <= span <= _MAX_EVENT_DAYS:
            raise InvalidInput(f"{where}: end {end} must be 1 to {_MAX_EVENT_DAYS} days after start {start}")
        labels = " ".join([summary or ""] + [str(c) for c in event.categories]).lower()
        is_workday = any(marker in labels for marker in _WORKDAY_MARKERS)
        kind = CalendarEntryKind.WORKDAY if is_workday else CalendarEntryKind.CLOSURE
        entries.extend((start + timedelta(days=i), kind, summary) for i in range(span))
    return entries
