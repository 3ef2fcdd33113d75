"""A task re-created by a loop after its deadline (issue point 10): it keeps the deadline counted from
receipt, shows as overdue rather than "due today", and its escalation does not happen a second time."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Harness

SH = ZoneInfo("Asia/Shanghai")
DUE = "2026-10-09T17:30:00+08:00"  # received Wed 30 Sep 2026; 1–7 Oct holidays: 8 and 9 October


@pytest.fixture
def case(harness: Harness) -> int:
    harness.deploy("deadline_loop.bpmn")
    harness.user("ann", "office")
    harness.user("sue", "supervisors")
    return harness.start("deadline_loop", "ann")


def test_the_deadline_counts_from_receipt_not_from_when_the_task_appears(harness, case):
    harness.clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SH))
    harness.do("ann", "Follow up", {"resolved": False})
    again = harness.task("ann", "Follow up")
    assert (again["due_at"], again["overdue"]) == (DUE, False)


def test_a_task_recreated_past_its_deadline_is_overdue_and_escalates_once(harness, case):
    harness.clock.set(datetime(2026, 10, 12, 9, 0, tzinfo=SH))
    assert harness.fire_due().fired == 1
    assert harness.task_names("sue") == ["Handle overdue follow-up"]
    for _ in range(3):  # three rounds of the loop after the deadline
        harness.do("ann", "Follow up", {"resolved": False})
        again = harness.task("ann", "Follow up")
        assert (again["due_at"], again["overdue"]) == (DUE, True)  # not "due today"
        assert harness.advance(hours=1).fired == 0
    assert harness.task_names("sue") == ["Handle overdue follow-up"]  # one escalation, not four
    harness.do("ann", "Follow up", {"resolved": True})
    harness.do("sue", "Handle overdue follow-up")
    assert harness.show(case)["status"] == "completed"
