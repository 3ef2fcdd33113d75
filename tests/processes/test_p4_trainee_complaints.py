"""P4 学员投诉处理 (processes/p4_trainee_complaints.bpmn): restate-and-confirm loop, on-the-spot
resolution, escalation, major cases decided collectively, negotiation loop, remaining objection."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
START = {"complainant_name": "学员小李", "complainant_phone": "13600000000", "channel": "online",
         "accused_user": "liu_teacher", "title": "老师多次迟到"}
RECORD = {"complained_on": "2026-09-30", "subject_course": "雅思口语", "subject_teacher": "刘老师",
          "complaint_detail": "三次迟到十分钟以上", "demands": "补课或退费"}


@pytest.fixture
def p4(procedure):
    p = procedure("p4_trainee_complaints.bpmn")
    p.people(xia="接待人员", liu_teacher=("接待人员", "调查专员"), jin="负责经理", yu="调查专员",
             kong="管理委员会")
    return p


def _recorded(p4) -> int:
    h = p4.h
    iid = h.start("p4_trainee_complaint", "xia", START)
    for _ in range(2):  # the trainee corrects the record twice
        p4.only("记录投诉信息", sees=["xia"], blind=["liu_teacher", "jin"])
        h.do("xia", "记录投诉信息", RECORD)
        h.do("xia", "复述并请学员确认", {"trainee_confirmed": False, "corrections": "是四次"})
    h.do("xia", "记录投诉信息", {**RECORD, "complaint_detail": "四次迟到"})
    h.do("xia", "复述并请学员确认", {"trainee_confirmed": True})
    return iid


def _escalated(p4, major: bool) -> None:
    h = p4.h
    h.do("xia", "初步评估分类", {"category": "teaching", "severity": "high", "simple_case": False})
    p4.only("指定调查人", sees=["jin"], blind=["xia", "liu_teacher"])
    h.do("jin", "指定调查人", {"investigator_user": "yu"})
    p4.only("调查核实", sees=["yu"], blind=["liu_teacher", "jin"])
    h.do("yu", "调查核实", {"findings": "考勤显示迟到四次"})
    h.do("jin", "制定处理方案", {"remedy": "refund", "plan_detail": "退还两课时费用", "major_case": major})


def test_on_the_spot_resolution(p4):
    h = p4.h
    iid = _recorded(p4)
    h.do("xia", "初步评估分类", {"category": "attitude", "severity": "low", "simple_case": True})
    h.do("xia", "当场回应解决", {"resolution": "调整上课时间"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "satisfied", "objection_remains": False})
    h.do("xia", "归档与复盘", {"archive_summary": "当场解决"})
    assert h.show(iid)["status"] == "completed"
    assert p4.case(iid).number.startswith("XY-2026-")


def test_major_case_negotiated_twice_then_objection_escalated(p4):
    h = p4.h
    iid = _recorded(p4)
    _escalated(p4, major=True)
    p4.only("集体讨论决定", sees=["kong"], blind=["jin", "liu_teacher"])
    h.do("kong", "集体讨论决定", {"collective_decision": "退费并更换教师"})
    for _ in range(2):
        h.do("xia", "沟通处理方案", {"communication_record": "说明方案", "trainee_accepts": False,
                                     "trainee_objection": "要求全额退费"})
        p4.only("再次协商调整方案", sees=["jin"], blind=["xia", "liu_teacher"])
        h.do("jin", "再次协商调整方案", {"revised_plan": "增加补课"})
    h.do("xia", "沟通处理方案", {"communication_record": "学员认可", "trainee_accepts": True})
    h.do("xia", "实施处理方案", {"implementation": "已退费、已换教师"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "neutral", "objection_remains": True,
                                     "latest_demand": "书面道歉"})
    p4.only("记录异议并升级处理", sees=["kong"], blind=["xia", "liu_teacher"])
    h.do("kong", "记录异议并升级处理", {"upgrade_decision": "由教学总监书面道歉"})
    h.do("xia", "归档与复盘", {"archive_summary": "升级后办结"})
    assert h.show(iid)["status"] == "completed"
    assert p4.data(iid)["upgrade_decision"] == "由教学总监书面道歉"
    p4.nothing("liu_teacher")


def test_ordinary_plan_approved_by_the_manager(p4):
    h = p4.h
    iid = _recorded(p4)
    _escalated(p4, major=False)
    p4.only("按权限审批方案", sees=["jin"], blind=["kong"])
    h.do("jin", "按权限审批方案", {"plan_approved_note": "同意"})
    h.do("xia", "沟通处理方案", {"communication_record": "认可", "trainee_accepts": True})
    h.do("xia", "实施处理方案", {"implementation": "已退费"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "satisfied", "objection_remains": False})
    h.do("xia", "归档与复盘", {"archive_summary": "办结"})
    assert h.show(iid)["status"] == "completed"


def test_overdue_investigation_escalates(p4):
    h = p4.h
    _recorded(p4)
    h.do("xia", "初步评估分类", {"category": "teaching", "severity": "high", "simple_case": False})
    h.do("jin", "指定调查人", {"investigator_user": "yu"})
    h.clock.set(datetime(2026, 10, 13, 17, 31, tzinfo=SH))
    assert h.fire_due().fired == 1
    p4.only("超期督办", sees=["kong"], blind=["yu", "liu_teacher"])


def test_overdue_investigation_is_escalated_to_the_board(p4):
    """二4: an investigation not finished within reply_days working days goes to the board (管理委员会)."""
    h = p4.h
    _recorded(p4)
    h.do("xia", "初步评估分类", {"category": "teaching", "severity": "high", "simple_case": False})
    h.do("jin", "指定调查人", {"investigator_user": "yu"})
    h.clock.set(datetime(2026, 10, 13, 17, 29, tzinfo=SH))
    assert h.fire_due().fired == 0
    assert h.advance(minutes=2).fired == 1
    p4.only("超期督办", sees=["kong"], blind=["jin", "yu", "liu_teacher"])
    h.do("kong", "超期督办", {"escalation_note": "两日内完成调查"})
    assert "超期督办" not in h.task_names("kong")
    assert "调查核实" in h.task_names("yu")  # the investigation itself stays open
