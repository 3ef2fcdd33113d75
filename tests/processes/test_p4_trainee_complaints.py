"""P4 学员投诉处理 (processes/p4_trainee_complaints.bpmn): restate-and-confirm loop, on-the-spot
resolution, escalation, major cases decided collectively, negotiation loop, remaining objection."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import NotAllowed

SH = ZoneInfo("Asia/Shanghai")
START = {"complainant_name": "学员小李", "complainant_phone": "13600000000", "channel": "online",
         "accused_user": "liu_teacher", "title": "老师多次迟到"}
RECORD = {"complained_on": "2026-09-30", "subject_course": "雅思口语", "subject_teacher": "刘老师",
          "complaint_detail": "三次迟到十分钟以上", "demands": "补课或退费"}


@pytest.fixture
def p4(procedure):
    p = procedure("p4_trainee_complaints.bpmn")
    p.people(xia="接待人员", liu_teacher=("接待人员", "调查专员"), jin=("负责经理", "管理委员会"), qian="负责经理",
             yu="调查专员", kong="管理委员会")
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
    h.do("xia", "初步回应并告知处理时限", {"first_response": "已受理，5个工作日内答复"})
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


def test_major_case_author_excluded_revisions_decided_again_and_upgrade_answered(p4):
    """P4 二5/二6/二7: the planner (jin, also on the board) cannot take part in deciding their own plan; a
    revised plan of a major case goes back to the board, which can refuse it; an escalated objection is
    carried out and the trainee is told the answer (/track)."""
    h = p4.h
    iid, number, code = h.start_tracked("p4_trainee_complaint", "xia", START)
    h.do("xia", "记录投诉信息", RECORD)
    h.do("xia", "复述并请学员确认", {"trainee_confirmed": True})
    h.do("xia", "初步回应并告知处理时限", {"first_response": "已受理，5个工作日内答复"})
    _escalated(p4, major=True)
    p4.only("集体讨论决定", sees=["kong"], blind=["jin", "liu_teacher"])
    with pytest.raises(NotAllowed):
        h.complete(h.task("kong", "集体讨论决定")["id"], "jin", {"plan_approved": True, "collective_decision": "x"})
    h.do("kong", "集体讨论决定", {"plan_approved": False, "collective_decision": "退费依据不足，重新制定"})
    p4.only("制定处理方案", sees=["jin", "qian"], blind=["kong", "xia"])
    h.do("qian", "制定处理方案", {"remedy": "refund", "plan_detail": "退两课时并补课", "major_case": True})
    assert "集体讨论决定" in h.task_names("jin")  # qian wrote this version; jin may now decide
    h.do("kong", "集体讨论决定", {"plan_approved": True, "collective_decision": "退费并更换教师"})
    h.do("xia", "沟通处理方案", {"communication_record": "说明方案", "trainee_accepts": False,
                                 "trainee_objection": "要求全额退费"})
    p4.only("再次协商调整方案", sees=["jin", "qian"], blind=["xia", "liu_teacher"])
    h.do("jin", "再次协商调整方案", {"revised_plan": "增加补课", "major_case": True})
    p4.only("集体讨论决定", sees=["kong"], blind=["jin"])  # the revision is decided again, not by its author
    h.do("kong", "集体讨论决定", {"plan_approved": True, "collective_decision": "同意增加补课"})
    h.do("xia", "沟通处理方案", {"communication_record": "学员认可", "trainee_accepts": True})
    h.do("xia", "实施处理方案", {"implementation": "已退费、已换教师"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "neutral", "objection_remains": True,
                                     "latest_demand": "书面道歉"})
    p4.only("记录异议并升级处理", sees=["kong"], blind=["xia", "liu_teacher"])
    h.do("kong", "记录异议并升级处理", {"upgrade_decision": "由教学总监书面道歉"})
    p4.only("落实升级决定并答复学员", sees=["xia"], blind=["kong", "liu_teacher"])
    h.do("xia", "落实升级决定并答复学员", {"upgrade_reply": "教学总监已书面致歉"})
    told = {v.id: v.value for v in h.track(number, code).result}
    assert told["first_response"] == "已受理，5个工作日内答复"
    assert told["upgrade_reply"] == "教学总监已书面致歉"
    h.do("xia", "归档与复盘", {"archive_summary": "升级后办结"})
    assert h.show(iid)["status"] == "completed"
    p4.nothing("liu_teacher")


def test_ordinary_plan_approved_by_another_manager_and_refusal_sends_it_back(p4):
    """P4 二5: approval per authority is never by the plan's author and can refuse; a refused
    self-approval leaves the plan waiting for someone else."""
    h = p4.h
    iid = _recorded(p4)
    _escalated(p4, major=False)
    p4.only("按权限审批方案", sees=["qian"], blind=["jin", "kong"])
    task_id = h.task("qian", "按权限审批方案")["id"]
    with pytest.raises(NotAllowed):
        h.complete(task_id, "jin", {"plan_approved": True, "plan_approved_note": "同意"})
    assert "按权限审批方案" in h.task_names("qian")
    h.do("qian", "按权限审批方案", {"plan_approved": False, "plan_approved_note": "退费额度超出权限"})
    h.do("jin", "制定处理方案", {"remedy": "explanation", "plan_detail": "说明并补课", "major_case": False})
    h.do("qian", "按权限审批方案", {"plan_approved": True, "plan_approved_note": "同意"})
    h.do("xia", "沟通处理方案", {"communication_record": "认可", "trainee_accepts": True})
    h.do("xia", "实施处理方案", {"implementation": "已补课"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "satisfied", "objection_remains": False})
    h.do("xia", "归档与复盘", {"archive_summary": "办结"})
    assert h.show(iid)["status"] == "completed"


def test_first_response_and_handling_deadline_count_from_receipt(p4):
    """P4 一3: the first response is due one working day after receipt and the investigation reply_days
    (5) working days after receipt, whatever date is typed as 投诉时间 (received Wed 2026-09-30 10:00:
    National Day holidays, Saturday 10 October is a working day)."""
    h = p4.h
    _, number, code = h.start_tracked("p4_trainee_complaint", "xia", START)
    h.do("xia", "记录投诉信息", {**RECORD, "complained_on": "2026-12-01"})
    h.do("xia", "复述并请学员确认", {"trainee_confirmed": True})
    respond = h.task("xia", "初步回应并告知处理时限")
    assert respond["due_at"].startswith("2026-10-08T17:30")
    # the handling deadline told to the trainee is computed, shown read-only; a typed one is not taken
    shown = {f["id"]: f["value"] for f in respond["form"] if f["readonly"]}
    assert shown["handling_due"] == "2026-10-13T17:30+08:00"
    h.do("xia", "初步回应并告知处理时限", {"first_response": "已受理", "handling_due": "2026-12-31"})
    told = {v.id: v.value for v in h.track(number, code).result}
    assert told["handling_due"].startswith("2026-10-13") and told["first_response"] == "已受理"
    h.do("xia", "初步评估分类", {"category": "teaching", "severity": "high", "simple_case": False})
    h.do("jin", "指定调查人", {"investigator_user": "yu"})
    assert h.task("yu", "调查核实")["due_at"].startswith("2026-10-13T17:30")


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
    p4.only("超期督办", sees=["kong"], blind=["yu", "liu_teacher", "xia"])
    h.do("kong", "超期督办", {"escalation_note": "两日内完成调查"})
    assert "超期督办" not in h.task_names("kong")
    assert "调查核实" in h.task_names("yu")  # the investigation itself stays open
    h.do("yu", "调查核实", {"findings": "督办后查清"})  # and goes on to the plan
    assert "制定处理方案" in h.task_names("jin") + h.task_names("qian")


def test_a_plan_rewritten_after_a_refused_revision_is_not_approved_by_its_author(p4):
    """P4 二5 (方案由制定人以外的人审批): jin plans, mo revises after an objection, the revision is refused,
    and jin writes the plan again -- neither jin nor mo may approve that plan; qian does."""
    h = p4.h
    h.user("mo", "负责经理")
    _recorded(p4)
    _escalated(p4, major=False)
    h.do("qian", "按权限审批方案", {"plan_approved": True, "plan_approved_note": "同意"})
    h.do("xia", "沟通处理方案", {"communication_record": "说明", "trainee_accepts": False, "trainee_objection": "不够"})
    h.do("mo", "再次协商调整方案", {"revised_plan": "加两次补课", "major_case": False})
    h.do("qian", "按权限审批方案", {"plan_approved": False, "plan_approved_note": "重新制定"})
    h.do("jin", "制定处理方案", {"remedy": "refund", "plan_detail": "退还三课时", "major_case": False})
    p4.only("按权限审批方案", sees=["qian"], blind=["jin", "mo"])
    for author in ("jin", "mo"):
        with pytest.raises(NotAllowed):
            h.complete(h.task("qian", "按权限审批方案")["id"], author, {"plan_approved": True,
                                                                       "plan_approved_note": "同意"})
    h.do("qian", "按权限审批方案", {"plan_approved": True, "plan_approved_note": "同意"})
    assert "沟通处理方案" in h.task_names("xia")


def test_an_unsatisfied_trainee_is_escalated_even_if_no_objection_was_ticked(p4):
    """P4 二7: 不满意 and 'no objection' cannot close the case together: it is recorded and escalated."""
    h = p4.h
    _recorded(p4)
    h.do("xia", "初步评估分类", {"category": "attitude", "severity": "low", "simple_case": True})
    h.do("xia", "当场回应解决", {"resolution": "调整上课时间"})
    h.do("xia", "结果反馈与满意度", {"satisfaction": "unsatisfied", "objection_remains": False})
    p4.only("记录异议并升级处理", sees=["kong"], blind=["xia"])
    assert "归档与复盘" not in h.task_names("xia")
