"""The shipped procedures' loops, gone round far more often than the 333 rounds that used to close a case
while its task still waited (issue #10, point 8): P2's "phone again until resolved" and P3's "follow up the
measures until done", the latter with its overdue timer still escalating after hundreds of rounds."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.processes.test_p2_parent_student_complaints import (  # noqa: F401 - p2 is a fixture
    FINDINGS, _decide, _to_investigation, p2)
from tests.processes.test_p3_institution_parent_complaints import PLAN, START, p3  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
ROUNDS = 400


def test_p2_phoned_400_times_until_resolved_then_closed(p2):  # noqa: F811
    h = p2.h
    iid = _to_investigation(p2)
    h.do("wang", "调查核实", FINDINGS)
    _decide(p2, substantiated=False)
    for attempt in range(ROUNDS):
        h.do("xu", "电话通报处理结果", {"call_record": f"第{attempt + 1}次通话，家长仍不满意", "resolved": False})
        h.do("wang", "跟进处理", {"follow_up_action": "再次面谈"})
    p2.only("电话通报处理结果", sees=["xu"], blind=["zhang", "wang"])
    assert h.show(iid)["status"] == "running"
    h.do("xu", "电话通报处理结果", {"call_record": "家长满意", "resolved": True})
    p2.only("记录建档", sees=["xu"], blind=["zhang"])
    h.do("xu", "记录建档", {"archive_summary": "多次回访后办结"})
    view = h.show(iid)
    assert view["status"] == "completed"
    completed = [e["detail"] for e in view["history"] if e["kind"] == "task.completed"]
    assert sum("跟进处理" in d for d in completed) == ROUNDS
    assert p2.data(iid)["call_record"] == "家长满意"


def test_p3_measures_followed_up_400_times_are_still_escalated_when_overdue(p3):  # noqa: F811
    h = p3.h
    iid = h.start("p3_parent_complaint", "tan", START)
    h.do("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teacher_behaviour", "severity": "high",
                            "urgency": "high", "scope": "class"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                               "special_team": False})
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    for _ in range(ROUNDS):
        h.do("gao", "落实措施1", {"progress_1": "进行中", "measure_1_done": False})
    p3.only("落实措施1", sees=["gao"], blind=["zhoulaoshi", "tan"])
    assert h.task("gao", "落实措施1")["due_at"] == "2026-10-20T17:30:00+08:00"
    h.clock.set(datetime(2026, 10, 20, 18, 0, tzinfo=SH))  # the measures are overdue
    assert h.fire_due().fired == 1  # one escalation, not one per round
    p3.only("督促逾期措施1", sees=["guan"], blind=["gao", "zhoulaoshi", "tan"])
    h.do("guan", "督促逾期措施1", {"escalation_note": "本周内完成"})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "very"})
    h.do("tan", "归档与分析", {"analysis": "整改反复，已督办"})
    assert h.show(iid)["status"] == "completed"
    p3.nothing("zhoulaoshi")
