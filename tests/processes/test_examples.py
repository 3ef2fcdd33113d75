"""The swap-in examples under processes/examples/: hospital complaints, customer service with a return visit."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
# Received Wednesday 30 September 2026 at 10:00 (1–7 October are holidays, Saturday 10 October works).
PATIENT = {"complainant_name": "患者家属", "complainant_phone": "1", "channel": "visit", "accused_user": "doctor",
           "title": "候诊时间过长"}


@pytest.fixture
def hospital(procedure):
    p = procedure("examples/hospital_complaints.bpmn")
    p.people(ban="医疗纠纷处理办公室", ke="科室负责人", doctor="科室负责人", yiwu="医务科", yuan="院领导")
    return p


def _public(h, number: str, code: str) -> dict:
    return {r.id: r.value for r in h.track(number, code).result}


@pytest.mark.parametrize("agrees", [True, False])
def test_hospital_complaint_told_its_reply_date_and_if_refused_all_three_routes(hospital, agrees):
    """登记程序2: told the reply date (a week: 5 working days from receipt); 登记程序5/总则2: the reply is due
    within that week, and a patient who disagrees is told every other route, not one."""
    h = hospital.h
    iid, number, code = h.start_tracked("ex_hospital_complaint", "ban", PATIENT)
    register = h.task("ban", "登记并告知答复时间")
    assert [f["value"] for f in register["form"] if f["id"] == "reply_date_told"] == ["2026-10-13T17:30+08:00"]
    h.do("ban", "登记并告知答复时间", {"opinion": "等候三小时", "major": False})
    hospital.only("科室书面说明", sees=["ke"], blind=["doctor", "ban", "yuan"])  # the accused doctor: nothing
    assert h.task("ke", "科室书面说明")["due_at"] == "2026-10-09T17:30:00+08:00"  # two working days
    assert "重大投诉即时报告院领导" not in h.task_names("yuan")
    h.do("ke", "科室书面说明", {"explanation": "排班不足"})
    h.do("yiwu", "医务科组织调查讨论", {"investigation": "属实"})
    h.do("yuan", "院领导讨论定性", {"conclusion": "管理问题", "rectification": "增加排班"})
    assert h.task("ban", "告知患者处理意见")["due_at"] == "2026-10-13T17:30:00+08:00"
    h.do("ban", "告知患者处理意见", {"reply_content": "已整改", "patient_agrees": agrees})
    if not agrees:
        h.do("ban", "告知其它解决途径", {"routes_explained": True})
    h.do("ban", "反馈科室和当事人", {"feedback_note": "已反馈"})
    assert h.show(iid)["status"] == "completed"
    told = _public(h, number, code)
    assert told["reply_date_told"] and told["reply_content"] == "已整改"
    if agrees:
        assert "routes_told" not in told
    else:
        for route in ("协商", "医学会", "司法"):
            assert route in told["routes_told"]
    hospital.nothing("doctor")


def test_a_major_complaint_reaches_the_leadership_at_once(hospital):
    """管理制度1: a major complaint is reported to the hospital leadership at once, while handling goes on."""
    h = hospital.h
    h.start("ex_hospital_complaint", "ban", PATIENT)
    h.do("ban", "登记并告知答复时间", {"opinion": "手术后感染", "major": True})
    hospital.only("重大投诉即时报告院领导", sees=["yuan"], blind=["ban", "ke", "yiwu", "doctor"])
    hospital.only("科室书面说明", sees=["ke"], blind=["doctor"])  # the department is asked at the same time
    h.do("yuan", "重大投诉即时报告院领导", {"leader_instruction": "彻查"})
    assert "重大投诉即时报告院领导" not in h.task_names("yuan")


def test_hospital_department_late_with_its_explanation_is_chased(hospital):
    """登记程序3: two days for the explanation; late, the office chases it (once)."""
    h = hospital.h
    h.start("ex_hospital_complaint", "ban", {**PATIENT, "accused_user": ""})
    h.do("ban", "登记并告知答复时间", {"opinion": "o", "major": False})
    h.clock.set(datetime(2026, 10, 9, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    hospital.only("催办科室说明", sees=["ban"], blind=["ke"])
    h.do("ban", "催办科室说明", {"chase_note": "电话催办"})
    assert h.task("ke", "科室书面说明")["overdue"] is True


def test_a_complex_case_is_told_of_the_delay_before_the_week_runs_out(hospital):
    """管理制度3: still under investigation on the fourth working day (12 October), the office must tell the
    patient of the delay by the end of the week (13 October), with the reason and a new date."""
    h = hospital.h
    iid, number, code = h.start_tracked("ex_hospital_complaint", "ban", PATIENT)
    h.do("ban", "登记并告知答复时间", {"opinion": "o", "major": False})
    h.do("ke", "科室书面说明", {"explanation": "需会诊"})
    h.clock.set(datetime(2026, 10, 12, 17, 29, tzinfo=SH))
    assert h.fire_due().fired == 0
    assert h.advance(minutes=2).fired == 1
    hospital.only("一周届满前告知患者延期", sees=["ban"], blind=["yiwu", "doctor"])
    assert h.task("ban", "一周届满前告知患者延期")["due_at"] == "2026-10-13T17:30:00+08:00"
    h.do("ban", "一周届满前告知患者延期", {"delay_reason": "需组织专家会诊", "new_reply_date": "2026-10-20"})
    told = _public(h, number, code)
    assert (told["delay_reason"], told["new_reply_date"]) == ("需组织专家会诊", "2026-10-20")
    assert "医务科组织调查讨论" in h.task_names("yiwu")  # the investigation goes on
    h.do("yiwu", "医务科组织调查讨论", {"investigation": "属实"})
    h.do("yuan", "院领导讨论定性", {"conclusion": "c", "rectification": "r"})
    h.do("ban", "告知患者处理意见", {"reply_content": "r", "patient_agrees": True})
    h.do("ban", "反馈科室和当事人", {"feedback_note": "f"})
    assert h.show(iid)["status"] == "completed"


@pytest.fixture
def service(procedure):
    p = procedure("examples/customer_service_complaints.bpmn")
    p.people(kefu="客服中心", xiao="客服中心", jingli="分管经理", bumen="相关部门")
    return p


REGISTER = {"customer_name": "业主", "complained_on": "2026-09-30", "title": "电梯噪音", "channel": "phone"}


def test_minor_complaint_gets_a_direct_reply_and_a_return_visit(service):
    """四: a minor complaint is answered directly, then the return visit (六)."""
    h = service.h
    iid = h.start("ex_service_complaint", "kefu")
    h.do("kefu", "登记投诉", {**REGISTER, "severity": "minor"})
    h.do("kefu", "直接答复", {"reply_content": "已安排检修"})
    h.do("kefu", "回访", {"customer_opinion": "满意", "satisfied": True})
    h.do("kefu", "整理归档", {"archive_summary": "轻微投诉"})
    assert h.show(iid)["status"] == "completed"


def test_major_complaint_tracked_until_resolved_and_the_result_told_before_the_return_visit(service):
    """三、五、六: the manager decides, the department handles until resolved, the customer is told the result,
    and only then visited; the staff member complained about (xiao) sees nothing of the case."""
    h = service.h
    iid, number, code = h.start_tracked("ex_service_complaint", "kefu", {"accused_user": "xiao",
                                                                        "accused_name": "小王"})
    service.only("登记投诉", sees=["kefu"], blind=["xiao"])
    h.do("kefu", "登记投诉", {**REGISTER, "title": "漏水", "channel": "visit", "severity": "major"})
    service.only("分管经理决定", sees=["jingli"], blind=["kefu", "bumen", "xiao"])
    h.do("jingli", "分管经理决定", {"decision": "维修部处理"})
    # three working days from receipt: 8, 9 and (a working Saturday) 10 October
    assert h.task("bumen", "相关部门处理")["due_at"] == "2026-10-10T17:30:00+08:00"
    for resolved in (False, False, True):
        h.do("bumen", "相关部门处理", {"handling": "维修"})
        service.only("专人跟踪解决情况", sees=["kefu"], blind=["xiao"])
        h.do("kefu", "专人跟踪解决情况", {"resolved": resolved})
    assert h.task_names("kefu") == ["告知客户处理结果"]  # not the return visit yet
    service.nothing("xiao")
    h.do("kefu", "告知客户处理结果", {"result_told": "已更换水管"})
    assert {r.id: r.value for r in h.track(number, code).result}["result_told"] == "已更换水管"
    service.only("回访", sees=["kefu"], blind=["xiao"])
    h.do("kefu", "回访", {"customer_opinion": "满意", "satisfied": True})
    h.do("kefu", "整理归档", {"archive_summary": "重大投诉"})
    assert h.show(iid)["status"] == "completed"
