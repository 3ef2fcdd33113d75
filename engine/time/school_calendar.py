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

import bisect
import csv
import functools
import io
import logging
import re
from collections.abc import Mapping
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
# The days the calendar answers for, and the longest deadline it counts: a date such as 9999-12-31 typed
# into a form is a mistake, and counting towards it must be refused, not computed (issue #10).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)
MAX_WORKING_DAYS = 10_000  # about forty school years
_NATIONAL_YEARS = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)


class OutOfRange(ValueError):
    """A day or a count the calendar does not answer for; the message is a sentence for the user."""


def check_day(day: date) -> date:
    """``day`` itself, or ``OutOfRange`` when it lies outside ``FIRST_DAY``..``LAST_DAY``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(f"{day.isoformat()} is outside the dates the school calendar covers "
                         f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


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
        self._table: _Table | None = None

    @property
    def warnings(self) -> list[str]:
        """One sentence per year looked at that has no bundled national holiday data."""
        return [_no_data_warning(year) for year in sorted(self._uncovered_years)]

    def _national(self, day: date, note: bool = True) -> tuple[bool, str]:
        """(is_working, reason) from the national calendar alone."""
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            if note and day.year not in self._uncovered_years:
                self._uncovered_years.add(day.year)
                logger.warning(_no_data_warning(day.year))
            weekend = day.weekday() >= 5
            return (not weekend, "weekend" if weekend else "")
        if is_holiday:
            return (False, name or "weekend")
        # A working day that carries a holiday's name is a weekend day moved to work (调休).
        return (True, f"adjusted working day ({name})" if name else "")

    def day_info(self, day: date, note: bool = True) -> tuple[bool, str]:
        """(is_working, reason) for ``day``; entries an administrator made win over the national calendar.

        ``note=False`` looks without recording a year that has no national data as used.
        """
        if day in self.closures:
            reason = self.closures[day]
            return (False, f"closure: {reason}" if reason else "closure")
        if day in self.extra_workdays:
            reason = self.extra_workdays[day]
            return (True, f"extra workday: {reason}" if reason else "extra workday")
        return self._national(day, note)

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

    def _entries_table(self) -> _Table:
        """How the administrator's entries change the national calendar, as a table like ``_NATIONAL``."""
        if self._table is None:
            deltas = {}
            for day in set(self.closures) | set(self.extra_workdays):
                deltas[day] = int(self.day_info(day, note=False)[0]) - int(self._national(day, note=False)[0])
            self._table = _Table.of(deltas)
        return self._table

    def _count(self, a_day: date, b_day: date) -> int:
        """Working days d with a_day < d <= b_day (a_day <= b_day), in time independent of the span:
        whole weeks, then the days the national calendar and the administrator make different."""
        return (_weekdays_upto(b_day) - _weekdays_upto(a_day) + _national_table().between(a_day, b_day)
                + self._entries_table().between(a_day, b_day))

    def _note_years(self, a_day: date, b_day: date) -> None:
        first, last = _NATIONAL_YEARS
        for year in range(max(a_day.year, FIRST_DAY.year), min(b_day.year, LAST_DAY.year) + 1):
            if not first <= year <= last and year not in self._uncovered_years:
                self._uncovered_years.add(year)
                logger.warning(_no_data_warning(year))

    def _nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th (n >= 1) working day after ``day``: the smallest d with _count(day, d) >= n."""
        low, high = day, LAST_DAY  # _count(day, low) < n <= _count(day, high)
        if self._count(day, high) < n:
            raise OutOfRange(f"{n} working days after {day.isoformat()} is beyond "
                             f"{LAST_DAY.isoformat()}, the last date the school calendar covers")
        while high - low > timedelta(days=1):
            mid = low + (high - low) // 2
            if self._count(day, mid) >= n:
                high = mid
            else:
                low = mid
        self._note_years(day, high)
        return high

    def next_working_day(self, day: datetime | date) -> date:
        """The first working day strictly after ``day`` (a datetime counts by its school-time-zone date).

        :raises OutOfRange: ``day`` is outside the calendar's dates.
        """
        return self._nth_working_day_after(check_day(self.local_date(day)), 1)

    def office_close(self, day: date) -> datetime:
        """The end of the office day on ``day``, as an aware UTC datetime."""
        return datetime.combine(day, self.office_end, tzinfo=self.timezone).astimezone(UTC)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End of the office day of the n-th working day after the school-time-zone day of ``start``.

        The day ``start`` falls on never counts, whatever the hour: a request on Wednesday morning with
        n=1 is due Thursday at ``office_end``. n=0 means the end of the start day if it is a working
        day, else of the next working day. The result is an aware datetime in UTC.

        :raises ValueError: if n is negative or ``start`` is naive.
        :raises OutOfRange: n is above ``MAX_WORKING_DAYS`` or a day is outside the calendar's dates.
        """
        if n < 0:
            raise OutOfRange(f"cannot add a negative number of working days ({n})")
        if n > MAX_WORKING_DAYS:
            raise OutOfRange(f"cannot add {n} working days; at most {MAX_WORKING_DAYS} are counted")
        day = check_day(self.local_date(start))
        if n == 0:
            return self.office_close(day if self.is_working_day(day) else self.next_working_day(day))
        return self.office_close(self._nth_working_day_after(day, n))

    def working_days_between(self, a: datetime | date, b: datetime | date) -> int:
        """Count working days d with a_day < d <= b_day, days taken in the school's time zone.

        The start day is excluded and the end day included, so ``working_days_between(start,
        add_working_days(start, n)) == n`` for n >= 1. If b is before a the result is minus the count
        of working days d with b_day < d <= a_day; equal days give 0.

        :raises OutOfRange: a day is outside the calendar's dates.
        """
        a_day, b_day = check_day(self.local_date(a)), check_day(self.local_date(b))
        sign = 1
        if b_day < a_day:
            a_day, b_day, sign = b_day, a_day, -1
        if a_day < b_day:
            self._note_years(a_day + timedelta(days=1), b_day)
        return sign * self._count(a_day, b_day)

    def year_days(self, year: int) -> list[tuple[date, bool, str]]:
        """Every day of ``year`` as (date, is_working, reason); reason is "" for an ordinary working day."""
        day, end = date(year, 1, 1), date(year, 12, 31)
        result = []
        while day <= end:
            result.append((day, *self.day_info(day)))
            day += timedelta(days=1)
        return result


