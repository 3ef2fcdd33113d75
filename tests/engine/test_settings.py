"""The office-day end and the school's time zone are administrator settings, not constants in the code.

``add_working_days(n)`` falls due at the configured office-day end of the n-th working day after the day
the clock reads in the configured zone; timers, bare dates, cron lines, case-number years and the times
people are shown follow the same settings. Bad values are refused and change nothing; unset goes back
to the default. The settings are read only when something is placed in time, at most once per operation.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.cases import audit
from engine.people import settings_changes
from engine.time import school_time
from engine.errors import InstanceError, InvalidInput, NotAllowed, NotFound
from engine.storage.models import AuditEvent, HumanTask, Schedule, Setting, TaskState, Timer
from tests.helpers import DATA, Harness

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def local(*args: int, tz: ZoneInfo = SH) -> datetime:
    return datetime(*args, tzinfo=tz)


def put(harness: Harness, name: str, value: str, actor: str | None = None) -> str:
    with harness.Session.begin() as s:
        return settings_changes.set_setting(s, name, value, clock=harness.clock, actor=actor)


def value_of(harness: Harness, name: str) -> str:
    with harness.Session() as s:
        return school_time.get_setting(s, name)


def overdue_timer(harness: Harness, instance_id: int) -> datetime:
    with harness.Session() as s:
        return s.scalars(sa.select(Timer.due_at).where(Timer.instance_id == instance_id,
                                                       Timer.bpmn_id == "overdue")).one()


@pytest.fixture
def office(harness: Harness) -> str:
    harness.user("root", admin=True)
    harness.user("sue", "supervisors")
    return harness.user("ann", "office")


def start_reply(harness: Harness, office: str) -> tuple[int, str]:
    """A complaint that must be answered within 7 working days: its instance and the reply's due time."""
    harness.deploy("escalation.bpmn")
    iid = harness.start("escalation", office)
    [task] = [t for t in harness.tasks(office) if t["instance_id"] == iid]
    return iid, task["due_at"]


# --- the deadline rule -----------------------------------------------------------------------------------


def test_by_default_seven_working_days_end_at_1730_shanghai_time(harness, office):
    iid, due = start_reply(harness, office)  # started Wednesday 2026-09-30 10:00 +08:00
    assert due == "2026-10-15T17:30:00+08:00"
    assert overdue_timer(harness, iid) == local(2026, 10, 15, 17, 30)  # the escalation fires then too


def test_a_later_office_day_end_moves_the_deadline_and_its_escalation(harness, office):
    assert put(harness, "office_day_end", "18:00", actor="root") == "18:00"
    iid, due = start_reply(harness, office)
    assert due == "2026-10-15T18:00:00+08:00"
    assert overdue_timer(harness, iid) == local(2026, 10, 15, 18, 0)
    harness.clock.set(local(2026, 10, 15, 17, 59))
    harness.fire_due()  # only the daily reminders: 17:59 is no longer past the deadline
    assert harness.tasks("sue") == []
    harness.clock.set(local(2026, 10, 15, 18, 0))
    assert harness.fire_due().fired == 1
    assert [t["name"] for t in harness.tasks("sue")] == ["Handle overdue reply"]


@pytest.mark.parametrize("zone, started, due", [
    # Urumqi is two hours behind Beijing: the same day, but the office there closes at 19:30 Beijing time.
    ("Asia/Urumqi", local(2026, 9, 30, 10), "2026-10-15T17:30:00+06:00"),
    # At 05:00 in Shanghai it is still Tuesday 29 September in Berlin: counting starts a day earlier.
    ("Europe/Berlin", local(2026, 9, 30, 5), "2026-10-14T17:30:00+02:00"),
])
def test_the_school_time_zone_decides_the_day_and_the_office_end(harness, office, zone, started, due):
    put(harness, "time_zone", zone)
    harness.clock.set(started)
    iid, shown = start_reply(harness, office)
    assert shown == due
    assert overdue_timer(harness, iid) == datetime.fromisoformat(due)


def test_deadlines_already_computed_keep_their_moment(harness, office):
    before, _ = start_reply(harness, office)
    put(harness, "office_day_end", "16:00")
    after = harness.start("escalation", office)
    dues = {t["instance_id"]: t["due_at"] for t in harness.tasks(office)}
    assert dues == {after: "2026-10-15T16:00:00+08:00", before: "2026-10-15T17:30:00+08:00"}


