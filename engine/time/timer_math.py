"""Due-time arithmetic for timers and deadlines: ISO 8601 durations, dates, repeating intervals and cron.

Everything returns aware UTC datetimes. Naive times are read in the school's time zone, never the
server's; a bare date means the end of the office day on that date. Both come from the administrator's
settings, passed in as a ``SchoolTime`` loader that is called only when a value needs them.
"""
from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from engine.errors import ScriptError
from engine.time.literals import is_cron, is_iso_literal
from engine.time.school_time import DEFAULT_SCHOOL_TIME, SchoolTime

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$"
)


# The latest moment a timer or deadline may fall on: a duration of millions of days is a mistake, and
# Python's datetime would answer it with OverflowError in the middle of a case (issue #10).
LATEST = datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC)


def add_duration(moment: datetime, text: str) -> datetime:
    """``moment`` plus an ISO 8601 duration; years and months move by calendar months.

    :raises ScriptError: ``text`` is no duration, or the result would fall after ``LATEST``.
    """
    m = _DURATION.match(text.strip().upper()) if len(text) <= 100 else None
    if not m or text.strip().upper() in ("P", "PT"):
        raise ScriptError(f"'{text[:100]}' is not an ISO 8601 duration such as P7D or PT2H")
    g = {k: v for k, v in m.groupdict().items() if v}
    too_far = ScriptError(f"'{text}' reaches beyond {LATEST.date().isoformat()}, the latest date a timer "
                          "or deadline may fall on")
    try:
        months = int(g.get("y", 0)) * 12 + int(g.get("mo", 0))
        if months:
            moment = _add_months(moment, months)
        result = moment + timedelta(weeks=int(g.get("w", 0)), days=int(g.get("d", 0)),
                                    hours=int(g.get("h", 0)), minutes=int(g.get("mi", 0)),
                                    seconds=float(g.get("s", "0").replace(",", ".")))
    except (OverflowError, ValueError):
        raise too_far from None
    if result > LATEST:
        raise too_far
    return result


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _calendar.monthrange(year, month)[1]))


def resolve_moment(value: object, now: datetime, school_time: Callable[[], SchoolTime]) -> datetime:
    """A datetime, an ISO date-time, a bare date (its office end) or a duration counted from ``now``.

    ``school_time`` is called only for a bare date or a naive date-time: most values never need the
    settings read.

    :raises ScriptError: the value is none of these, or falls after ``LATEST``.
    """
    try:
        moment = _resolve_moment(value, now, school_time)
    except OverflowError:
        moment = LATEST + timedelta(days=1)
    if moment > LATEST:
        raise ScriptError(f"'{str(value)[:40]}' is after {LATEST.date().isoformat()}, the latest date a timer "
                          "or deadline may fall on")
    return moment


def _resolve_moment(value: object, now: datetime, school_time: Callable[[], SchoolTime]) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return _office_close(value, school_time())
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.upper().startswith("P"):
            return add_duration(now, text).astimezone(UTC)
        try:
            if len(text) == 10:
                return _office_close(date.fromisoformat(text), school_time())
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ScriptError(f"'{value}' is not a date, date-time or duration") from None
    else:
        raise ScriptError(f"{value!r} is not a date, date-time or duration")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=school_time().tz)
    return moment.astimezone(UTC)


def _office_close(day: date, school: SchoolTime) -> datetime:
    return datetime.combine(day, school.office_end, tzinfo=school.tz).astimezone(UTC)


