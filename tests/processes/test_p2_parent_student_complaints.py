"""P2 家长及学生投诉处理 (processes/p2_parent_student_complaints.bpmn): every branch, loop, timer and the
extension sub-flow, with who sees each task. The accused teacher is a member of the investigating
department and must never see anything of the case."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidInput

FILE = "p2_parent_student_complaints.bpmn"
SH = ZoneInfo("Asia/Shanghai")
EVERYONE = ["xu", "li", "wang", "zhang", "zhou", "chen"]

COMPLAINT = {
    "complainant_name": "刘女士", "complainant_phone": "13800000000", "channel": "phone",
    "accused_department": "初二年级组", "accused_name": "张老师", "accused_user": "zhang",
    "title": "班主任体罚学生", "complaint_detail": "孩子反映被罚站两节课。",
}
ACCEPT = {"category": "ethics", "category_item": "ethics_punishment", "accepted_on": "2026-09-30",
          "acceptance_note": "受理"}
FINDINGS = {"outcome": "report", "findings": "经调查属实", "complainant_statement": "家长陈述罚站经过",
            "accused_statement": "张老师称学生扰乱课堂"}
REQUEST = {**FINDINGS, "outcome": "extension", "findings": "涉及多名学生，尚在取证", "extension_reason": "特别复杂",
           "extension_days": 5}


@pytest.fixture
def p2(procedure):
    p = procedure(FILE)
    p.people(xu="信息督察室", li="相关领导", wang="调查部门", zhang="调查部门", zhou="主管领导", chen="校委会",
             sun=("调查部门", "主管领导"))
    return p


def _to_investigation(p2, data=None) -> int:
    h = p2.h
    iid = h.start("p2_complaint", "xu", {**COMPLAINT, **(data or {})})
    p2.only("受理建档", sees=["xu"], blind=["li", "wang", "zhang", "zhou", "chen"])
    h.do("xu", "受理建档", ACCEPT)
    p2.only("告知相关领导", sees=["li"], blind=["xu", "wang", "zhang", "zhou", "chen"])
    h.do("li", "告知相关领导", {"leader_instruction": "请信息督察室牵头调查"})
    p2.only("初步电话回复", sees=["xu"], blind=["li", "wang", "zhang"])
    h.do("xu", "初步电话回复", {"prelim_reply_note": "已受理，七个工作日内答复", "prelim_reply_on": "2026-09-30"})
    p2.only("调查核实", sees=["wang"], blind=["zhang", "xu", "li", "zhou", "chen"])
    return iid


def _decide(p2, substantiated: bool) -> None:
    h = p2.h
    p2.only("书面报告领导", sees=["xu"], blind=["zhang", "chen"])
    h.do("xu", "书面报告领导", {"report_text": "调查报告"})
    # §五4: the leaders give their opinion on the written result before the committee decides
    p2.only("领导对处理结果提出意见", sees=["li"], blind=["zhang", "chen", "xu"])
    assert "校委会研究处理意见" not in h.task_names("chen")
    h.do("li", "领导对处理结果提出意见", {"leader_opinion": "同意调查结论"})
    p2.only("校委会研究处理意见", sees=["chen"], blind=["zhang", "xu", "wang"])
    h.do("chen", "校委会研究处理意见", {
        "substantiated": substantiated, "decision": "通报批评并书面检查" if substantiated else "不属实，做好解释",
        "sanction": "circulated" if substantiated else "none"})


def test_substantiated_forwarded_complaint_phoned_until_resolved(p2):
    h = p2.h
    iid = _to_investigation(p2, {"channel": "forwarded", "forwarding_authority": "县教育局"})
    h.do("wang", "调查核实", FINDINGS)
    _decide(p2, substantiated=True)
    p2.only("致歉与整改", sees=["wang"], blind=["zhang", "xu", "chen"])
    h.do("wang", "致歉与整改", {"apology_made": True, "correction": "停止罚站", "preventive_measure": "meeting"})
    for attempt in range(2):  # not resolved twice: follow-up, then phone again
        p2.only("电话通报处理结果", sees=["xu"], blind=["zhang", "wang"])
        h.do("xu", "电话通报处理结果", {"call_record": f"第{attempt + 1}次通话，家长仍不满意", "resolved": False})
        p2.only("跟进处理", sees=["wang"], blind=["zhang", "xu"])
        h.do("wang", "跟进处理", {"follow_up_action": "与家长面谈"})
    h.do("xu", "电话通报处理结果", {"call_record": "家长满意", "resolved": True})
    p2.only("向上级汇报处理意见", sees=["xu"], blind=["zhang", "li"])
    h.do("xu", "向上级汇报处理意见", {"upward_report": "已处理", "upward_reported_on": "2026-10-09"})
    p2.only("记录建档", sees=["xu"], blind=["zhang"])
    h.do("xu", "记录建档", {"archive_summary": "办结"})
    p2.nothing(*EVERYONE)
    view = h.show(iid)
    assert view["status"] == "completed"
    case = p2.case(iid)
    assert case.number.startswith("TS-2026-")
    assert (case.title, case.category, case.channel, case.status) == ("班主任体罚学生", "ethics", "forwarded",
                                                                       "completed")
    assert case.closed_at is not None
    data = p2.data(iid)
    assert data["sanction"] == "circulated" and data["resolved"] is True
    assert data["upward_report"] == "已处理" and data["preventive_measure"] == "meeting"
    completed = [e["detail"] for e in view["history"] if e["kind"] == "task.completed"]
    assert sum("跟进处理" in d for d in completed) == 2


def test_unsubstantiated_local_complaint_skips_apology_and_report_upward(p2):
    h = p2.h
    iid = _to_investigation(p2)
    h.do("wang", "调查核实", FINDINGS)
    _decide(p2, substantiated=False)
    p2.only("电话通报处理结果", sees=["xu"], blind=["wang", "zhang"])
    assert "致歉与整改" not in h.task_names("wang")
    h.do("xu", "电话通报处理结果", {"call_record": "已解释", "resolved": True})
    p2.only("记录建档", sees=["xu"], blind=["zhang"])
    h.do("xu", "记录建档", {"archive_summary": "不属实，已解释"})
    assert h.show(iid)["status"] == "completed"
    assert p2.data(iid)["sanction"] == "none"


def test_deadline_is_seven_working_days_from_receipt_whatever_date_is_typed(p2):
    """P2 §七4: received Wed 2026-09-30 10:00; 1–7 October are holidays, Saturday 10 October is a working
    day (调休), so seven working days fall on 15 October 17:30 -- a backdated 受理日期 changes nothing."""
    h = p2.h
    h.start("p2_complaint", "xu", COMPLAINT)
    h.do("xu", "受理建档", {**ACCEPT, "accepted_on": "2026-09-01"})
    h.do("li", "告知相关领导", {"leader_instruction": "调查"})
    h.clock.set(datetime(2026, 10, 9, 9, 0, tzinfo=SH))  # the phone reply comes late: no new deadline
    h.do("xu", "初步电话回复", {"prelim_reply_note": "已受理", "prelim_reply_on": "2026-10-09"})
    assert h.task("wang", "调查核实")["due_at"] == "2026-10-15T17:30:00+08:00"


def test_investigation_hears_both_sides(p2):
    """P2 §七3: an investigation that records only one side is refused with the missing field named."""
    from engine.errors import InvalidInput

    _to_investigation(p2)
    one_side = {k: v for k, v in FINDINGS.items() if k != "accused_statement"}
    with pytest.raises(InvalidInput, match="accused_statement"):
        p2.h.do("wang", "调查核实", one_side)
    assert "调查核实" in p2.h.task_names("wang")  # nothing lost, still waiting


def test_extension_asked_while_open_refused_then_approved_and_asked_again_complainant_told(p2):
    """P2 §七4: the department asks for more time while investigating; the supervising leader refuses (the
    deadline stays), approves (the complainant is told on /track, the deadline moves to the approved total
    from receipt), and the extended investigation asks again."""
    from engine.errors import NotAllowed

    h = p2.h
    iid, number, code = h.start_tracked("p2_complaint", "xu", COMPLAINT)
    h.do("xu", "受理建档", ACCEPT)
    h.do("li", "告知相关领导", {"leader_instruction": "调查"})
    h.do("xu", "初步电话回复", {"prelim_reply_note": "已受理，七个工作日内答复", "prelim_reply_on": "2026-09-30"})
    h.clock.set(datetime(2026, 10, 9, 10, 0, tzinfo=SH))
    h.do("wang", "调查核实", REQUEST)
    p2.only("审批延期申请", sees=["zhou", "sun"], blind=["zhang", "wang", "xu", "chen"])
    h.do("zhou", "审批延期申请", {"extension_approved": False, "extension_opinion": "不同意，按期办结"})
    p2.only("调查核实", sees=["wang"], blind=["zhang"])
    assert h.task("wang", "调查核实")["due_at"] == "2026-10-15T17:30:00+08:00"  # unchanged
    h.do("wang", "调查核实", REQUEST)
    # the approver sees the computed new deadline (15 October + 5 working days) and cannot type another
    shown = {f["id"]: f["value"] for f in h.task("zhou", "审批延期申请")["form"] if f["readonly"]}
    assert (shown["extension_days_asked"], shown["extension_due"]) == (5, "2026-10-22T17:30+08:00")
    with pytest.raises(InvalidInput, match="extended_total_days"):
        h.do("zhou", "审批延期申请", {"extension_approved": True, "extended_total_days": 1,
                                     "extension_opinion": "同意"})
    h.do("zhou", "审批延期申请", {"extension_approved": True, "extension_due": "2026-10-09",
                                 "extension_opinion": "同意延长五个工作日"})  # a read-only field is not taken
    p2.only("向投诉人说明延期", sees=["xu"], blind=["zhang", "wang", "zhou"])
    h.do("xu", "向投诉人说明延期", {"extension_notice": "取证涉及多名学生", "extension_notified": True})
    told = {v.id: v.value for v in h.track(number, code).result}
    assert told["extension_notice"] == "取证涉及多名学生"
    assert told["new_due"].startswith("2026-10-22")  # the complainant is told the new date (§七4)
    assert h.task("wang", "延期调查核实")["due_at"] == "2026-10-22T17:30:00+08:00"
    # asked again, by sun this time, who is also a supervising leader: sun may not approve it
    task_id = h.task("sun", "延期调查核实")["id"]
    h.complete(task_id, "sun", {**REQUEST, "findings": "新增两名证人"})
    p2.only("审批延期申请", sees=["zhou"], blind=["sun", "wang"])
    with pytest.raises(NotAllowed):
        h.complete(h.task("zhou", "审批延期申请")["id"], "sun",
                   {"extension_approved": True, "extension_opinion": "同意"})
    # a second extension counts from the deadline in force: 22 October + 5 working days
    shown = {f["id"]: f["value"] for f in h.task("zhou", "审批延期申请")["form"] if f["readonly"]}
    assert shown["extension_due"] == "2026-10-29T17:30+08:00"
    h.do("zhou", "审批延期申请", {"extension_approved": False, "extension_opinion": "不同意"})
    assert h.task("wang", "延期调查核实")["due_at"] == "2026-10-22T17:30:00+08:00"  # back, same deadline
    h.do("wang", "延期调查核实", FINDINGS)
    _decide(p2, substantiated=False)
    h.do("xu", "电话通报处理结果", {"call_record": "满意", "resolved": True})
    h.do("xu", "记录建档", {"archive_summary": "延期后办结"})
    assert h.show(iid)["status"] == "completed"


def test_overdue_investigation_is_escalated_and_stays_open(p2):
    h = p2.h
    iid = _to_investigation(p2)
    h.clock.set(datetime(2026, 10, 15, 17, 0, tzinfo=SH))
    assert h.fire_due().fired == 0
    assert h.advance(hours=1).fired == 1
    p2.only("超期投诉督办", sees=["zhou"], blind=["zhang", "wang", "xu", "chen"])
    assert h.task("wang", "调查核实")["overdue"] is True  # non-interrupting: the work goes on
    h.do("zhou", "超期投诉督办", {"escalation_note": "请于明日办结"})
    h.do("wang", "调查核实", FINDINGS)
    _decide(p2, substantiated=False)
    h.do("xu", "电话通报处理结果", {"call_record": "满意", "resolved": True})
    h.do("xu", "记录建档", {"archive_summary": "超期督办后办结"})
    assert h.show(iid)["status"] == "completed"
    assert p2.data(iid)["escalation_note"] == "请于明日办结"


def test_overdue_extended_investigation_is_escalated(p2):
    h = p2.h
    _to_investigation(p2)
    h.do("wang", "调查核实", {**REQUEST, "extension_days": 2})
    h.do("zhou", "审批延期申请", {"extension_approved": True, "extension_opinion": "同意"})
    h.do("xu", "向投诉人说明延期", {"extension_notice": "延期两天", "extension_notified": True})
    assert h.task("wang", "延期调查核实")["due_at"] == "2026-10-19T17:30:00+08:00"
    h.clock.set(datetime(2026, 10, 19, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    p2.only("延期超期督办", sees=["zhou"], blind=["zhang", "wang"])
    assert "超期投诉督办" not in h.task_names("zhou")  # the first deadline's timer ended with its task
    h.do("zhou", "延期超期督办", {"escalation_note": "延期后仍超期，今日办结"})
    assert h.task_names("zhou") == []


def test_escalation_group_is_a_parameter(p2):
    from engine import definitions
    from engine.definitions import params

    h = p2.h
    h.user("hu", "校长办公室")
    h.user("admin", admin=True)
    with h.Session.begin() as s:
        params.set_param(s, definitions.latest_definition(s, "p2_complaint"), "escalation_group", "校长办公室",
                         clock=h.clock, actor="admin")
    _to_investigation(p2)
    h.clock.set(datetime(2026, 10, 16, 9, 0, tzinfo=SH))
    h.fire_due()
    p2.only("超期投诉督办", sees=["hu"], blind=["zhou", "zhang"])


def test_weekly_statistics_on_the_first_working_day_of_each_week_with_computed_counts(p2):
    """§五6: the complaint office reports the week's complaints to the committee every week, from the records
    themselves, on the school calendar: Monday 5 October 2026 is a holiday, so that week's report starts on
    Thursday 8 October; the next on Monday 12 October."""
    h = p2.h
    assert p2.instances("p2_weekly_stats") == []
    h.clock.set(datetime(2026, 10, 5, 9, 1, tzinfo=SH))
    assert h.fire_due().started == 0  # a holiday
    h.start("p2_complaint", "xu", COMPLAINT)  # received in the holiday week
    h.clock.set(datetime(2026, 10, 8, 9, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    p2.only("编制每周投诉统计", sees=["xu"], blind=["chen", "zhang"])
    task = h.task("xu", "编制每周投诉统计")
    shown = {f["id"]: f["value"] for f in task["form"] if f["readonly"]}
    assert (shown["stat_received"], shown["stat_open"], shown["stat_by_status"]) == (1, 1, "处理中 1")
    assert shown["stat_by_channel"] == "phone 1"
    h.do("xu", "编制每周投诉统计", {"corrections": "跟踪中"})
    p2.only("校委会审阅统计", sees=["chen"], blind=["xu"])
    h.do("chen", "校委会审阅统计", {"stats_remarks": "阅"})
    h.clock.set(datetime(2026, 10, 12, 9, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    runs = p2.instances("p2_weekly_stats")
    assert [r.status for r in runs] == ["completed", "running"]
    assert p2.case(runs[1].id).number.startswith("TJ-2026-")


def test_an_extension_request_names_its_days_and_reason_within_the_bound(p2):
    """P2 §七4: asking for more time without saying how many working days, or why, or for more than seven
    at once is refused and nothing is lost; reporting needs neither."""
    h = p2.h
    _to_investigation(p2)
    for bad, fields in (({"extension_days": None, "extension_reason": None}, {"extension_days", "extension_reason"}),
                        ({"extension_days": 30}, {"extension_days"}), ({"extension_days": 0}, {"extension_days"})):
        with pytest.raises(InvalidInput) as refused:
            h.do("wang", "调查核实", {**REQUEST, **bad})
        assert set(refused.value.field_errors) == fields
    assert "调查核实" in h.task_names("wang") and h.task_names("zhou") == []
