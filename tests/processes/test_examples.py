"""The swap-in examples under processes/examples/: hospital complaints, customer service with a return visit."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def hospital(procedure):
    p = procedure("examples/hospital_complaints.bpmn")
    p.people(ban="医疗纠纷处理办公室", ke="科室负责人", doctor="科室负责人", yiwu="医务科", yuan="院领导")
    return p


@pytest.mark.parametrize("agrees", [True, False])
def test_hospital_complaint(hospital, agrees):
    h = hospital.h
    iid = h.start("ex_hospital_complaint", "ban", {
        "complainant_name": "患者家属", "complainant_phone": "1", "channel": "visit", "accused_user": "doctor",
        "title": "候诊时间过长"})
    h.do("ban", "登记并告知答复时间", {"accepted_on": "2026-09-30", "opinion": "等候三小时",
                                     "reply_date_told": "2026-10-13"})
    hospital.only("科室书面说明", sees=["ke"], blind=["doctor", "ban"])
    assert h.task("ke", "科室书面说明")["due_at"] == "2026-10-09T17:30:00+08:00"
    h.do("ke", "科室书面说明", {"explanation": "排班不足"})
    h.do("yiwu", "医务科组织调查讨论", {"investigation": "属实"})
    h.do("yuan", "院领导讨论定性", {"conclusion": "管理问题", "rectification": "增加排班"})
    h.do("ban", "告知患者处理意见", {"reply_content": "已整改", "patient_agrees": agrees})
    if not agrees:
        h.do("ban", "告知其它解决途径", {"route": "appraisal"})
    h.do("ban", "反馈科室和当事人", {"feedback_note": "已反馈"})
    assert h.show(iid)["status"] == "completed"


def test_hospital_department_late_with_its_explanation_is_chased(hospital):
    h = hospital.h
    h.start("ex_hospital_complaint", "ban", {"complainant_name": "x", "complainant_phone": "1",
                                             "channel": "phone", "accused_user": "", "title": "t"})
    h.do("ban", "登记并告知答复时间", {"accepted_on": "2026-09-30", "opinion": "o", "reply_date_told": "2026-10-13"})
    h.clock.set(datetime(2026, 10, 9, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    hospital.only("催办科室说明", sees=["ban"], blind=["ke"])


@pytest.fixture
def service(procedure):
    p = procedure("examples/customer_service_complaints.bpmn")
    p.people(kefu="客服中心", jingli="分管经理", bumen="相关部门")
    return p


def test_minor_complaint_gets_a_direct_reply_and_a_return_visit(service):
    h = service.h
    iid = h.start("ex_service_complaint", "kefu")
    h.do("kefu", "登记投诉", {"customer_name": "业主", "complained_on": "2026-09-30", "title": "电梯噪音",
                              "channel": "phone", "severity": "minor"})
    h.do("kefu", "直接答复", {"reply_content": "已安排检修"})
    h.do("kefu", "回访", {"customer_opinion": "满意", "satisfied": True})
    h.do("kefu", "整理归档", {"archive_summary": "轻微投诉"})
    assert h.show(iid)["status"] == "completed"


def test_major_complaint_decided_by_the_manager_and_tracked_until_resolved(service):
    h = service.h
    iid = h.start("ex_service_complaint", "kefu")
    h.do("kefu", "登记投诉", {"customer_name": "业主", "complained_on": "2026-09-30", "title": "漏水",
                              "channel": "visit", "severity": "major"})
    service.only("分管经理决定", sees=["jingli"], blind=["kefu", "bumen"])
    h.do("jingli", "分管经理决定", {"decision": "维修部处理"})
    for resolved in (False, False, True):
        h.do("bumen", "相关部门处理", {"handling": "维修"})
        h.do("kefu", "专人跟踪解决情况", {"resolved": resolved})
    h.do("kefu", "回访", {"customer_opinion": "满意", "satisfied": True})
    h.do("kefu", "整理归档", {"archive_summary": "重大投诉"})
    assert h.show(iid)["status"] == "completed"