@dataclass
class Cycle:
    """A repeating timer: when it is next due, how to step, and how many firings are left (None: no end)."""

    next_due: datetime
    remaining: int | None
    step: str | None = None  # an ISO duration, or
    cron: str | None = None  # a cron line evaluated in time zone ``zone``
    until: datetime | None = None  # no round after this moment (R/duration/end)
    # A cron line's zone: the school's when the timer started, kept so that firing reads no settings.
    zone: str | None = None
    # The working-day option (WORKING_DAY_OPTIONS): a round on a day off moves to the previous or next
    # working day. ``raw`` is then the unmoved occurrence the cycle steps from, so that moving never
    # drifts the cycle (stepping a month from the 30th instead of the 31st).
    working_day: str | None = None
    raw: datetime | None = None

    def advance(self, now: datetime, is_working_day: Callable[[date], bool] | None = None) -> Cycle | None:
        """The cycle after one firing, skipping occurrences missed while nobody was running the worker.

        ``is_working_day`` (the school calendar) is needed only by a cycle with the working-day option.
        """
        remaining = None if self.remaining is None else self.remaining - 1
        if remaining == 0:
            return None
        if not self.working_day:
            raw = nxt = _catch_up(self.next_due, self.step, self.cron, self.zone, now)
        else:
            # Missed rounds are caught up counted, then moved; two raw rounds moved onto the same working
            # day (a whole week off) fire once.
            raw = _catch_up(self.raw or self.next_due, self.step, self.cron, self.zone, now)
            nxt = self._moved(raw, is_working_day)
            while nxt <= now or (self.next_due <= now and nxt <= self.next_due):
                raw = _step(raw, self.step, self.cron, self.zone)
                nxt = self._moved(raw, is_working_day)
        if self.until is not None and raw > self.until:
            return None
        return Cycle(nxt, remaining, self.step, self.cron, self.until, self.zone, self.working_day,
                     raw if self.working_day else None)

    def with_working_day(self, option: str | None, now: datetime,
                         is_working_day: Callable[[date], bool], zone: ZoneInfo) -> Cycle:
        """This cycle with the working-day option applied to its first round (one after ``now``)."""
        if not option:
            return self
        if option not in WORKING_DAY_OPTIONS:
            raise ScriptError(f"workingDay '{option}' is not one of {', '.join(WORKING_DAY_OPTIONS)}: "
                              "'previous' moves a round on a day off to the working day before, 'next' to "
                              "the one after")
        self.working_day, self.raw, self.zone = option, self.next_due, self.zone or zone.key
        self.next_due = self._moved(self.next_due, is_working_day)
        while self.next_due <= now:
            self.raw = _step(self.raw, self.step, self.cron, self.zone)
            self.next_due = self._moved(self.raw, is_working_day)
        return self

    def _moved(self, moment: datetime, is_working_day: Callable[[date], bool] | None) -> datetime:
        if not self.working_day:
            return moment
        if is_working_day is None:
            raise ScriptError("a cycle with the workingDay option needs the school calendar")
        return move_to_working_day(moment, self.working_day, is_working_day, ZoneInfo(self.zone or "UTC"))

    def to_json(self) -> dict[str, object]:
        return {"next": self.next_due.isoformat(), "remaining": self.remaining, "step": self.step,
                "cron": self.cron, "until": self.until.isoformat() if self.until else None,
                "zone": self.zone, "working_day": self.working_day,
                "raw": self.raw.isoformat() if self.raw else None}

    @classmethod
    def from_json(cls, d: dict[str, object]) -> Cycle:
        until = d.get("until")
        # Cron cycles stored before the zone was kept were computed in the default zone.
        zone = d.get("zone") or (DEFAULT_SCHOOL_TIME.tz.key if d.get("cron") else None)
        raw = d.get("raw")
        return cls(datetime.fromisoformat(str(d["next"])), d["remaining"], d["step"], d["cron"],  # type: ignore[arg-type]
                   datetime.fromisoformat(str(until)) if until else None, zone,  # type: ignore[arg-type]
                   d.get("working_day"), datetime.fromisoformat(str(raw)) if raw else None)  # type: ignore[arg-type]


# A timer's ``workingDay`` option: where a round that falls on a day off goes. With a month-end cron line
# (``0 0 17 L * ?``) "previous" gives the last working day of each month; with a Monday one
# (``0 0 8 ? * MON``) "next" gives the first working day of each week.
WORKING_DAY_OPTIONS = ("previous", "next")


def move_to_working_day(moment: datetime, option: str, is_working_day: Callable[[date], bool],
                        zone: ZoneInfo) -> datetime:
    """``moment`` kept at its time of day in ``zone``, on the nearest working day before or after it."""
    local = moment.astimezone(zone)
    day, step = local.date(), timedelta(days=-1 if option == "previous" else 1)
    for _ in range(366):  # a calendar with no working day in a year is an administrator's mistake
        if is_working_day(day):
            return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
        day += step
    raise ScriptError(f"no working day within a year of {local.date().isoformat()}; check the school calendar")


def _step(moment: datetime, step: str | None, cron: str | None, zone: str | None) -> datetime:
    if cron:
        assert zone is not None  # parse_cycle and from_json give every cron cycle its zone
        local = moment.astimezone(ZoneInfo(zone))
        return croniter(cron, local).get_next(datetime).astimezone(UTC)
    return add_duration(moment, step or "").astimezone(UTC)


