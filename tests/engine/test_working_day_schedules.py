"""A schedule can say "the last working day of each month" or "the first working day of each week".

The start event's ``workingDay`` property (``previous`` or ``next``) moves each round of its timeCycle that
falls on a day off to the working day before or after it on the school calendar, at the same time of day
(README, "Timers and the worker"). The cycle keeps stepping from the unmoved round, so it never drifts.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError, ScriptError
from engine.storage.models import Instance, Schedule
from engine.time import school_calendar
from engine.storage.models import CalendarEntryKind
from tests.helpers import DATA, Harness

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def deploy(harness: Harness, cycle: str, working_day: str | None) -> None:
    text = (DATA / "schedule_daily.bpmn").read_text(encoding="utf-8").replace("R/P1D", cycle)
    if working_day is not None:
        text = text.replace('<bpmn:startEvent id="every_day" name="Every day">',
                            '<bpmn:startEvent id="every_day" name="Every day"><bpmn:extensionElements>'
                            f'<camunda:properties><camunda:property name="workingDay" value="{working_day}"/>'
                            '</camunda:properties></bpmn:extensionElements>')
    harness.deploy_bytes(text.encode(), "schedule_daily.bpmn")


def started(harness: Harness) -> list[datetime]:
    with harness.Session() as s:
        return [i.started_at for i in s.scalars(sa.select(Instance).order_by(Instance.id))]


def next_due(harness: Harness) -> datetime:
    with harness.Session() as s:
        return s.scalars(sa.select(Schedule)).one().next_due_at


def run_until(harness: Harness, end: datetime) -> list[datetime]:
    """Let the worker run every hour up to ``end``; the moments cases were started."""
    while harness.clock.now() < end:
        harness.advance(hours=1)
    return started(harness)


@pytest.fixture(autouse=True)
def office(harness: Harness) -> None:
    harness.user("ann", "office")


def test_month_end_summary_fires_on_the_last_working_day_of_each_month(harness):
    # P1 §三(二)5 "每月末" on the school calendar: 31 Oct 2026 is a Saturday, 31 Jan and 28 Feb 2027 Sundays.
    deploy(harness, "0 0 17 L * ?", "previous")
    assert next_due(harness) == local(2026, 9, 30, 17)
    assert run_until(harness, local(2027, 3, 1)) == [
        local(2026, 9, 30, 17), local(2026, 10, 30, 17), local(2026, 11, 30, 17), local(2026, 12, 31, 17),
        local(2027, 1, 29, 17), local(2027, 2, 26, 17)]


def test_without_the_option_the_same_line_fires_on_weekends(harness):
    deploy(harness, "0 0 17 L * ?", None)
    assert run_until(harness, local(2026, 11, 1)) == [local(2026, 9, 30, 17), local(2026, 10, 31, 17)]


def test_weekly_statistics_fire_on_the_first_working_day_of_each_week(harness):
    # P2 §五6 每周: Monday 5 October 2026 is in the National Day holiday (1–7 October); the first working
    # day of that week is Thursday 8 October. The other weeks start on their Monday.
    deploy(harness, "0 0 9 ? * MON", "next")
    assert run_until(harness, local(2026, 10, 20)) == [
        local(2026, 10, 8, 9), local(2026, 10, 12, 9), local(2026, 10, 19, 9)]


def test_a_closure_entered_after_deployment_moves_the_round(harness):
    deploy(harness, "0 0 17 L * ?", "previous")
    with harness.Session.begin() as s:
        school_calendar.add_entries(s, [date(2026, 10, 30)], CalendarEntryKind.CLOSURE, "校庆",
                                    clock=harness.clock)
    harness.advance(hours=8)  # the September round fires; the October one is computed on today's calendar
    assert next_due(harness) == local(2026, 10, 29, 17)


def test_a_week_without_working_days_fires_once(harness):
    # Every day of 12–18 October closed: Monday's round moves to Monday 19, where the next round already is.
    deploy(harness, "0 0 9 ? * MON", "next")
    with harness.Session.begin() as s:
        school_calendar.add_entries(s, [date(2026, 10, d) for d in range(12, 19)], CalendarEntryKind.CLOSURE,
                                    "停课", clock=harness.clock)
    assert run_until(harness, local(2026, 10, 27)) == [
        local(2026, 10, 8, 9), local(2026, 10, 19, 9), local(2026, 10, 26, 9)]


def test_an_unknown_option_is_refused_with_a_sentence(harness):
    with pytest.raises((DefinitionError, ScriptError), match="workingDay 'last' is not one of previous, next"):
        deploy(harness, "0 0 17 L * ?", "last")
    with harness.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Schedule)) == 0