class _Table:
    """Days on which a calendar differs from the one below it (+1 a day worked, -1 a day off), sorted,
    with running sums: the difference over any span is two binary searches."""

    def __init__(self, days: list[date], sums: list[int]):
        self.days, self.sums = days, sums

    @classmethod
    def of(cls, deltas: Mapping[date, int]) -> _Table:
        days, sums = [], [0]
        for day in sorted(d for d, delta in deltas.items() if delta):
            days.append(day)
            sums.append(sums[-1] + deltas[day])
        return cls(days, sums)

    def between(self, a_day: date, b_day: date) -> int:
        """The sum of the differences on days d with a_day < d <= b_day."""
        return self.sums[bisect.bisect_right(self.days, b_day)] - self.sums[bisect.bisect_right(self.days, a_day)]


@functools.cache
def _national_table() -> _Table:
    """The national calendar against Monday-to-Friday: statutory holidays off, adjusted days worked."""
    deltas = {}
    for day in set(chinese_calendar.holidays) | set(chinese_calendar.workdays):
        is_holiday, _ = chinese_calendar.get_holiday_detail(day)
        deltas[day] = int(not is_holiday) - int(day.weekday() < 5)
    return _Table.of(deltas)


def _weekdays_upto(day: date) -> int:
    """Mondays to Fridays from an epoch Monday up to and including ``day``: whole weeks, then the rest."""
    days = day.toordinal()  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)


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
