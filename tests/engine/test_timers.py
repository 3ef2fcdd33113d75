"""Timers of every kind, fired by the worker at the fake clock's time (nobody sleeps).

Due times are computed by the engine when a timer starts waiting (from its clock and the school
calendar) and kept in the ``timers`` table; ``harness.advance``/``fire_due`` move the clock and run the
worker once. Boundary (interrupting and not), intermediate catch and event subprocess timers; durations,
dates, ISO repeating intervals (bare, as Camunda Modeler writes them) and cron lines; the deadline
escalation of the calendar example; due and overdue tasks in task lists.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.errors import ConcurrentUpdate, DefinitionError, InstanceError
from engine.storage.models import AuditEvent, HumanTask, TaskState, Timer, TimerStatus
from engine.time.school_calendar import add_entries
from tests.helpers import DATA, Harness

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    """A moment in school time (Asia/Shanghai)."""
    return datetime(*args, tzinfo=SH)


def iso(*args: int) -> str:
    return local(*args).isoformat()


def deploy_variant(harness: Harness, file: str, old: str, new: str) -> None:
    """Deploy ``file`` with one piece of its text replaced (the same model with another timer)."""
    text = (DATA / file).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    harness.deploy_bytes(text.replace(old, new).encode(), file)


def timer_rows(harness: Harness, instance_id: int | None = None) -> list[Timer]:
    with harness.Session() as s:
        q = sa.select(Timer).order_by(Timer.created_at, Timer.bpmn_id)
        if instance_id is not None:
            q = q.where(Timer.instance_id == instance_id)
        return list(s.scalars(q))


def timer_row(harness: Harness, bpmn_id: str, instance_id: int | None = None) -> Timer:
    rows = [t for t in timer_rows(harness, instance_id) if t.bpmn_id == bpmn_id]
    assert len(rows) == 1, f"expected one timer row for {bpmn_id}, found {rows}"
    return rows[0]


def fired_events(harness: Harness, instance_id: int) -> list[dict]:
    history = harness.show(instance_id)["history"]
    return [json.loads(e["detail"]) for e in history if e["kind"] == "timer.fired"]


def all_fired_events(harness: Harness) -> int:
    with harness.Session() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                        .where(AuditEvent.kind == "timer.fired"))


def count(names: list[str], name: str) -> int:
    return sum(1 for n in names if n == name)


def fire_at(harness: Harness, moment: datetime):  # type: ignore[no-untyped-def]
    harness.clock.set(moment)
    return harness.fire_due()


@pytest.fixture
def office(harness: Harness) -> str:
    harness.user("sue", "supervisors")
    harness.user("tom", "visitors")
    return harness.user("ann", "office")


# --- timeDuration and timeDate on an intermediate catch event ----------------------------------------------

INTERMEDIATE = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2H</bpmn:timeDuration>'


def test_duration_fires_exactly_at_its_due_time_never_before_and_only_once(harness, office):
    harness.deploy("timer_intermediate.bpmn")
    iid = harness.start("timer_intermediate", office)
    row = timer_row(harness, "wait", iid)
    assert (row.kind, row.status) == ("intermediate", TimerStatus.WAITING)
    assert row.due_at == local(2026, 9, 30, 12, 0)
    assert harness.tasks(office) == []

    assert harness.advance(hours=1, minutes=59, seconds=59).total == 0  # one second early: nothing
    assert timer_row(harness, "wait", iid).status == TimerStatus.WAITING
    assert harness.tasks(office) == []

    result = harness.advance(seconds=1)  # exactly the due time
    assert (result.fired, result.failed) == (1, 0)
    row = timer_row(harness, "wait", iid)
    assert (row.status, row.fired_at) == (TimerStatus.FIRED, local(2026, 9, 30, 12, 0))
    assert harness.task_names(office) == ["After the wait"]
    [event] = fired_events(harness, iid)
    assert (event["timer"], event["timer_kind"]) == ("wait", "intermediate")
    assert datetime.fromisoformat(event["due_at"]) == local(2026, 9, 30, 12)

    assert harness.advance(days=60).total == 0  # fired means fired: never again
    assert harness.task_names(office) == ["After the wait"]
    harness.do(office, "After the wait")
    assert harness.show(iid)["status"] == "completed"


@pytest.mark.parametrize("element, text, data, due", [
    ("timeDuration", "PT2H", None, local(2026, 9, 30, 12, 0)),
    ("timeDuration", "P1DT30M", None, local(2026, 10, 1, 10, 30)),
    ("timeDuration", "P1M", None, local(2026, 10, 30, 10, 0)),  # a calendar month
    ("timeDuration", "${wait}", {"wait": "PT45M"}, local(2026, 9, 30, 10, 45)),
    ("timeDate", "2026-10-08T09:00:00+08:00", None, local(2026, 10, 8, 9, 0)),
    ("timeDate", "2026-10-08T01:00:00Z", None, local(2026, 10, 8, 9, 0)),
    ("timeDate", "2026-10-08T09:00", None, local(2026, 10, 8, 9, 0)),  # naive: school time, not the server's
    ("timeDate", "2026-10-08", None, local(2026, 10, 8, 17, 30)),  # a bare date: end of that office day
    ("timeDate", "${add_working_days(1)}", None, local(2026, 10, 8, 17, 30)),  # National Day skipped
    ("timeDate", "${add_working_days(days)}", {"days": 7}, local(2026, 10, 15, 17, 30)),
    ("timeDate", "${visit_on}", {"visit_on": "2026-10-09"}, local(2026, 10, 9, 17, 30)),
], ids=["PT2H", "P1DT30M", "P1M", "duration-expr", "date-offset", "date-Z", "date-naive", "bare-date",
        "add_working_days", "add_working_days-var", "date-var"])
def test_intermediate_timer_kinds_are_due_when_the_engine_says(harness, office, element, text, data, due):
    deploy_variant(harness, "timer_intermediate.bpmn", INTERMEDIATE,
                   f'<bpmn:{element} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{element}>')
    iid = harness.start("timer_intermediate", office, data)
    assert timer_row(harness, "wait", iid).due_at == due
    assert fire_at(harness, due - timedelta(seconds=1)).total == 0
    assert harness.tasks(office) == []
    assert fire_at(harness, due).fired == 1
    assert harness.task_names(office) == ["After the wait"]
    assert timer_row(harness, "wait", iid).status == TimerStatus.FIRED


def test_cycle_on_an_intermediate_event_passes_once_per_round(harness, office):
    deploy_variant(harness, "timer_intermediate.bpmn", INTERMEDIATE,
                   '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1H</bpmn:timeCycle>')
    iid = harness.start("timer_intermediate", office)
    assert timer_row(harness, "wait", iid).due_at == local(2026, 9, 30, 11, 0)
    assert harness.advance(hours=1).fired == 1
    assert harness.task_names(office) == ["After the wait"]
    assert timer_row(harness, "wait", iid).due_at == local(2026, 9, 30, 12, 0)
    assert harness.advance(hours=1).fired == 1
    assert harness.task_names(office) == ["After the wait", "After the wait"]
    assert timer_row(harness, "wait", iid).status == TimerStatus.FIRED  # R2: two rounds, then done
    assert harness.advance(days=3).total == 0
    harness.do(office, "After the wait")
    harness.do(office, "After the wait")
    assert harness.show(iid)["status"] == "completed"


# --- repeating timers on a non-interrupting boundary event --------------------------------------------------

REMIND = '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/P1D</bpmn:timeCycle>'


@pytest.mark.parametrize("cycle, data, dues, exhausted", [
    ("R/P1D", None, [local(2026, 10, 1, 10), local(2026, 10, 2, 10), local(2026, 10, 3, 10)], False),
    ("R3/2026-10-01T08:00:00+08:00/P1D", None,
     [local(2026, 10, 1, 8), local(2026, 10, 2, 8), local(2026, 10, 3, 8)], True),
    ("${cycle}", {"cycle": "R2/PT6H"}, [local(2026, 9, 30, 16), local(2026, 9, 30, 22)], True),
    # Camunda Modeler's Quartz style: seconds first, '?' for "no value"; 1 October 2026 is a Thursday.
    ("0 0 8 ? * MON", None, [local(2026, 10, 5, 8), local(2026, 10, 12, 8), local(2026, 10, 19, 8)], False),
    ("0 0 8 ? * 2", None, [local(2026, 10, 5, 8), local(2026, 10, 12, 8)], False),  # Quartz: 2 is Monday
    ("0 0 8 ? * 2-6", None, [local(2026, 10, 1, 8), local(2026, 10, 2, 8), local(2026, 10, 5, 8)], False),
    ("0 8 * * 1", None, [local(2026, 10, 5, 8), local(2026, 10, 12, 8), local(2026, 10, 19, 8)], False),
], ids=["R/P1D", "R3-with-start", "expression", "quartz-MON", "quartz-numeric-day", "quartz-range",
        "five-field"])
def test_repeating_boundary_timer_adds_one_branch_per_round(harness, office, cycle, data, dues, exhausted):
    deploy_variant(harness, "timer_boundary.bpmn", REMIND,
                   f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{cycle}</bpmn:timeCycle>')
    iid = harness.start("timer_boundary", office, data)
    for n, due in enumerate(dues, start=1):
        row = timer_row(harness, "remind", iid)
        assert (row.kind, row.status, row.due_at) == ("boundary", TimerStatus.WAITING, due), f"round {n}"
        assert fire_at(harness, due - timedelta(seconds=1)).total == 0
        assert fire_at(harness, due).fired == 1
        names = harness.task_names(office)
        assert count(names, "Reminder") == n
        assert "Do the work" in names  # non-interrupting: the work stays
    row = timer_row(harness, "remind", iid)
    assert row.status == (TimerStatus.FIRED if exhausted else TimerStatus.WAITING)
    if exhausted:
        assert harness.advance(days=3).total == 0
        assert count(harness.task_names(office), "Reminder") == len(dues)
    assert len(fired_events(harness, iid)) == len(dues)


@pytest.mark.parametrize("cycle, data", [
    ("R/PT0S", None),
    ("R/2026-09-01T08:00:00+08:00/P0D", None),  # a start in the past used to be caught up for ever
    ("${cycle}", {"cycle": "R5/PT0M"}),
])
def test_a_cycle_that_never_moves_on_is_refused_instead_of_hanging_the_worker(harness, office, cycle, data):
    variant = f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{cycle}</bpmn:timeCycle>'
    if data is None:  # a literal: refused at deploy, with its line, before any case
        with pytest.raises(DefinitionError, match="timeCycle can never be used: .* longer than zero"):
            deploy_variant(harness, "timer_boundary.bpmn", REMIND, variant)
        return
    deploy_variant(harness, "timer_boundary.bpmn", REMIND, variant)
    with pytest.raises(InstanceError, match="longer than zero"):
        harness.start("timer_boundary", office, data)
    assert timer_rows(harness) == []
    assert harness.fire_due().total == 0


@pytest.mark.parametrize("cycle, first_due", [
    ("R3/PT1H/2026-10-03T08:00:00+08:00", (2026, 9, 30, 11)),  # every hour from now, ending on 3 October
    ("R/2026-10-01T08:00:00+08:00/2026-10-02T08:00:00+08:00", (2026, 10, 1, 8)),  # start/end: daily
])
def test_every_repeating_interval_deployment_accepts_can_run(harness, office, cycle, first_due):
    deploy_variant(harness, "timer_boundary.bpmn", REMIND,
                   f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{cycle}</bpmn:timeCycle>')
    iid = harness.start("timer_boundary", office)
    assert timer_row(harness, "remind", iid).due_at == local(*first_due)
    assert fire_at(harness, local(*first_due)).fired == 1
    assert count(harness.task_names(office), "Reminder") == 1


def test_a_cycle_with_an_end_stops_there(harness, office):
    hourly_until = "R/PT1H/2026-09-30T11:30:00+08:00"
    deploy_variant(harness, "timer_boundary.bpmn", REMIND,
                   f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{hourly_until}</bpmn:timeCycle>')
    iid = harness.start("timer_boundary", office)  # 10:00: one round at 11:00, none at 12:00
    assert fire_at(harness, local(2026, 9, 30, 11)).fired == 1
    assert timer_row(harness, "remind", iid).status == "fired"
    assert fire_at(harness, local(2026, 9, 30, 13)).fired == 0
    assert count(harness.task_names(office), "Reminder") == 1


def test_rounds_missed_while_no_worker_ran_fire_once_not_once_each(harness, office):
    harness.deploy("timer_boundary.bpmn")  # reminder every day from 1 October 10:00
    iid = harness.start("timer_boundary", office)
    result = harness.advance(days=3, hours=12)  # 4 October 22:00: three rounds were due
    assert result.fired == 1
    assert count(harness.task_names(office), "Reminder") == 1
    assert timer_row(harness, "remind", iid).due_at == local(2026, 10, 4, 10)  # the next future round
    assert harness.fire_due().total == 0


# --- interrupting boundary, and timers cancelled by work done first ----------------------------------------


def test_interrupting_boundary_timer_takes_the_task_away(harness, office):
    harness.deploy("timer_boundary.bpmn")  # "Too late" after 30 days interrupts "Do the work"
    iid = harness.start("timer_boundary", office)
    work_id = harness.task(office, "Do the work")["id"]
    assert timer_row(harness, "late", iid).due_at == local(2026, 10, 30, 10)
    assert fire_at(harness, local(2026, 10, 30, 9, 59, 59)).fired == 1  # only the overdue daily reminder
    assert "Do the work" in harness.task_names(office)

    assert fire_at(harness, local(2026, 10, 30, 10)).fired == 1
    assert harness.task_names(office) == ["Reminder", "Late work"]
    assert harness.task_row(work_id).state == TaskState.CANCELLED
    assert timer_row(harness, "late", iid).status == TimerStatus.FIRED
    assert timer_row(harness, "remind", iid).status == TimerStatus.CANCELLED  # it went with its activity
    with pytest.raises(ConcurrentUpdate, match="withdrawn"):
        harness.complete(work_id, office)
    assert harness.advance(days=30).total == 0
    harness.do(office, "Late work")
    harness.do(office, "Reminder")
    assert harness.show(iid)["status"] == "completed"


def test_timers_of_a_task_done_in_time_are_cancelled_and_never_fire(harness, office):
    harness.deploy("timer_boundary.bpmn")
    iid = harness.start("timer_boundary", office)
    assert harness.advance(days=1).fired == 1
    harness.do(office, "Do the work")
    rows = timer_rows(harness, iid)
    assert {(t.bpmn_id, t.status) for t in rows} == {("late", TimerStatus.CANCELLED),
                                                     ("remind", TimerStatus.CANCELLED)}
    assert harness.show(iid)["status"] == "running"  # the reminder already given is still open
    assert harness.advance(days=60).total == 0
    assert len(fired_events(harness, iid)) == 1
    assert harness.task_names(office) == ["Reminder"]
    harness.do(office, "Reminder")
    assert harness.show(iid)["status"] == "completed"


# --- event subprocesses with a timer start event ---------------------------------------------------------


def test_non_interrupting_event_subprocess_runs_alongside_the_work(harness, office):
    harness.deploy("timer_event_subprocess.bpmn")  # "Note progress" after 1 hour, takeover after 2 days
    iid = harness.start("timer_event_subprocess", office)
    assert {(t.bpmn_id, t.kind, t.due_at) for t in timer_rows(harness, iid)} == {
        ("progress_start", "event_subprocess", local(2026, 9, 30, 11)),
        ("takeover_start", "event_subprocess", local(2026, 10, 2, 10)),
    }
    assert harness.advance(minutes=59).total == 0
    assert harness.advance(minutes=1).fired == 1
    assert harness.task_names(office) == ["Main work", "Note progress"]
    assert timer_row(harness, "progress_start", iid).status == TimerStatus.FIRED

    harness.do(office, "Main work")  # the note in progress is still waited for
    assert harness.show(iid)["status"] == "running"
    harness.do(office, "Note progress")
    assert harness.show(iid)["status"] == "completed"
    assert timer_row(harness, "takeover_start", iid).status == TimerStatus.CANCELLED
    assert harness.advance(days=5).total == 0
    assert harness.tasks("sue") == []


def test_interrupting_event_subprocess_cancels_the_work_it_watches(harness, office):
    harness.deploy("timer_event_subprocess.bpmn")
    iid = harness.start("timer_event_subprocess", office)
    main_id = harness.task(office, "Main work")["id"]
    assert harness.advance(hours=1).fired == 1
    assert harness.task_names(office) == ["Main work", "Note progress"]

    assert harness.advance(days=2).fired == 1  # 2 October 11:00: the takeover is due
    assert harness.task_names(office) == []  # the main work and the running note are both interrupted
    assert harness.task_names("sue") == ["Take over the case"]
    assert harness.task_row(main_id).state == TaskState.CANCELLED
    with pytest.raises(ConcurrentUpdate):
        harness.complete(main_id, office)
    harness.do("sue", "Take over the case")
    assert harness.show(iid)["status"] == "completed"


def test_event_subprocesses_that_never_started_end_with_the_case(harness, office):
    harness.deploy("timer_event_subprocess.bpmn")
    iid = harness.start("timer_event_subprocess", office)
    harness.do(office, "Main work")
    assert harness.show(iid)["status"] == "completed"
    assert {t.status for t in timer_rows(harness, iid)} == {TimerStatus.CANCELLED}
    assert harness.advance(days=5).total == 0
    assert harness.tasks(office) == [] and harness.tasks("sue") == []


def test_repeating_event_subprocess_stops_when_the_case_is_done(harness, office):
    deploy_variant(harness, "timer_event_subprocess.bpmn",
                   '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>',
                   '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT1H</bpmn:timeCycle>')
    iid = harness.start("timer_event_subprocess", office)
    assert harness.advance(hours=1).fired == 1
    assert harness.advance(hours=1).fired == 1
    assert harness.task_names(office) == ["Main work", "Note progress", "Note progress"]
    harness.do(office, "Main work")
    harness.do(office, "Note progress")
    assert harness.show(iid)["status"] == "running"
    harness.do(office, "Note progress")
    assert harness.show(iid)["status"] == "completed"
    assert {t.status for t in timer_rows(harness, iid)} == {TimerStatus.CANCELLED}
    assert harness.advance(days=3).total == 0


def test_event_subprocesses_inside_an_embedded_subprocess_end_with_it(harness, office):
    harness.deploy("timer_nested_event_subprocess.bpmn")
    iid = harness.start("timer_nested_event_subprocess", office)
    assert harness.advance(hours=1).fired == 1
    harness.do(office, "Main work")
    assert harness.task_names(office) == ["Note progress"]  # the subprocess waits for its running note
    harness.do(office, "Note progress")
    assert harness.task_names(office) == ["Close the file"]  # and then the case moves on at once
    assert timer_row(harness, "takeover_start", iid).status == TimerStatus.CANCELLED
    assert harness.advance(days=5).total == 0
    harness.do(office, "Close the file")
    assert harness.show(iid)["status"] == "completed"


def test_interrupting_event_subprocess_inside_an_embedded_subprocess_interrupts_only_it(harness, office):
    harness.deploy("timer_nested_event_subprocess.bpmn")
    iid = harness.start("timer_nested_event_subprocess", office)
    assert harness.advance(days=2).fired == 2  # the note (1 hour) and the takeover (2 days)
    assert harness.task_names(office) == []
    harness.do("sue", "Take over the case")
    assert harness.task_names(office) == ["Close the file"]
    harness.do(office, "Close the file")
    assert harness.show(iid)["status"] == "completed"


# --- the calendar example: a deadline in working days, escalated when missed -------------------------------


def test_due_date_in_working_days_skips_national_day(harness, office):
    harness.deploy("escalation.bpmn")
    iid = harness.start("escalation", office)
    task = harness.task(office, "Reply to complainant")
    assert task["due_at"] == "2026-10-15T17:30:00+08:00"
    assert task["overdue"] is False
    assert timer_row(harness, "overdue", iid).due_at == local(2026, 10, 15, 17, 30)  # the same rule


def test_school_closure_entered_before_the_start_pushes_the_deadline(harness, office):
    harness.deploy("escalation.bpmn")
    before = harness.start("escalation", office)
    with harness.Session.begin() as s:
        add_entries(s, [date(2026, 10, 12)], "closure", "sports day", clock=harness.clock)
    after = harness.start("escalation", office)
    dues = {t["instance_id"]: t["due_at"] for t in harness.tasks(office)}
    assert dues == {before: "2026-10-15T17:30:00+08:00",  # a deadline is fixed when its task starts
                    after: "2026-10-16T17:30:00+08:00"}
    assert timer_row(harness, "overdue", after).due_at == local(2026, 10, 16, 17, 30)
    assert fire_at(harness, local(2026, 10, 15, 17, 30)).failed == 0
    assert [t["instance_id"] for t in harness.tasks("sue")] == [before]  # only the earlier case escalates
    assert [t["instance_id"] for t in harness.tasks(office) if t["name"] == "Reply to complainant"] == [after]
    assert fire_at(harness, local(2026, 10, 16, 17, 30)).failed == 0
    assert sorted(t["instance_id"] for t in harness.tasks("sue")) == [before, after]


def test_spring_festival_deadline_end_to_end(harness, office):
    harness.deploy("escalation.bpmn")
    harness.clock.set(local(2026, 2, 13, 10))  # Friday before the holiday; Saturday 14 Feb is worked
    iid = harness.start("escalation", office)
    assert harness.task(office, "Reply to complainant")["due_at"] == "2026-03-02T17:30:00+08:00"
    assert timer_row(harness, "overdue", iid).due_at == local(2026, 3, 2, 17, 30)


def test_overdue_reply_is_escalated_to_the_supervisors(harness, office):
    harness.deploy("escalation.bpmn")  # reply within 7 working days; reminders on the next two days
    iid = harness.start("escalation", office)
    reply = harness.task(office, "Reply to complainant")
    assert harness.tasks("sue") == [] and harness.tasks("tom") == []

    assert fire_at(harness, local(2026, 10, 1, 10)).fired == 1
    assert fire_at(harness, local(2026, 10, 2, 10)).fired == 1
    assert harness.task_names(office) == ["Reply to complainant", "Reminder", "Reminder"]
    assert timer_row(harness, "nag", iid).status == TimerStatus.FIRED  # R2: done
    assert fire_at(harness, local(2026, 10, 15, 17, 29, 59)).total == 0
    assert harness.task(office, "Reply to complainant")["overdue"] is False
    assert harness.tasks("sue") == []

    result = fire_at(harness, local(2026, 10, 15, 17, 30))
    assert (result.fired, result.failed) == (1, 0)
    assert harness.task_names(office) == ["Reminder", "Reminder"]  # the reply was taken away
    assert harness.task_names("sue") == ["Handle overdue reply"]
    assert harness.tasks("tom") == []
    assert harness.task_row(reply["id"]).state == TaskState.CANCELLED
    with pytest.raises(ConcurrentUpdate):
        harness.complete(reply["id"], office)
    assert timer_row(harness, "overdue", iid).status == TimerStatus.FIRED
    assert [e["timer"] for e in fired_events(harness, iid)] == ["nag", "nag", "overdue"]
    view = harness.show(iid)
    assert sorted(t["name"] for t in view["open_tasks"]) == ["Handle overdue reply", "Reminder", "Reminder"]

    harness.do("sue", "Handle overdue reply")
    harness.do(office, "Reminder")
    harness.do(office, "Reminder")
    assert harness.show(iid)["status"] == "completed"


def test_escalation_leaves_a_reminder_already_given(harness, office):
    harness.deploy("escalation.bpmn")
    iid = harness.start("escalation", office)
    assert harness.advance(days=1).fired == 1  # one reminder; the second round is still to come
    assert fire_at(harness, local(2026, 10, 15, 17, 30)).fired == 2  # the missed round once, and the deadline
    assert harness.task_names(office) == ["Reminder", "Reminder"]
    assert harness.task_names("sue") == ["Handle overdue reply"]
    assert timer_row(harness, "nag", iid).status == TimerStatus.FIRED


def test_reply_in_time_is_never_escalated_and_its_reminders_stay(harness, office):
    harness.deploy("escalation.bpmn")
    iid = harness.start("escalation", office)
    assert harness.advance(days=1).fired == 1
    harness.do(office, "Reply to complainant")
    assert {(t.bpmn_id, t.status) for t in timer_rows(harness, iid)} == {
        ("overdue", TimerStatus.CANCELLED), ("nag", TimerStatus.CANCELLED)}
    assert harness.task_names(office) == ["Reminder"]  # given before the reply: still to be done
    assert harness.advance(days=30).total == 0
    assert harness.tasks("sue") == []
    assert all_fired_events(harness) == 1
    harness.do(office, "Reminder")
    assert harness.show(iid)["status"] == "completed"


# --- due and overdue tasks in task lists ------------------------------------------------------------------


def test_task_list_shows_due_dates_soonest_first_and_flags_overdue(harness, office):
    harness.deploy("timer_due_list.bpmn")
    first = harness.start("timer_due_list", office)
    expected = [("Due tomorrow", iso(2026, 10, 1, 10)), ("Due on a fixed date", iso(2026, 10, 5, 9)),
                ("Due next working day", iso(2026, 10, 8, 17, 30)), ("No deadline", None)]
    tasks = harness.tasks(office)
    assert [(t["name"], t["due_at"]) for t in tasks] == expected
    assert [t["overdue"] for t in tasks] == [False] * 4

    harness.clock.set(local(2026, 10, 1, 10))  # exactly due is not yet overdue
    assert [t["overdue"] for t in harness.tasks(office)] == [False] * 4
    harness.clock.advance(seconds=1)
    assert [t["overdue"] for t in harness.tasks(office)] == [True, False, False, False]

    second = harness.start("timer_due_list", office)  # 1 Oct: tomorrow is 2 Oct; next working day 8 Oct
    harness.clock.set(local(2026, 10, 6, 8))
    tasks = harness.tasks(office)
    assert [(t["instance_id"], t["name"], t["overdue"]) for t in tasks] == [
        (first, "Due tomorrow", True),
        (second, "Due tomorrow", True),
        (first, "Due on a fixed date", True),
        (second, "Due on a fixed date", True),
        (first, "Due next working day", False),
        (second, "Due next working day", False),
        (first, "No deadline", False),
        (second, "No deadline", False),
    ]
    assert tasks[1]["due_at"] == iso(2026, 10, 2, 10, 0, 1)
    with harness.Session() as s:  # due dates are stored in UTC whatever the server's zone
        assert s.scalar(sa.select(HumanTask.due_at).where(HumanTask.bpmn_id == "working_day",
                                                          HumanTask.instance_id == first)) \
            == local(2026, 10, 8, 17, 30)