def _catch_up(moment: datetime, step: str | None, cron: str | None, zone: str | None,
              now: datetime) -> datetime:
    """The first occurrence after ``now`` of a cycle last due at ``moment`` (itself if already after).

    Counted, not stepped one round at a time: a start years back with a step of seconds would otherwise
    take billions of rounds.
    """
    if moment > now:
        return moment
    if cron:
        assert zone is not None
        return croniter(cron, now.astimezone(ZoneInfo(zone))).get_next(datetime).astimezone(UTC)
    text = (step or "").strip().upper()
    fixed = _DURATION.match(text)
    if fixed and not (fixed.group("y") or fixed.group("mo")):  # a fixed length: skip whole steps at once
        length = add_duration(moment, text) - moment
        if length > timedelta(0):
            moment += length * ((now - moment) // length)
    while moment <= now:  # at most one step here; for months, at most as many months as have passed
        moment = _step(moment, step, None, None)
    return moment


def literal_problem(kind: str, text: str) -> str | None:
    """Why a bare timer or due-date value (``P7D``, ``2026-11-23``, ``R/P1W``) can never be used, or None.

    Checked at deploy against a fixed moment, so a value millions of days away is refused there.
    """
    reference = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        if kind == "cycle":
            parse_cycle(text, reference, lambda: DEFAULT_SCHOOL_TIME)
        elif text.strip().upper().startswith("P") or kind == "duration":
            add_duration(reference, text)
        else:
            moment = resolve_moment(text, reference, lambda: DEFAULT_SCHOOL_TIME)
            if moment > LATEST:
                return f"'{text}' is after {LATEST.date().isoformat()}, the latest date a timer may fall on"
    except ScriptError as exc:
        return str(exc)
    except (OverflowError, ValueError) as exc:
        return f"'{text}' cannot be used as a time ({exc})"
    return None


def _cron_line(text: str) -> str:
    # Quartz (Camunda) writes "sec min hour dom month dow [year]" and '?' for "no value"; croniter wants
    # the five classic fields, optionally with seconds.
    fields = text.replace("?", "*").split()
    if len(fields) == 7:
        fields = fields[:6]
    if len(fields) == 6:
        # Quartz numbers weekdays 1 (Sunday) to 7 (Saturday), classic cron 0 (Sunday) to 6: without this,
        # Camunda's "0 0 8 ? * 2" (Mondays) fired on Tuesdays. Numbers after '#' (the n-th weekday of
        # the month) or '/' (a step) are counts, not weekdays, and stay.
        fields[5] = re.sub(r"(?<![#/\d])[1-7](?!\d)", lambda m: str(int(m.group()) - 1), fields[5])
        fields = fields[1:] + [fields[0]]  # croniter takes seconds last
    return " ".join(fields)


def parse_cycle(text: str, now: datetime, school_time: Callable[[], SchoolTime]) -> Cycle:
    """``R[n]/duration``, ``R[n]/start/duration``, ``R[n]/duration/end``, ``R[n]/start/end`` or a cron line.

    A cron line runs in the school's time zone, as do naive start and end times.

    :raises ScriptError: the text is none of these.
    """
    text = text.strip()
    if not text.upper().startswith("R"):
        line = _cron_line(text)
        if not croniter.is_valid(line):
            raise ScriptError(f"'{text}' is neither a repeating interval such as R/P1W nor a cron line")
        zone = school_time().tz
        first = croniter(line, now.astimezone(zone)).get_next(datetime).astimezone(UTC)
        return Cycle(first, None, cron=line, zone=zone.key)
    parts = text.split("/")
    count = parts[0][1:]
    if count and not count.isdigit():
        raise ScriptError(f"'{text}' does not say how often it repeats; write R3/PT1H or R/PT1H")
    remaining = int(count) if count else None
    if remaining == 0:
        raise ScriptError(f"'{text}' repeats zero times")
    if len(parts) not in (2, 3):
        raise ScriptError(f"'{text}' is not a repeating interval; write R[n]/duration, R[n]/start/duration, "
                          "R[n]/duration/end or R[n]/start/end")
    is_duration = [p.upper().startswith("P") for p in parts[1:]]
    if len(parts) == 3 and not any(is_duration):  # R/start/end: the interval is end - start
        start, end = resolve_moment(parts[1], now, school_time), resolve_moment(parts[2], now, school_time)
        step = f"PT{(end - start).total_seconds():g}S"
        parts, is_duration = [parts[0], parts[1], step], [False, True]
    step = parts[1 + is_duration.index(True)] if any(is_duration) else ""
    if not step or add_duration(now, step) <= now:
        # A zero step (R/PT0S) never moves past now: the worker looped for ever catching the cycle up.
        raise ScriptError(f"'{text}' repeats every {step or 'nothing'}; "
                          "the interval must be longer than zero")
    if len(parts) == 2:
        return Cycle(add_duration(now, step).astimezone(UTC), remaining, step=step)
    if is_duration[0]:  # R/duration/end: rounds every duration from now, the last one at or before end
        until = resolve_moment(parts[2], now, school_time)
        cycle = Cycle(add_duration(now, step).astimezone(UTC), remaining, step=step, until=until)
        if cycle.next_due > until:
            raise ScriptError(f"'{text}' ends before its first round")
        return cycle
    cycle = Cycle(resolve_moment(parts[1], now, school_time), remaining, step=step)
    # A start in the past: the next occurrence from now on.
    cycle.next_due = _catch_up(cycle.next_due, cycle.step, None, None, now)
    return cycle


def due_time(kind: str, text: str, evaluate: Callable[[str], object], now: datetime,
             school_time: Callable[[], SchoolTime]) -> tuple[datetime, Cycle | None]:
    """When a timer of ``kind`` (date, duration or cycle) whose BPMN text is ``text`` is first due.

    Bare ISO values and cron lines are literals; anything else is an expression given to ``evaluate``.
    ``school_time`` is called only if a value needs the school's zone or office-day end.

    :raises ScriptError: the expression fails or gives no usable time.
    """
    text = text.strip()
    literal = is_iso_literal(text) or (kind == "cycle" and is_cron(text))
    value = text if literal else evaluate(text)
    if kind == "cycle":
        cycle = parse_cycle(str(value), now, school_time)
        return cycle.next_due, cycle
    if kind == "duration":
        return add_duration(now, str(value)), None
    return resolve_moment(value, now, school_time), None
