"""Working days, deadlines, entries in the database, file import and the ``calendar`` CLI.

The national dates asserted here were checked against chinesecalendar 1.11.0 (the State Council's 2026
schedule), not guessed.
"""
from __future__ import annotations

import json
import logging
import types
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from cli.calendar_cmd import calendar
from engine.time.clock import FakeClock
from engine.storage.db import make_engine, make_sessionmaker, upgrade
from engine.errors import InvalidInput
from engine.storage.models import CalendarEntry, CalendarEntryKind
from engine.time.school_calendar import SchoolCalendar, add_entries, load_calendar, parse_import

CST = timezone(timedelta(hours=8))
NO_DATA_2027 = "2027: no national holiday data bundled; only weekends and entered closures are used"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A moment in Beijing time."""
    return datetime(y, m, d, hh, mm, tzinfo=CST)


@pytest.fixture
def cal() -> SchoolCalendar:
    return SchoolCalendar()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 1, 1, 0, tzinfo=UTC))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite'}")
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


# --- deadlines over national holidays ---------------------------------------------------------------


def test_national_day_2026_reference_example(cal: SchoolCalendar) -> None:
    # 1-7 Oct off; 8, 9 and Saturday 10 Oct (调休) work; so 8,9,10,12,13,14,15.
    due = cal.add_working_days(at(2026, 9, 30), 7)
    assert due == at(2026, 10, 15, 17, 30)
    assert due.tzinfo is UTC


def test_hour_of_start_never_counts_and_day_is_taken_in_school_time_zone(cal: SchoolCalendar) -> None:
    assert cal.add_working_days(at(2026, 9, 30, 23, 59), 1) == at(2026, 10, 8, 17, 30)
    # 17:00 UTC on 30 Sep is already 1 Oct in Beijing: counting starts from a holiday.
    assert cal.add_working_days(datetime(2026, 9, 30, 17, 0, tzinfo=UTC), 1) == at(2026, 10, 8, 17, 30)
    assert cal.add_working_days(datetime(2026, 9, 29, 15, 59, tzinfo=UTC), 1) == at(2026, 9, 30, 17, 30)


def test_new_year_2026_holidays_and_sunday_4_january_worked(cal: SchoolCalendar) -> None:
    assert [cal.is_working_day(date(2026, 1, d)) for d in range(1, 6)] == [False, False, False, True, True]
    start = at(2025, 12, 31)
    assert cal.add_working_days(start, 1) == at(2026, 1, 4, 17, 30)  # a Sunday, 调休
    assert cal.add_working_days(start, 2) == at(2026, 1, 5, 17, 30)


def test_spring_festival_2026(cal: SchoolCalendar) -> None:
    off = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 15-23 Feb
    assert not any(cal.is_working_day(d) for d in off)
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, 调休
    assert cal.is_working_day(date(2026, 2, 28))  # Saturday, 调休
    assert not cal.is_working_day(date(2026, 3, 1))  # ordinary Sunday
    assert cal.add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14, 17, 30)
    assert cal.add_working_days(at(2026, 2, 13), 2) == at(2026, 2, 24, 17, 30)
    assert cal.add_working_days(at(2026, 2, 26), 3) == at(2026, 3, 2, 17, 30)


def test_zero_days_means_end_of_today_or_of_next_working_day(cal: SchoolCalendar) -> None:
    assert cal.add_working_days(at(2026, 9, 30, 8), 0) == at(2026, 9, 30, 17, 30)
    assert cal.add_working_days(at(2026, 10, 3), 0) == at(2026, 10, 8, 17, 30)


def test_bad_arguments_are_refused(cal: SchoolCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(at(2026, 9, 30), -1)
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_days(datetime(2026, 9, 30, 10), 1)


def test_custom_office_end_and_time_zone() -> None:
    cal = SchoolCalendar(timezone="Asia/Urumqi", office_end=time(19, 0))
    assert cal.add_working_days(datetime(2026, 9, 30, 10, tzinfo=UTC), 1) == datetime(
        2026, 10, 8, 13, 0, tzinfo=UTC
    )


# --- administrator entries ---------------------------------------------------------------------------


def test_school_closure_pushes_the_deadline() -> None:
    cal = SchoolCalendar(closures={date(2026, 10, 12): "sports day"})
    assert not cal.is_working_day(date(2026, 10, 12))
    assert cal.add_working_days(at(2026, 9, 30), 7) == at(2026, 10, 16, 17, 30)


def test_extra_workday_pulls_the_deadline_in() -> None:
    cal = SchoolCalendar(extra_workdays={date(2026, 10, 11): "make-up day"})
    assert cal.is_working_day(date(2026, 10, 11))
    assert cal.add_working_days(at(2026, 9, 30), 7) == at(2026, 10, 14, 17, 30)


def test_closure_on_a_national_adjusted_working_day_wins() -> None:
    cal = SchoolCalendar(closures={date(2026, 10, 10): None})
    assert cal.day_info(date(2026, 10, 10)) == (False, "closure")


# --- years without national data -------------------------------------------------------------------


def test_2027_falls_back_to_weekends_with_one_warning(
    cal: SchoolCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="engine.time.school_calendar")
    assert cal.warnings == []
    # 1 Jan 2027 is a Friday; without data it counts as a normal working day.
    assert cal.add_working_days(at(2026, 12, 31), 1) == at(2027, 1, 1, 17, 30)
    assert cal.add_working_days(at(2026, 12, 31), 2) == at(2027, 1, 4, 17, 30)
    assert not cal.is_working_day(date(2027, 1, 2))
    assert cal.working_days_between(date(2027, 1, 1), date(2027, 12, 31)) == 260
    assert cal.warnings == [NO_DATA_2027]
    assert [r.getMessage() for r in caplog.records] == [NO_DATA_2027]


def test_closures_still_apply_in_a_year_without_data() -> None:
    cal = SchoolCalendar(closures={date(2027, 1, 4): "snow"})
    assert cal.add_working_days(at(2026, 12, 31), 2) == at(2027, 1, 5, 17, 30)


# --- counting ------------------------------------------------------------------------------------------


def test_working_days_between(cal: SchoolCalendar) -> None:
    assert cal.working_days_between(at(2026, 9, 30), at(2026, 10, 15, 17, 30)) == 7
    assert cal.working_days_between(date(2026, 10, 15), date(2026, 9, 30)) == -7
    assert cal.working_days_between(date(2026, 10, 3), at(2026, 10, 3, 23)) == 0
    assert cal.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    for n in (1, 5, 30):
        start = at(2026, 1, 30)
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_next_working_day(cal: SchoolCalendar) -> None:
    assert cal.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert cal.next_working_day(date(2026, 10, 9)) == date(2026, 10, 10)


def test_year_days_reasons_and_count() -> None:
    cal = SchoolCalendar(
        closures={date(2026, 11, 3): "sports day"}, extra_workdays={date(2026, 11, 8): "fair"}
    )
    days = {d: (working, reason) for d, working, reason in cal.year_days(2026)}
    assert len(days) == 365
    assert days[date(2026, 10, 1)] == (False, "National Day")
    assert days[date(2026, 10, 10)] == (True, "adjusted working day (National Day)")
    assert days[date(2026, 9, 20)] == (True, "adjusted working day (National Day)")  # a Sunday
    assert days[date(2026, 10, 11)] == (False, "weekend")
    assert days[date(2026, 10, 12)] == (True, "")
    assert days[date(2026, 11, 3)] == (False, "closure: sports day")
    assert days[date(2026, 11, 8)] == (True, "extra workday: fair")
    # 261 weekdays - 19 weekday holidays + 6 adjusted working days; then -1 closure +1 workday.
    assert sum(working for working, _ in days.values()) == 248


# --- database ------------------------------------------------------------------------------------------


def test_entries_round_trip_and_later_entry_replaces(db: sessionmaker[Session], clock: FakeClock) -> None:
    with db.begin() as session:
        add_entries(session, [date(2026, 10, 12), date(2026, 10, 13)], CalendarEntryKind.CLOSURE, "flu",
                    clock=clock)
    clock.advance(days=1)
    with db.begin() as session:
        add_entries(session, [date(2026, 10, 13)], "workday", "make-up", clock=clock)
    with db.begin() as session:
        cal = load_calendar(session)
        row = session.get(CalendarEntry, date(2026, 10, 13))
        assert row is not None and row.created_at == clock.now()
    assert cal.closures == {date(2026, 10, 12): "flu"}
    assert cal.extra_workdays == {date(2026, 10, 13): "make-up"}


def test_add_entries_refuses_unknown_kind(db: sessionmaker[Session], clock: FakeClock) -> None:
    with db.begin() as session, pytest.raises(InvalidInput, match="kind"):
        add_entries(session, [date(2026, 10, 12)], "holiday", None, clock=clock)


# --- import --------------------------------------------------------------------------------------------


def test_csv_import_with_header_and_chinese_kinds(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text("date,kind,reason\n2026-11-03,closure,Sports day\n\n2026-11-04,停课,\n"
                    "2026-11-08,补班\n2026-11-15,上班,\"fair, open day\"\n", encoding="utf-8")
    assert parse_import(path.read_bytes(), path.name) == [
        (date(2026, 11, 3), CalendarEntryKind.CLOSURE, "Sports day"),
        (date(2026, 11, 4), CalendarEntryKind.CLOSURE, None),
        (date(2026, 11, 8), CalendarEntryKind.WORKDAY, None),
        (date(2026, 11, 15), CalendarEntryKind.WORKDAY, "fair, open day"),
    ]


def test_csv_from_excel_in_gbk_without_header() -> None:
    data = "2026-11-03,放假,运动会\n".encode("gbk")
    assert parse_import(data, "DAYS.CSV") == [(date(2026, 11, 3), CalendarEntryKind.CLOSURE, "运动会")]


@pytest.mark.parametrize(("line", "message"), [
    ("2026/11/04,closure,x", "line 3: '2026/11/04' is not a date"),
    ("2026-02-30,closure,x", "line 3: '2026-02-30' is not a valid date"),
    ("2026-11-04,holiday,x", "line 3: kind 'holiday'"),
    ("2026-11-04", "line 3: expected date,kind,reason"),
])
def test_bad_csv_line_names_the_line(line: str, message: str) -> None:
    data = f"date,kind,reason\n2026-11-03,closure,ok\n{line}\n".encode()
    with pytest.raises(InvalidInput, match=message):
        parse_import(data, "days.csv")


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//school//calendar//EN
BEGIN:VEVENT
UID:a@school
DTSTAMP:20260901T000000Z
DTSTART;VALUE=DATE:20261103
DTEND;VALUE=DATE:20261105
SUMMARY:Sports days
END:VEVENT
BEGIN:VEVENT
UID:b@school
DTSTAMP:20260901T000000Z
DTSTART;VALUE=DATE:20261108
SUMMARY:Open day
CATEGORIES:School,Workday
END:VEVENT
BEGIN:VEVENT
UID:c@school
DTSTAMP:20260901T000000Z
DTSTART;VALUE=DATE:20261115
DTEND;VALUE=DATE:20261116
SUMMARY:运动会补班
END:VEVENT
END:VCALENDAR
"""