def test_task_list_and_case_view_show_times_in_the_configured_zone(harness, office):
    iid, _ = start_reply(harness, office)  # due 2026-10-15 17:30 in Shanghai, 09:30 UTC
    put(harness, "time_zone", "Europe/Berlin")
    [task] = harness.tasks(office)
    assert task["due_at"] == "2026-10-15T11:30:00+02:00"  # the same moment, on Berlin's clock
    view = harness.show(iid)
    assert view["started_at"] == "2026-09-30T04:00:00+02:00"
    assert view["open_tasks"][0]["due_at"] == "2026-10-15T11:30:00+02:00"
    assert {e["at"][-6:] for e in view["history"]} == {"+02:00"}


# --- the other moments that follow the settings -------------------------------------------------------------


def deploy_schedule(harness: Harness, element: str, text: str) -> Schedule:
    daily = '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/P1D</bpmn:timeCycle>'
    xml = (DATA / "schedule_daily.bpmn").read_text(encoding="utf-8")
    assert daily in xml
    xml = xml.replace(daily, f'<bpmn:{element} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{element}>')
    harness.deploy_bytes(xml.encode(), "schedule_daily.bpmn")
    with harness.Session() as s:
        return s.scalars(sa.select(Schedule)).one()


def test_a_bare_date_means_the_configured_office_day_end(harness, office):
    put(harness, "office_day_end", "18:15")
    assert deploy_schedule(harness, "timeDate", "2026-10-08").next_due_at == local(2026, 10, 8, 18, 15)


def test_cron_lines_run_in_the_school_zone_that_was_set_when_they_started(harness, office):
    put(harness, "time_zone", "Europe/Berlin")
    row = deploy_schedule(harness, "timeCycle", "0 8 * * 1")  # Mondays at 08:00
    assert row.next_due_at == local(2026, 10, 5, 8, tz=BERLIN)
    with harness.Session.begin() as s:
        settings_changes.unset_setting(s, "time_zone", clock=harness.clock)
    harness.clock.set(local(2026, 10, 5, 8, tz=BERLIN))
    assert harness.fire_due().started == 1
    with harness.Session() as s:  # a running schedule keeps its zone; a redeployment would take the new one
        assert s.scalars(sa.select(Schedule.next_due_at)).one() == local(2026, 10, 12, 8, tz=BERLIN)


@pytest.mark.parametrize("zone, number", [
    (None, "SIMPLE-2027-000001"),  # 31 December 17:00 UTC is already New Year's Day in Shanghai
    ("Europe/Berlin", "SIMPLE-2026-000001"),  # but still 18:00 on New Year's Eve in Berlin
])
def test_case_numbers_carry_the_year_in_the_school_zone(harness, office, zone, number):
    if zone:
        put(harness, "time_zone", zone)
    harness.deploy("simple.bpmn")
    harness.clock.set(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    assert harness.show(harness.start("simple", office))["case_number"] == number


# --- setting, refusing, unsetting --------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, message", [
    ("office_day_end", "25:00", "'25:00' is not a time of day like 17:30"),
    ("office_day_end", "5pm", "'5pm' is not a time of day like 17:30"),
    ("office_day_end", "17:30:00", "'17:30:00' is not a time of day like 17:30"),
    ("office_day_end", " ", "'' is not a time of day like 17:30"),
    ("time_zone", "Asia/Shangai", "'Asia/Shangai' is not a time zone name; did you mean Asia/Shanghai?"),
    ("time_zone", "+08:00", "'+08:00' is not a time zone name; use an IANA name such as Asia/Shanghai"),
    ("time_zone", "../../etc/passwd", "'../../etc/passwd' is not a time zone name"),
    ("lunch_break", "12:00", "there is no setting 'lunch_break'; the settings are office_day_end, time_zone"),
])
def test_invalid_values_are_refused_and_the_previous_value_stays(harness, office, name, value, message):
    put(harness, "office_day_end", "18:00")
    put(harness, "time_zone", "Asia/Urumqi")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        put(harness, name, value, actor="root")
    assert (value_of(harness, "office_day_end"), value_of(harness, "time_zone")) == ("18:00", "Asia/Urumqi")
    _, due = start_reply(harness, office)
    assert due == "2026-10-15T18:00:00+06:00"  # deadlines still use the values set before


def test_values_are_stored_in_one_spelling(harness):
    assert put(harness, "office_day_end", " 9:05 ") == "09:05"
    assert value_of(harness, "office_day_end") == "09:05"


