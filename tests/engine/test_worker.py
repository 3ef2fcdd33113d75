"""The timer worker: one firing per transaction, a broken case never blocks the others, and the CLI.

A case whose timer cannot be fired is marked in error with the reason (``show`` says so) while the same
sweep fires everyone else's timers; the ``schoolflow worker --once`` command runs one sweep.
"""
from __future__ import annotations

import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from engine.runtime import sweeps
from engine.time.clock import FakeClock, SystemClock
from engine.storage.db import make_engine, make_sessionmaker
from engine.storage.models import AuditEvent, Instance, Schedule, Timer, TimerStatus
from tests.helpers import DATA, Harness

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def timer_statuses(harness: Harness, instance_id: int) -> dict[str, str]:
    with harness.Session() as s:
        rows = s.scalars(sa.select(Timer).where(Timer.instance_id == instance_id))
        return {t.bpmn_id: t.status for t in rows}


def audit_kinds(harness: Harness, kind: str) -> int:
    with harness.Session() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind))


@pytest.fixture
def office(harness: Harness) -> str:
    return harness.user("ann", "office")


# --- error isolation -----------------------------------------------------------------------------------


def test_a_case_whose_timer_fails_is_marked_in_error_and_the_others_still_fire(harness, office):
    harness.deploy("timer_fragile.bpmn")  # a cool-off hour, then a follow-up on the case's own date
    broken = harness.start("timer_fragile", office)  # started without a follow-up date
    fine = harness.start("timer_fragile", office, {"follow_up_on": "2026-10-08"})
    assert harness.advance(minutes=59).total == 0

    result = harness.advance(minutes=1)  # both cool-off hours end in this one sweep
    assert (result.fired, result.failed) == (1, 1)

    view = harness.show(broken)
    assert view["status"] == "error"
    assert "follow_up_on" in view["error"] and "not defined" in view["error"]
    assert [e["kind"] for e in view["history"]] == ["instance.started", "instance.error"]
    assert timer_statuses(harness, broken) == {"cool_off": TimerStatus.ERROR}

    ok = harness.show(fine)
    assert (ok["status"], ok["error"]) == ("running", None)
    assert [e["kind"] for e in ok["history"]] == ["instance.started", "timer.fired"]
    assert timer_statuses(harness, fine) == {"cool_off": TimerStatus.FIRED, "follow_up": TimerStatus.WAITING}

    assert harness.fire_due().total == 0  # the broken one is not retried on every sweep
    harness.clock.set(local(2026, 10, 8, 17, 30))
    assert harness.fire_due().fired == 1
    assert harness.task_names(office) == ["Follow up"]
    assert [t["instance_id"] for t in harness.tasks(office)] == [fine]
    assert harness.show(broken)["status"] == "error"


def test_a_broken_schedule_is_skipped_to_its_next_occurrence_without_blocking_timers(harness, office, caplog):
    daily = (DATA / "schedule_daily.bpmn").read_text(encoding="utf-8")
    harness.deploy_bytes(daily.replace('name="Safety check"',
                                       'name="Safety check" camunda:dueDate="${inspection_date}"').encode(),
                         "schedule_daily.bpmn")
    harness.deploy("timer_intermediate.bpmn")
    waiting = harness.start("timer_intermediate", office)  # due at 12:00 on 30 September

    with caplog.at_level(logging.ERROR, logger="engine.runtime.sweeps"):
        result = harness.advance(days=1)
    assert (result.started, result.fired, result.failed) == (0, 1, 1)
    assert any("schedule" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)
    with harness.Session() as s:
        row = s.scalars(sa.select(Schedule)).one()
        assert (row.active, row.next_due_at) == (True, local(2026, 10, 2, 10))
        assert s.scalars(sa.select(Instance.process_key)).all() == ["timer_intermediate"]  # nothing half-made
    assert harness.task_names(office) == ["After the wait"]
    assert harness.show(waiting)["status"] == "running"
    assert harness.fire_due().total == 0


def test_timers_of_a_case_that_no_longer_runs_are_cancelled_not_fired(harness, office):
    harness.deploy("timer_intermediate.bpmn")
    iid = harness.start("timer_intermediate", office)
    with harness.Session.begin() as s:  # e.g. an administrator stopped the case by other means
        s.get(Instance, iid).status = "cancelled"  # type: ignore[union-attr]
    result = harness.advance(hours=3)
    assert result.total == 0
    assert timer_statuses(harness, iid) == {"wait": TimerStatus.CANCELLED}
    assert audit_kinds(harness, "timer.fired") == 0
    assert harness.tasks(office) == []


def test_the_most_overdue_timer_fires_first_and_limit_caps_a_sweep(harness, office):
    harness.deploy("timer_intermediate.bpmn")  # PT2H
    late = harness.start("timer_intermediate", office)
    harness.clock.advance(minutes=30)
    later = harness.start("timer_intermediate", office)
    harness.clock.advance(minutes=30)
    latest = harness.start("timer_intermediate", office)
    harness.clock.advance(hours=3)

    first = sweeps.fire_due(harness.Session, harness.clock, limit=1)
    assert first.fired == 1
    assert [t["instance_id"] for t in harness.tasks(office)] == [late]
    assert sweeps.fire_due(harness.Session, harness.clock, limit=1).fired == 1
    # Both tasks were created at the same (fake) moment, so the list's order between them is not defined.
    assert sorted(t["instance_id"] for t in harness.tasks(office)) == [late, later]
    assert harness.fire_due().fired == 1
    assert sorted(t["instance_id"] for t in harness.tasks(office)) == [late, later, latest]


# --- the command line -------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "worker.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_worker_once_fires_what_is_due_and_reports(sqlite_file):
    # The CLI reads the real clock, so the cases are started three hours in the past: their timers are
    # due now, without anybody waiting for them.
    engine = make_engine(sqlite_file)
    try:
        harness = Harness(make_sessionmaker(engine), FakeClock(SystemClock().now() - timedelta(hours=3)))
        harness.user("ann", "office")
        harness.deploy("timer_intermediate.bpmn")  # PT2H
        harness.deploy("timer_fragile.bpmn")  # PT1H, then fails without a follow-up date
        due = [harness.start("timer_intermediate", "ann") for _ in range(2)]
        broken = harness.start("timer_fragile", "ann")
        harness.clock.advance(hours=2, minutes=30)
        not_yet = harness.start("timer_intermediate", "ann")  # due in about 1.5 hours

        runner = CliRunner()
        once = runner.invoke(cli, ["--db", sqlite_file, "worker", "--once", "--limit", "1"])
        assert (once.exit_code, once.output) == (0, "fired 0, started 0, failed 1\n")  # the most overdue
        rest = runner.invoke(cli, ["--db", sqlite_file, "worker", "--once"])
        assert (rest.exit_code, rest.output) == (0, "fired 2, started 0, failed 0\n")
        again = runner.invoke(cli, ["--db", sqlite_file, "worker", "--once"])
        assert (again.exit_code, again.output) == (0, "fired 0, started 0, failed 0\n")

        assert [harness.show(i)["status"] for i in (*due, broken, not_yet)] == ["running", "running", "error",
                                                                                 "running"]
        assert sorted(t["instance_id"] for t in harness.tasks("ann")) == due
        assert timer_statuses(harness, not_yet) == {"wait": TimerStatus.WAITING}
    finally:
        engine.dispose()