def test_ics_import(tmp_path: Path) -> None:
    path = tmp_path / "school.ics"
    path.write_bytes(ICS.replace("\n", "\r\n").encode())
    assert parse_import(path.read_bytes(), path.name) == [
        (date(2026, 11, 3), CalendarEntryKind.CLOSURE, "Sports days"),
        (date(2026, 11, 4), CalendarEntryKind.CLOSURE, "Sports days"),  # DTEND is exclusive
        (date(2026, 11, 8), CalendarEntryKind.WORKDAY, "Open day"),  # no DTEND: one day
        (date(2026, 11, 15), CalendarEntryKind.WORKDAY, "运动会补班"),
    ]


def test_ics_timed_event_is_refused_by_name() -> None:
    data = ICS.replace("DTSTART;VALUE=DATE:20261108", "DTSTART:20261108T090000").encode()
    with pytest.raises(InvalidInput, match=r"school.ics event 2 \('Open day'\): only all-day"):
        parse_import(data, "school.ics")


def test_unparseable_files_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not a valid iCalendar"):
        parse_import(b"hello", "x.ics")
    with pytest.raises(InvalidInput, match="unsupported file type"):
        parse_import(b"", "x.xlsx")


# --- CLI -----------------------------------------------------------------------------------------------


Run = Callable[..., Result]