def test_unset_goes_back_to_the_default(harness, office):
    put(harness, "office_day_end", "18:00")
    with harness.Session.begin() as s:
        assert settings_changes.unset_setting(s, "office_day_end", clock=harness.clock) is True
    with harness.Session.begin() as s:
        assert settings_changes.unset_setting(s, "office_day_end", clock=harness.clock) is False  # nothing to undo
    assert value_of(harness, "office_day_end") == "17:30"
    _, due = start_reply(harness, office)
    assert due == "2026-10-15T17:30:00+08:00"


def test_all_settings_lists_values_defaults_and_who_changed_them(harness, office):
    put(harness, "time_zone", "Asia/Urumqi", actor="root")
    with harness.Session() as s:
        rows = {r.name: r for r in school_time.all_settings(s)}
    assert set(rows) == {"office_day_end", "time_zone"}
    assert (rows["office_day_end"].value, rows["office_day_end"].overridden) == ("17:30", False)
    zone = rows["time_zone"]
    assert (zone.value, zone.default, zone.overridden, zone.updated_by, zone.updated_at) == (
        "Asia/Urumqi", "Asia/Shanghai", True, "root", harness.clock.now())


def test_changes_are_in_the_audit_log_and_only_administrators_make_them(harness, office):
    put(harness, "office_day_end", "18:00", actor="root")
    with harness.Session.begin() as s:
        settings_changes.unset_setting(s, "office_day_end", clock=harness.clock, actor="root")
    with pytest.raises(NotAllowed, match="only an administrator"):
        put(harness, "office_day_end", "19:00", actor="ann")
    with pytest.raises(NotFound):
        put(harness, "office_day_end", "19:00", actor="nobody")
    assert value_of(harness, "office_day_end") == "17:30"
    with harness.Session() as s:
        events = [(e.kind, e.actor, json.loads(e.payload)) for e in s.scalars(
            sa.select(AuditEvent).where(AuditEvent.kind.like("setting.%")).order_by(AuditEvent.seq))]
        assert audit.verify_chain(s).ok
    assert events == [
        ("setting.set", "root", {"name": "office_day_end", "value": "18:00", "previous": "17:30"}),
        ("setting.unset", "root", {"name": "office_day_end", "previous": "18:00"}),
    ]


def test_a_value_edited_by_hand_into_nonsense_is_reported_not_guessed(harness, office):
    harness.deploy("escalation.bpmn")
    with harness.Session.begin() as s:
        s.add(Setting(name="time_zone", value="Mars/Olympus", updated_at=harness.clock.now()))
    with pytest.raises(InstanceError, match="the stored settings .*'Mars/Olympus' are invalid"):
        harness.start("escalation", office)


# --- read only when needed, at most once per operation -------------------------------------------------


@pytest.fixture
def settings_reads(db_engine: sa.Engine) -> Iterator[list[str]]:
    """Every statement that reads the settings table, as it runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if re.search(r"\bFROM settings\b", statement):
            seen.append(statement)

    sa.event.listen(db_engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db_engine, "before_cursor_execute", record)


def open_task_ids(harness: Harness) -> dict[str, str]:
    """Open tasks by name, read directly: listing them would show (and so read) the settings."""
    with harness.Session() as s:
        rows = s.execute(sa.select(HumanTask.name, HumanTask.id).where(HumanTask.state == TaskState.OPEN))
        return {name: task_id for name, task_id in rows}


def test_operations_that_place_nothing_in_time_never_read_the_settings(harness, office, settings_reads):
    harness.deploy("simple.bpmn")
    harness.deploy("deadlines.bpmn")  # due dates that are a duration or carry their own offset
    harness.start("simple", office)
    harness.start("deadlines", office)
    tasks = open_task_ids(harness)
    assert {"Fill", "No deadline", "Middle", "Later", "Soon"} <= set(tasks)
    harness.complete(tasks["Fill"], office, {"approved": True})
    harness.complete(tasks["No deadline"], office)
    assert settings_reads == []


def test_a_deadline_reads_the_settings_once_per_operation(harness, office, settings_reads):
    harness.deploy("escalation.bpmn")
    assert settings_reads == []
    harness.start("escalation", office)  # the due date, the calendar and the escalation timer share one read
    assert len(settings_reads) == 1
    harness.clock.set(local(2026, 10, 1, 10))
    assert harness.fire_due().fired == 1  # a reminder round: its next round needs no settings
    assert len(settings_reads) == 1
    harness.tasks(office)  # the list shows due times: one read for the whole list
    assert len(settings_reads) == 2
