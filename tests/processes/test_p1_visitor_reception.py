"""P1 来访接待 (processes/p1_visitor_reception.bpmn): registration loop, scope, simple and complex
handling, coordination, dissatisfied visitor, overdue escalations, important cases, and the monthly summary
on the school calendar with counts the engine computes."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidInput

FILE = "p1_visitor_reception.bpmn"
SH = ZoneInfo("Asia/Shanghai")
PARTIAL = {"title": "校门口交通拥堵"}
FULL = {"visitor_name": "陈先生", "visitor_gender": "male", "visitor_identity": "resident",
        "visitor_phone": "13900000000", "visited_at": "2026-09-30 09:40", "title": "校门口交通拥堵"}
CONVERSE = {"problem_description": "上下学时段车辆拥堵", "visitor_agitated": True, "visitor_calmed": True}
# Received Wednesday 30 September 2026 at 10:00; 1–7 October are holidays and Saturday 10 October a working
# day, so five working days from receipt end on Tuesday 13 October at 17:30.
REPLY_DUE = "2026-10-13T17:30:00+08:00"


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
        h.do("ma", "填写来访登记表", {**FULL, "visitor_phone": "139"})
        h.do("ma", "审核登记表", {"registration_complete": False, "missing_items": "电话号码不全"})
    h.do("ma", "填写来访登记表", FULL)
    h.do("ma", "审核登记表", {"registration_complete": True})
    p1.only("接访沟通记录", sees=["ma"], blind=["zhao", "qian", "sun", "wu"])
    return iid


def _complex(p1, multi: bool) -> None:
    h = p1.h
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": False})
    h.do("ma", "告知答复期限并指派专人", {"deadline_told": True, "investigator_user": "zhao"})
    p1.only("调查核实", sees=["zhao"], blind=["wu", "ma", "qian", "sun"])  # the designated person only
    assert h.task("zhao", "调查核实")["due_at"] == REPLY_DUE
    h.do("zhao", "调查核实", {"findings": "与交警协调", "multi_department": multi})


def test_registration_form_requires_every_item_of_the_register_and_a_visit_time(p1):
    """§二(一): 姓名、性别、身份、电话、来访时间、事由 are all asked for; 来访时间 has a time of day."""
    h = p1.h
    h.start("p1_visit", "ma")
    task = h.task("ma", "填写来访登记表")
    required = {f["id"] for f in task["form"] if f["required"]}
    assert required == {"visitor_name", "visitor_gender", "visitor_identity", "visitor_phone", "visited_at",
                        "title"}
    assert [f.get("with_time") for f in task["form"] if f["id"] == "visited_at"] == [True]
    with pytest.raises(InvalidInput, match="visitor_name: this field is required"):
        h.do("ma", "填写来访登记表", PARTIAL)
    with pytest.raises(InvalidInput, match="visited_at: must be a date and a time of day"):
        h.do("ma", "填写来访登记表", {**FULL, "visited_at": "2026-09-30"})
    assert h.task_names("ma") == ["填写来访登记表"]  # refused forms lose nothing and move nothing
    h.do("ma", "填写来访登记表", FULL)
    h.do("ma", "审核登记表", {"registration_complete": True})
    [iid] = [i.id for i in p1.instances("p1_visit")]
    assert p1.data(iid)["visited_at"] == "2026-09-30T09:40"


def test_the_reply_deadline_told_to_the_visitor_is_computed_from_receipt(p1):
    """§二(三)1, §二(四)1: the visitor is told the deadline, reply_days working days from receipt; typing a
    later date or taking days to assign the case does not move it."""
    h = p1.h
    _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": False})
    h.clock.set(datetime(2026, 10, 9, 9, 0, tzinfo=SH))  # the case sat over the holiday
    assign = h.task("ma", "告知答复期限并指派专人")
    [told] = [f for f in assign["form"] if f["id"] == "reply_deadline"]
    assert (told["readonly"], told["value"]) == (True, "2026-10-13T17:30+08:00")
    h.do("ma", "告知答复期限并指派专人", {"deadline_told": True, "investigator_user": "zhao",
                                         "reply_deadline": "2026-12-31"})  # read-only: ignored
    assert h.task("zhao", "调查核实")["due_at"] == REPLY_DUE


def test_complex_visit_with_coordination_and_a_dissatisfied_visitor(p1):
    h = p1.h
    iid = _registered(p1)
    _complex(p1, multi=True)
    # §二(三)3: the reception staff organise the meeting of the departments involved
    p1.only("组织召开协调会议", sees=["ma"], blind=["zhao", "qian", "sun"])
    h.do("ma", "组织召开协调会议", {"departments": "总务处、安保处", "duties": "安保处疏导", "joint_solution": "错峰放学"})
    p1.only("答复反馈", sees=["ma"], blind=["zhao", "qian"])
    h.do("ma", "答复反馈", {"reply_mode": "written", "reply_content": "错峰放学", "reply_basis": "学校安全管理制度",
                             "visitor_satisfied": False})
    p1.only("听取意见并告知申诉途径", sees=["ma"], blind=["sun"])
    h.do("ma", "听取意见并告知申诉途径", {"visitor_opinion": "希望增加交警", "appeal_route": "向区教育局申诉"})
    h.do("ma", "建立来访档案", {"archive_summary": "已答复", "important_case": True})
    # §二(四)3 (重要或典型案例单独建档): the head of the room files it apart, kept long
    p1.only("重要案例单独建档", sees=["sun"], blind=["ma", "zhao", "qian"])
    h.do("sun", "重要案例单独建档", {"important_file_number": "ZD-2026-01", "retention": "permanent"})
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
    assert "组织召开协调会议" not in h.task_names("ma")
    h.do("ma", "答复反馈", {"reply_mode": "oral", "reply_content": "已处理", "reply_basis": "规定",
                             "visitor_satisfied": True})
    p1.only("建立来访档案", sees=["ma"], blind=["zhao"])
    h.do("ma", "建立来访档案", {"archive_summary": "满意", "important_case": False})
    assert h.show(iid)["status"] == "completed"
    p1.nothing("sun")  # an ordinary case is not filed apart


def test_outside_the_rooms_duty_is_referred(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": False, "answerable_now": False})
    p1.only("告知转接相关部门", sees=["ma"], blind=["zhao", "sun"])
    h.do("ma", "告知转接相关部门", {"referred_to": "区交警大队", "referred_contact": "0000-1234567"})
    h.do("ma", "建立来访档案", {"archive_summary": "已转接", "important_case": False})
    assert h.show(iid)["status"] == "completed"
    assert p1.data(iid)["referred_to"] == "区交警大队"


def test_simple_matter_answered_on_the_spot(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": True})
    h.do("ma", "当场答复", {"reply_content": "放学时间为16:30", "visitor_satisfied": True})
    h.do("ma", "建立来访档案", {"archive_summary": "当场答复", "important_case": False})
    assert h.show(iid)["status"] == "completed"
    assert "调查核实" not in h.task_names("zhao")


def test_overdue_investigation_and_reply_escalate_to_the_head(p1):
    h = p1.h
    iid = _registered(p1)
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": False})
    h.do("ma", "告知答复期限并指派专人", {"deadline_told": True, "investigator_user": "zhao"})
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
    h.do("ma", "建立来访档案", {"archive_summary": "超期后答复", "important_case": False})
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
    h.do("ma", "建立来访档案", {"archive_summary": "同事代为接待", "important_case": False})
    assert h.show(iid)["status"] == "completed"


def test_monthly_summary_fires_on_the_last_working_day_with_the_counts_computed(p1):
    """§三(二)5: each month, on its last working day, the staff report to the leaders counts the engine
    took from the case records; 31 October 2026 is a Saturday, so October's falls on Friday 30."""
    h = p1.h
    h.user("lu", "学校领导")
    done = h.start("p1_visit", "ma")
    h.do("ma", "填写来访登记表", FULL)
    h.do("ma", "审核登记表", {"registration_complete": True})
    h.do("ma", "接访沟通记录", {**CONVERSE, "in_scope": True, "answerable_now": True})
    h.do("ma", "当场答复", {"reply_content": "已答复", "visitor_satisfied": False})
    h.do("ma", "听取意见并告知申诉途径", {"visitor_opinion": "不认可", "appeal_route": "区教育局"})
    h.do("ma", "建立来访档案", {"archive_summary": "当场答复", "important_case": False})
    assert h.show(done)["status"] == "completed"
    _registered(p1)  # a second visit, still open

    h.clock.set(datetime(2026, 9, 30, 17, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    task = h.task("ma", "汇总分析来访情况")
    shown = {f["id"]: f["value"] for f in task["form"] if f["readonly"]}
    assert (shown["stat_received"], shown["stat_closed"], shown["stat_open"], shown["stat_dissatisfied"]) == (
        2, 1, 1, 1)
    assert shown["stat_by_status"] == "处理中 1；已办结 1"  # equal counts: by name
    h.do("ma", "汇总分析来访情况", {"stat_received": 99, "issues": "交通"})  # the counts cannot be typed over
    [summary] = p1.instances("p1_summary")
    assert p1.data(summary.id)["stat_received"] == 2  # kept with the report case
    p1.only("学校领导审阅", sees=["lu"], blind=["ma"])
    h.do("lu", "学校领导审阅", {"leader_remarks": "加强疏导"})
    assert h.show(summary.id)["status"] == "completed"

    h.clock.set(datetime(2026, 10, 30, 16, 59, tzinfo=SH))
    assert h.fire_due().started == 0
    assert h.advance(minutes=2).started == 1  # Friday 30 October, 17:00
    assert h.advance(days=1).started == 0  # nothing on Saturday 31 October
