"""Timer start events are schedules: each firing starts one new instance of the procedure.

Deploying syncs the ``schedules`` table (next due time computed by the engine); the worker starts an
instance when a schedule is due and moves it to its next future occurrence. A new version replaces the
schedule; a version without the timer start event deactivates it. Starting such a procedure by hand
runs it at once.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError
from engine.storage.models import Definition, HumanTask, Instance, Schedule, TaskState, Timer
from tests.helpers import DATA, Harness

SH = ZoneInfo("Asia/Shanghai")
DAILY = '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/P1D</bpmn:timeCycle>'
TIMER_START = '''<bpmn:timerEventDefinition id="every_day_def">
        <bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/P1D</bpmn:timeCycle>
      </bpmn:timerEventDefinition>'''


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def variant(old: str, new: str, file: str = "schedule_daily.bpmn") -> bytes:
    text = (DATA / file).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new).encode()


def deploy_timer(harness: Harness, element: str, text: str, **replace: str) -> None:
    data = variant(DAILY, f'<bpmn:{element} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{element}>')
    for old, new in replace.items():
        data = data.replace(old.encode(), new.encode())
    harness.deploy_bytes(data, "schedule_daily.bpmn")


def schedules(harness: Harness) -> list[Schedule]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(Schedule).order_by(Schedule.id)))


def schedule(harness: Harness) -> Schedule:
    [row] = schedules(harness)
    return row


def instances(harness: Harness) -> list[Instance]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(Instance).order_by(Instance.id)))


def open_tasks(harness: Harness, instance_id: int) -> list[str]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(HumanTask.name).where(
            HumanTask.instance_id == instance_id, HumanTask.state == TaskState.OPEN)))


def version_of(harness: Harness, instance: Instance) -> int:
    with harness.Session() as s:
        return s.get(Definition, instance.definition_id).version  # type: ignore[union-attr]


@pytest.fixture
def office(harness: Harness) -> str:
    return harness.user("ann", "office")


def test_deploying_a_timer_start_event_creates_its_schedule(harness, office):
    harness.deploy("schedule_daily.bpmn")
    row = schedule(harness)
    assert (row.process_key, row.bpmn_id, row.kind, row.expression, row.active) == (
        "schedule_daily", "every_day", "cycle", "R/P1D", True)
    assert row.next_due_at == local(2026, 10, 1, 10)  # one day after the deployment
    assert row.last_fired_at is None
    assert instances(harness) == []  # deploying starts nothing


def test_each_occurrence_starts_exactly_one_new_instance(harness, office):
    harness.deploy("schedule_daily.bpmn")
    assert harness.advance(hours=23, minutes=59, seconds=59).total == 0
    assert instances(harness) == []

    result = harness.advance(seconds=1)
    assert (result.started, result.fired, result.failed) == (1, 0, 0)
    [first] = instances(harness)
    assert (first.status, first.started_by, first.started_at) == ("running", None, local(2026, 10, 1, 10))
    assert open_tasks(harness, first.id) == ["Safety check"]
    history = harness.show(first.id)["history"]
    assert [e["kind"] for e in history] == ["instance.started"]
    assert json.loads(history[0]["detail"])["schedule"] == "every_day"
    row = schedule(harness)
    assert (row.next_due_at, row.last_fired_at) == (local(2026, 10, 2, 10), local(2026, 10, 1, 10))

    assert harness.advance(days=1).started == 1
    assert harness.advance(days=1).started == 1
    assert [i.started_at for i in instances(harness)] == [local(2026, 10, d, 10) for d in (1, 2, 3)]
    for instance in instances(harness):  # a new case each time, never new branches in an old one
        assert open_tasks(harness, instance.id) == ["Safety check"]
    with harness.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Timer)) == 0  # nothing waits inside them
    assert harness.task_names(office) == ["Safety check"] * 3
    harness.do(office, "Safety check")
    assert sum(i.status == "completed" for i in instances(harness)) == 1


def test_occurrences_missed_while_the_worker_was_off_start_one_instance(harness, office):
    harness.deploy("schedule_daily.bpmn")
    result = harness.advance(days=5, hours=1)  # 1 to 5 October were all due
    assert result.started == 1
    assert len(instances(harness)) == 1
    assert schedule(harness).next_due_at == local(2026, 10, 6, 10)  # the next future occurrence
    assert harness.fire_due().total == 0
    assert harness.advance(hours=23).started == 1
    assert len(instances(harness)) == 2


@pytest.mark.parametrize("element, text, due", [
    ("timeCycle", "0 0 8 ? * MON", local(2026, 10, 5, 8)),
    ("timeCycle", "0 8 * * 1", local(2026, 10, 5, 8)),
    ("timeCycle", "R3/2026-10-01T07:30:00+08:00/PT12H", local(2026, 10, 1, 7, 30)),
])
def test_repeating_schedule_kinds(harness, office, element, text, due):
    deploy_timer(harness, element, text)
    row = schedule(harness)
    assert (row.kind, row.next_due_at) == ("cycle", due)
    harness.clock.set(due)
    assert harness.fire_due().started == 1
    assert schedule(harness).next_due_at > due
    assert schedule(harness).active


@pytest.mark.parametrize("element, text, due", [
    ("timeDate", "2026-10-08T08:00:00+08:00", local(2026, 10, 8, 8)),
    ("timeDate", "2026-10-08", local(2026, 10, 8, 17, 30)),
    ("timeDuration", "PT1H", local(2026, 9, 30, 11)),
])
def test_one_off_schedule_fires_once_then_deactivates(harness, office, element, text, due):
    deploy_timer(harness, element, text)
    assert schedule(harness).next_due_at == due
    harness.clock.set(due)
    assert harness.fire_due().started == 1
    row = schedule(harness)
    assert (row.active, row.next_due_at, row.last_fired_at) == (False, None, due)
    assert harness.advance(days=365).total == 0
    assert len(instances(harness)) == 1


def test_repeats_run_out(harness, office):
    deploy_timer(harness, "timeCycle", "R2/PT1H")
    assert harness.advance(hours=1).started == 1
    assert harness.advance(hours=1).started == 1
    assert schedule(harness).active is False
    assert harness.advance(days=3).total == 0
    assert len(instances(harness)) == 2


def test_a_new_version_replaces_the_schedule(harness, office):
    harness.deploy("schedule_daily.bpmn")
    assert harness.advance(days=1).started == 1
    first_row = schedule(harness)

    weekly = variant(DAILY, DAILY.replace("R/P1D", "0 0 8 ? * MON"))
    harness.deploy_bytes(weekly.replace(b'name="Safety check"', b'name="Weekly safety check"'),
                         "schedule_daily.bpmn")
    row = schedule(harness)  # still one schedule for the procedure, now the new version's
    assert row.id == first_row.id
    assert (row.expression, row.next_due_at, row.active) == ("0 0 8 ? * MON", local(2026, 10, 5, 8), True)
    with harness.Session() as s:
        assert s.get(Definition, row.definition_id).version == 2  # type: ignore[union-attr]

    assert harness.advance(days=2).total == 0  # the old daily occurrence of 2 October is gone
    harness.clock.set(local(2026, 10, 5, 8))
    assert harness.fire_due().started == 1
    old, new = instances(harness)
    assert (version_of(harness, old), version_of(harness, new)) == (1, 2)
    assert open_tasks(harness, old.id) == ["Safety check"]  # the running case stays on its version
    assert open_tasks(harness, new.id) == ["Weekly safety check"]

    harness.deploy_bytes(weekly.replace(b'name="Safety check"', b'name="Weekly safety check"'),
                         "schedule_daily.bpmn")  # the same file again: no new version, same schedule
    assert schedule(harness).next_due_at == local(2026, 10, 12, 8)


def test_removing_the_timer_start_event_deactivates_the_schedule(harness, office):
    harness.deploy("schedule_daily.bpmn")
    harness.deploy_bytes(variant(TIMER_START, ""), "schedule_daily.bpmn")
    row = schedule(harness)
    assert (row.active, row.next_due_at) == (False, None)
    assert harness.advance(days=30).total == 0
    assert instances(harness) == []
    iid = harness.start("schedule_daily", office)  # a plain start event now
    assert open_tasks(harness, iid) == ["Safety check"]

    harness.deploy("schedule_daily.bpmn")  # putting it back (version 3) schedules it again
    row = schedule(harness)
    assert (row.active, row.next_due_at) == (True, harness.clock.now() + timedelta(days=1))


def test_starting_a_scheduled_procedure_by_hand_runs_it_at_once(harness, office):
    harness.deploy("schedule_daily.bpmn")
    before = schedule(harness)
    iid = harness.start("schedule_daily", office)
    [instance] = instances(harness)
    assert (instance.id, instance.status, instance.started_by) == (iid, "running", office)
    assert open_tasks(harness, iid) == ["Safety check"]  # the start timer fired at once, one round
    with harness.Session() as s:
        assert s.scalars(sa.select(Timer).where(Timer.instance_id == iid)).all() == []
    after = schedule(harness)
    assert (after.next_due_at, after.last_fired_at) == (before.next_due_at, None)  # the schedule is untouched
    harness.do(office, "Safety check")
    assert harness.show(iid)["status"] == "completed"


@pytest.mark.parametrize("element, text", [("timeDate", "2026-10-08"), ("timeDuration", "PT1H")])
def test_one_off_timer_start_by_hand_also_runs_at_once(harness, office, element, text):
    deploy_timer(harness, element, text)
    iid = harness.start("schedule_daily", office)
    assert open_tasks(harness, iid) == ["Safety check"]


@pytest.mark.parametrize("element, text, reason", [
    ("timeDate", "${visit_on}", "'visit_on' is not defined"),
    ("timeCycle", "R/PT0S", "longer than zero"),  # would have kept the worker busy for ever
])
def test_a_start_timer_that_cannot_be_scheduled_is_refused_at_deployment(harness, office, element, text,
                                                                          reason):
    # A literal that can never work is refused with its line already; an expression when it is scheduled.
    with pytest.raises(DefinitionError, match="cannot be scheduled|can never be used") as refused:
        deploy_timer(harness, element, text)
    assert reason in str(refused.value)
    assert schedules(harness) == []
