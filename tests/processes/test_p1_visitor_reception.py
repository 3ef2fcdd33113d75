"""P1 来访接待 (processes/p1_visitor_reception.bpmn): registration loop, scope, simple and complex
handling, coordination, dissatisfied visitor, overdue escalations, and the monthly summary."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

FILE = "p1_visitor_reception.bpmn"
SH = ZoneInfo("Asia/Shanghai")
PARTIAL = {"title": "校门口交通拥堵"}
FULL = {"visitor_name": "陈先生", "visitor_gender": "male", "visitor_identity": "resident",
        "visitor_phone": "13900000000", "visit_date": "2026-09-30", "title": "校门口交通拥堵"}
CONVERSE = {"problem_description": "上下学时段车辆拥堵", "visitor_agitated": True, "visitor_calmed": True}


@pytest.fixture
def p1(procedure):
    p = procedure(FILE)
    p.people(ma="接访人员", zhao="调查负责人", wu="调查负责人", qian="相关部门", sun="接访室负责人")
    return p


def _registered(p1) -> int:
    h = p1.h
    iid = h.start("p1_visit", "ma")
    for _ in range(2):  # incomplete twice: back to the registration form
        p1.only("填写来访登记表", sees=["ma"], blind=["zhao", "qian", "sun"])
        h.do("ma", "填写来访登记表", PARTIAL)
        h.do("ma", "审核登记表", {"registration_complete": False, "missing_items": "姓名、电话"})
    h.do("ma", "填写来访登记表", FULL)
    h.do("ma", "审核登记表", {"registration_complete": True})
    p1.only("接访沟通记录", sees=["ma"], blind=["zhao", "qian", "sun", "wu"])
    return iid


def _complex(p1, multi: bool) -> None:
    h = p1.h
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": False})
    h.do("ma", "告知答复期限并指派专人", {"informed_on": "2026-09-30", "deadline_notice": "五个工作日内答复",
                                         "investigator_user": "zhao"})
    p1.only("调查核实", sees=["zhao"], blind=["wu", "ma", "qian", "sun"])  # the designated person only
    assert h.task("zhao", "调查核实")["due_at"] == "2026-10-13T17:30:00+08:00"
    h.do("zhao", "调查核实", {"findings": "与交警协调", "multi_department": multi})


def test_complex_visit_with_coordination_and_a_dissatisfied_visitor(p1):
    h = p1.h
    iid = _registered(p1)
    _complex(p1, multi=True)
    p1.only("召开协调会议", sees=["qian"], blind=["ma", "zhao", "sun"])
    h.do("qian", "召开协调会议", {"departments": "总务处、安保处", "duties": "安保处疏导", "joint_solution": "错峰放学"})
    p1.only("答复反馈", sees=["ma"], blind=["zhao", "qian"])
    h.do("ma", "答复反馈", {"reply_mode": "written", "reply_content": "错峰放学", "reply_basis": "学校安全管理制度",
                             "visitor_satisfied": False})
    p1.only("听取意见并告知申诉途径", sees=["ma"], blind=["sun"])
    h.do("ma", "听取意见并告知申诉途径", {"visitor_opinion": "希望增加交警", "appeal_route": "向区教育局申诉"})
    h.do("ma", "建立来访档案", {"archive_summary": "已答复", "important_case": True})
    p1.nothing("ma", "zhao", "qian", "sun", "wu")
    assert h.show(iid)["status"] == "completed"
    case = p1.case(iid)
    assert case.number.startswith("JF-2026-") and case.title == "校门口交通拥堵" and case.closed_at
    data = p1.data(iid)
    assert data["joint_solution"] == "错峰放学" and data["appeal_route"] == "向区教育局申诉"


def test_single_department_reply_satisfied(p1):
    h = p1.h
    iid = _registered(p1)
    _complex(p1, multi=False)
    assert "召开协调会议" not in h.task_names("qian")
    h.do("ma", "答复反馈", {"reply_mode": "oral", "reply_content": "已处理", "reply_basis": "规定",
                             "visitor_satisfied": True})
    p1.only("建立来访档案", sees=["ma"], blind=["zhao"])
    h.do("ma", "建立来访档案", {"archive_summary": "满意"})
    assert h.show(iid)["status"] == "completed"


def test_outside_the_rooms_duty_is_referred(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": False, "answerable_now": False})
    p1.only("告知转接相关部门", sees=["ma"], blind=["zhao", "sun"])
    h.do("ma", "告知转接相关部门", {"referred_to": "区交警大队", "referred_contact": "0000-1234567"})
    h.do("ma", "建立来访档案", {"archive_summary": "已转接"})
    assert h.show(iid)["status"] == "completed"
    assert p1.data(iid)["referred_to"] == "区交警大队"


def test_simple_matter_answered_on_the_spot(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": True})
    h.do("ma", "当场答复", {"reply_content": "放学时间为16:30", "visitor_satisfied": True})
    h.do("ma", "建立来访档案", {"archive_summary": "当场答复"})
    assert h.show(iid)["status"] == "completed"
    assert "调查核实" not in h.task_names("zhao")


def test_overdue_investigation_and_reply_escalate_to_the_head(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": False})
    h.do("ma", "告知答复期限并指派专人", {"informed_on": "2026-09-30", "deadline_notice": "五个工作日",
                                         "investigator_user": "zhao"})
    h.clock.set(datetime(2026, 10, 13, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    p1.only("超期督办（调查）", sees=["sun"], blind=["ma", "zhao", "wu"])
    h.do("sun", "超期督办（调查）", {"escalation_note": "立即答复"})
    h.do("zhao", "调查核实", {"findings": "查明", "multi_department": False})
    assert h.fire_due().fired == 1  # the reply is due at the same, already passed, moment
    p1.only("超期督办（答复）", sees=["sun"], blind=["ma"])
    h.do("sun", "超期督办（答复）", {"escalation_note": "当天答复"})
    h.do("ma", "答复反馈", {"reply_mode": "oral", "reply_content": "已处理", "reply_basis": "规定",
                             "visitor_satisfied": True})
    h.do("ma", "建立来访档案", {"archive_summary": "超期后答复"})
    assert h.show(iid)["status"] == "completed"


def test_staff_leaving_their_post_hand_their_claimed_task_to_a_colleague(p1):
    """§四(一)2: staff who must leave arrange for someone else to be on duty (``schoolflow cover add``)."""
    h = p1.h
    h.user("li", "接访人员")
    iid = _registered(p1)
    conversation = h.task("ma", "接访沟通记录")["id"]
    h.claim(conversation, "ma")  # ma is with the visitor: the conversation is hers
    assert "接访沟通记录" not in h.task_names("li")
    h.cover("ma", "li", datetime(2026, 9, 30, 10, 30, tzinfo=SH), datetime(2026, 9, 30, 12, 0, tzinfo=SH),
            reason="临时离岗")
    h.clock.set(datetime(2026, 9, 30, 10, 30, tzinfo=SH))
    assert h.task("li", "接访沟通记录")["on_behalf_of"] == "ma"
    p1.only("接访沟通记录", sees=["ma", "li"], blind=["zhao", "qian", "sun", "wu"])
    h.do("li", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": True})
    # the next step is the room's again, for whoever is on duty
    p1.only("当场答复", sees=["ma", "li"], blind=["zhao", "sun"])
    assert h.task("li", "当场答复")["on_behalf_of"] is None
    [done] = [(e["actor"], json.loads(e["detail"])) for e in h.show(iid)["history"]
              if e["kind"] == "task.completed" and json.loads(e["detail"])["task"] == "converse"]
    assert (done[0], done[1]["on_behalf_of"]) == ("li", "ma")
    h.do("ma", "当场答复", {"reply_content": "已答复", "visitor_satisfied": True})
    h.do("ma", "建立来访档案", {"archive_summary": "同事代为接待"})
    assert h.show(iid)["status"] == "completed"


def test_monthly_summary_is_a_schedule(p1):
    h = p1.h
    h.user("lu", "学校领导")
    h.clock.set(datetime(2026, 9, 30, 17, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    h.do("ma", "汇总分析来访情况", {"period": "2026年9月", "visits": 12, "issues": "交通"})
    p1.only("学校领导审阅", sees=["lu"], blind=["ma"])