@pytest.fixture
def run(db: sessionmaker[Session], clock: FakeClock) -> Run:
    """Invoke ``calendar`` under a stand-in root group that provides ``ctx.obj`` as the main CLI does."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = types.SimpleNamespace(sessionmaker=db, clock=clock)

    root.add_command(calendar)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(root, ["calendar", *args])

    return invoke


def test_cli_add_and_show(run: Run) -> None:
    result = run("add-closure", "2026-11-03", "--to", "2026-11-04", "--reason", "sports days")
    assert result.exit_code == 0, result.output
    assert run("add-workday", "2026-11-08", "--reason", "open day").exit_code == 0
    result = run("show", "2026", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["working_days"] == 248 - 2 + 1
    assert {"date": "2026-11-08", "working": True, "reason": "extra workday: open day"} in shown["days"]
    saturday_worked = {"date": "2026-10-10", "working": True, "reason": "adjusted working day (National Day)"}
    assert saturday_worked in shown["days"]
    assert not any(d["reason"] == "weekend" for d in shown["days"])
    text = run("show", "2026").stdout
    assert "2026-11-03 Tue  off   closure: sports days" in text
    assert text.strip().endswith("247 working days in 2026")


def test_cli_import(run: Run, tmp_path: Path, db: sessionmaker[Session]) -> None:
    path = tmp_path / "school.ics"
    path.write_text(ICS)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 closure(s) and 2 workday(s)" in result.stdout
    with db.begin() as session:
        assert len(load_calendar(session).closures) == 2


def test_cli_show_year_without_data_warns_on_stderr(run: Run) -> None:
    result = run("show", "2027")
    assert result.exit_code == 0
    assert result.stderr == f"warning: {NO_DATA_2027}\n"
    assert "261 working days in 2027" in result.stdout


@pytest.mark.parametrize("args", [
    ("add-closure", "3.11.2026", "--reason", "x"),
    ("add-closure", "2026-11-04", "--to", "2026-11-03", "--reason", "x"),
])
def test_cli_errors_are_one_line_and_exit_1(run: Run, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_cli_bad_import_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text("2026-11-03,closure,ok\n2026-11-04,maybe,x\n")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "days.csv line 2" in result.stderr
