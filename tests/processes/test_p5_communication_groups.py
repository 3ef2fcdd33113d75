"""P5 沟通群管理事项 (processes/p5_communication_groups.bpmn): joining, leaving, announcements with the
revise and update loops, violations, and record retention (a parameter, in years)."""
from __future__ import annotations

import pytest

from engine.errors import InvalidInput, NotAllowed

BASE = {"group_name": "初二(3)班家长群", "group_kind": "class_parents", "class_name": "初二3班", "title": "事项"}


@pytest.fixture
def p5(procedure):
    p = procedure("p5_communication_groups.bpmn")
    # bzr and bzr2 share class 初二(3)班 (head teacher and deputy); bzr4 heads another class; zuzhang leads
    # the maths group, yuwen the Chinese group, nianji the grade-2 group; teacher is a maths teacher
    p.people(parent="家长", bzr="初二3班班主任", bzr2="初二3班班主任", bzr4="初二4班班主任",
             zuzhang="数学学科组组长", yuwen="语文学科组组长", nianji="初二年级组组长", teacher="数学教师",
             admin="群管理员",
             head="部门负责人", xingzheng="行政人员")
    return p


@pytest.mark.parametrize("approved", [True, False])
def test_join_request_goes_to_the_owner_of_the_groups_kind(p5, approved):
    """P5 群成员管理 / 加入群聊: a class parents' group's request reaches that class's head teachers and the
    administrators, not another class's head teacher nor a subject leader; there is no owner field to type."""
    h = p5.h
    iid = h.start("p5_group_request", "parent", {**BASE, "request_type": "join", "applicant_details": "王同学家长"})
    p5.only("审核入群申请", sees=["bzr", "bzr2", "admin"], blind=["bzr4", "zuzhang", "xingzheng", "parent"])
    h.do("bzr", "审核入群申请", {"approved": approved})
    if approved:
        p5.only("添加入群并告知群规", sees=["admin"], blind=["bzr"])
        h.do("admin", "添加入群并告知群规", {"rules_told": True})
    assert h.show(iid)["status"] == "completed"


def test_requester_cannot_name_themselves_owner_nor_approve_their_own_join_request(p5):
    """P5 群成员管理: nobody approves a request they filed -- a head teacher asking to join sees no review
    task, is refused when trying to complete it, and the request waits for another owner."""
    h = p5.h
    # there is no owner to type: naming oneself owner is refused with a sentence, no case is opened
    with pytest.raises(InvalidInput, match="group_owner"):
        h.start("p5_group_request", "parent", {**BASE, "request_type": "join", "group_owner": "parent"})
    assert p5.instances("p5_group_request") == []
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "join"})
    p5.only("审核入群申请", sees=["bzr2", "admin"], blind=["bzr", "bzr4"])
    task_id = h.task("bzr2", "审核入群申请")["id"]
    with pytest.raises(NotAllowed):
        h.complete(task_id, "bzr", {"approved": True})
    assert "审核入群申请" in h.task_names("bzr2")  # still waiting
    assert h.show(iid)["status"] == "running"
    h.do("bzr2", "审核入群申请", {"approved": True})
    assert "添加入群并告知群规" in h.task_names("admin")


@pytest.mark.parametrize(("kind", "owner", "others"), [
    ("teachers", "zuzhang", ["bzr", "xingzheng", "yuwen", "nianji"]),
    ("administration", "xingzheng", ["bzr", "zuzhang", "yuwen"])])
def test_leave_request_goes_to_the_owner_of_the_kind(p5, kind, owner, others):
    """P5 群成员管理 / 退出群聊: a work group -> the leader of that work group only (数学学科组 + 组长), not every
    subject and grade leader; administrative group -> administrative staff."""
    h = p5.h
    h.start("p5_group_request", "parent", {**BASE, "group_kind": kind, "work_group": " 数学学科组 ",
                                           "request_type": "leave", "reason": "调岗"})
    p5.only("审核退群申请", sees=[owner, "admin"], blind=[*others, "parent"])


@pytest.mark.parametrize("approved", [True, False])
def test_leave_request(p5, approved):
    """P5 退出群聊 1: the owner agrees, then the administrator removes the member."""
    h = p5.h
    iid = h.start("p5_group_request", "parent", {**BASE, "request_type": "leave", "reason": "转学"})
    p5.only("审核退群申请", sees=["bzr"], blind=["bzr4", "zuzhang"])
    h.do("bzr", "审核退群申请", {"approved": approved})
    if approved:
        h.do("admin", "移出群聊并删除相关记录", {"removed": True})
    assert h.show(iid)["status"] == "completed"


def test_announcement_waits_while_current_then_is_updated_and_revoked(p5):
    """P5 群公告管理: the drafter never reviews their own announcement; a published announcement keeps the
    case open until the owner marks it outdated; the update goes through review again."""
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "announcement"})
    for _ in range(2):  # sent back for revision twice
        h.do("bzr", "起草公告", {"announcement": "周五家长会", "school_notice": False})
        p5.only("群主审核公告", sees=["bzr2", "admin"], blind=["bzr", "bzr4", "head"])
        h.do("bzr2", "群主审核公告", {"approved": False, "review_note": "写明时间地点"})
    h.do("bzr", "起草公告", {"announcement": "周五15:00家长会", "school_notice": False})
    h.do("bzr2", "群主审核公告", {"approved": True})
    h.do("bzr", "发布公告", {"published_on": "2026-09-30", "expires_on": "2026-12-31"})
    assert h.advance(days=20).fired == 0
    assert h.show(iid)["status"] == "running"  # still current: nothing revoked by itself
    p5.only("公告有效中（过时或不再适用时处理）", sees=["bzr", "bzr2", "admin"], blind=["bzr4", "parent"])
    h.do("bzr", "公告有效中（过时或不再适用时处理）", {"outdated_action": "update", "outdated_note": "时间改了"})
    h.do("bzr", "起草公告", {"announcement": "校运会通知", "school_notice": True})
    p5.only("部门负责人审核通知", sees=["head"], blind=["bzr", "admin"])
    h.do("head", "部门负责人审核通知", {"approved": True})
    h.do("bzr", "发布公告", {"published_on": "2026-10-20", "expires_on": "2026-11-30"})
    h.do("bzr", "公告有效中（过时或不再适用时处理）", {"outdated_action": "revoke"})
    assert h.show(iid)["status"] == "completed"
    assert p5.data(iid)["announcement"] == "校运会通知"


def test_announcement_expiry_asks_the_owner_to_revoke_or_update(p5):
    """P5 群公告管理: when the expiry date passes, the current-announcement task gives way to one asking
    the owner what to do; the case ends only once it is revoked."""
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "announcement"})
    h.do("bzr", "起草公告", {"announcement": "国庆放假通知", "school_notice": False})
    h.do("bzr2", "群主审核公告", {"approved": True})
    h.do("bzr", "发布公告", {"published_on": "2026-09-30", "expires_on": "2026-10-08"})
    assert h.advance(days=7).fired == 0
    assert h.advance(days=2).fired == 1
    assert "公告有效中（过时或不再适用时处理）" not in h.task_names("bzr")
    p5.only("处理到期公告", sees=["bzr", "bzr2", "admin"], blind=["bzr4"])
    assert h.show(iid)["status"] == "running"
    h.do("bzr2", "处理到期公告", {"outdated_action": "revoke"})
    assert h.show(iid)["status"] == "completed"


def test_first_minor_violation_is_a_warning_kept_long_term_on_dispute(p5):
    """P5 违规处理 1 警告: a first, minor offence (counted 1 by the engine) gets a warning."""
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "violation", "offender": "某家长"})
    p5.only("核实违规情况", sees=["admin"], blind=["bzr"])
    assert p5.data(iid)["offence_count"] == 1
    h.do("admin", "核实违规情况", {"confirmed": True, "serious": False})
    p5.only("警告并提醒遵守群规", sees=["admin"], blind=["bzr"])
    h.do("admin", "警告并提醒遵守群规", {"warning": "请勿发广告"})
    h.do("admin", "群记录归档", {"records_kept": "聊天记录", "dispute_related": True})
    assert h.show(iid)["status"] == "completed"


def test_repeated_violation_removes_and_records_expire_after_the_retention_years(p5):
    """P5 违规处理 2 移出群聊 and 群记录管理 2: the second report about the same member of the same group is
    counted 2 from the first case's record, so the member is removed; records go after retention_years."""
    h = p5.h
    first = h.start("p5_group_request", "bzr", {**BASE, "request_type": "violation", "offender": "某家长"})
    h.do("admin", "核实违规情况", {"confirmed": True, "serious": False})
    h.do("admin", "警告并提醒遵守群规", {"warning": "请勿发广告"})
    h.do("admin", "群记录归档", {"records_kept": "聊天记录", "dispute_related": True})
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "violation", "offender": "某家长"})
    assert p5.data(iid)["offence_count"] == 2
    assert p5.data(iid)["offence_count_cases"] == h.show(first)["case_number"]
    h.do("admin", "核实违规情况", {"confirmed": True, "serious": False})
    assert "警告并提醒遵守群规" not in h.task_names("admin")
    h.do("admin", "移出群聊", {"removed": True})
    h.do("admin", "群记录归档", {"records_kept": "聊天记录", "dispute_related": False})
    assert h.advance(days=365 * 3 - 2).fired == 0
    assert h.advance(days=3).fired == 1
    p5.only("清理过期记录", sees=["admin"], blind=["bzr"])
    h.do("admin", "清理过期记录", {"purged": True})
    assert h.show(iid)["status"] == "completed"


def test_offence_count_is_computed_and_a_typed_number_cannot_lower_it(p5):
    """P5 违规处理: 第几次违规 is counted from the earlier violation reports about the same member of the
    same group (spelling variants of spaces and full-width brackets are one member and one group); a number
    typed at the start is refused and one typed into the check is ignored, so a repeat offender is removed,
    not warned. Another member, another group, or a report found untrue does not count."""
    h = p5.h
    group = {**BASE, "request_type": "violation"}
    with pytest.raises(InvalidInput, match="offender"):
        h.start("p5_group_request", "bzr", group)  # a violation report names who
    with pytest.raises(InvalidInput, match="offence_count"):
        h.start("p5_group_request", "bzr", {**group, "offender": "王某", "offence_count": 1})
    h.start("p5_group_request", "bzr", {**group, "offender": "王某"})
    untrue = h.start("p5_group_request", "parent", {**group, "offender": "王某"})  # a made-up second report
    task = next(t for t in h.tasks("admin") if t["instance_id"] == untrue)
    h.complete(task["id"], "admin", {"confirmed": False, "serious": False})
    assert p5.data(untrue)["offence_count"] == 2  # counted while open ...
    h.do("admin", "群记录归档", {"records_kept": "报告及核实记录", "dispute_related": True})
    assert h.show(untrue)["status"] == "completed"  # ... found untrue: no warning, no removal
    other_member = h.start("p5_group_request", "bzr", {**group, "offender": "李某"})
    other_group = h.start("p5_group_request", "bzr4", {**group, "group_name": "初二(4)班家长群",
                                                        "class_name": "初二4班", "offender": "王某"})
    assert p5.data(other_member)["offence_count"] == 1
    assert p5.data(other_group)["offence_count"] == 1
    iid = h.start("p5_group_request", "bzr2", {**group, "group_name": "初二（3）班 家长群", "offender": " 王 某"})
    assert p5.data(iid)["offence_count"] == 2
    task = next(t for t in h.tasks("admin") if t["instance_id"] == iid and t["name"] == "核实违规情况")
    h.complete(task["id"], "admin", {"offence_count": 1, "confirmed": True, "serious": False})  # typed: ignored
    assert p5.data(iid)["offence_count"] == 2
    assert any(t["instance_id"] == iid and t["name"] == "移出群聊" for t in h.tasks("admin"))
    assert not any(t["instance_id"] == iid and t["name"] == "警告并提醒遵守群规" for t in h.tasks("admin"))


def test_class_routing_needs_the_class_and_a_head_teacher_alone_goes_to_the_administrators(p5):
    """P5 群成员管理 (班级家长群→班主任): a class parents' group request must name its class; the sole head
    teacher of 初二4班 asking to leave that group never reviews it -- an administrator does."""
    h = p5.h
    with pytest.raises(InvalidInput, match="class_name"):
        h.start("p5_group_request", "parent", {**BASE, "class_name": None, "request_type": "join"})
    h.start("p5_group_request", "bzr4", {**BASE, "class_name": "初二4班", "request_type": "leave",
                                         "reason": "不再担任班主任"})
    p5.only("审核退群申请", sees=["admin"], blind=["bzr4", "bzr", "bzr2"])
    h.do("admin", "审核退群申请", {"approved": True})
    h.do("admin", "移出群聊并删除相关记录", {"removed": True})


def test_work_group_request_reaches_that_groups_leader_never_the_requester(p5):
    """P5 群成员管理 (教师工作群→学科组长或年级组长): a work group's request names its work group, reaches the
    leader of that group (初二年级组组长) and the administrators only; the leader filing one never reviews it."""
    h = p5.h
    work = {**BASE, "group_name": "初二年级组工作群", "group_kind": "teachers", "class_name": None}
    with pytest.raises(InvalidInput, match="work_group"):
        h.start("p5_group_request", "teacher", {**work, "request_type": "join"})
    iid = h.start("p5_group_request", "teacher", {**work, "work_group": "初二年级组", "request_type": "join"})
    p5.only("审核入群申请", sees=["nianji", "admin"], blind=["zuzhang", "yuwen", "bzr", "teacher"])
    h.do("nianji", "审核入群申请", {"approved": True})
    h.do("admin", "添加入群并告知群规", {"rules_told": True})
    assert h.show(iid)["status"] == "completed"
    # the grade leader's own leave request: only the administrators may decide it
    h.start("p5_group_request", "nianji", {**work, "work_group": "初二年级组", "request_type": "leave",
                                           "reason": "调往初三"})
    p5.only("审核退群申请", sees=["admin"], blind=["nianji", "zuzhang", "yuwen"])
    with pytest.raises(NotAllowed):
        h.complete(h.task("admin", "审核退群申请")["id"], "nianji", {"approved": True})


def test_announcement_of_a_class_nobody_heads_is_published_and_retired_by_an_administrator(p5):
    """P5 群公告管理 / 加入群聊 (群主或管理员): for a class with no head-teacher group yet, review, publishing,
    the current announcement and its expiry all reach the group administrators, so no case waits on
    nobody; the drafter still reviews nothing, and other classes' head teachers see none of it."""
    h = p5.h
    iid = h.start("p5_group_request", "parent", {**BASE, "group_name": "初一1班家长群", "class_name": "初一1班",
                                                 "request_type": "announcement"})
    h.do("parent", "起草公告", {"announcement": "班级开放日", "school_notice": False})
    p5.only("群主审核公告", sees=["admin"], blind=["parent", "bzr", "bzr4"])
    h.do("admin", "群主审核公告", {"approved": True})
    p5.only("发布公告", sees=["admin"], blind=["bzr", "bzr4", "parent"])
    h.do("admin", "发布公告", {"published_on": "2026-09-30", "expires_on": "2026-10-08"})
    p5.only("公告有效中（过时或不再适用时处理）", sees=["admin"], blind=["bzr", "parent"])
    assert h.advance(days=9).fired == 1
    p5.only("处理到期公告", sees=["admin"], blind=["bzr", "parent"])
    h.do("admin", "处理到期公告", {"outdated_action": "revoke"})
    assert h.show(iid)["status"] == "completed"


def test_a_comma_in_the_typed_work_group_cannot_add_a_group_of_the_requesters_choosing(p5):
    """P5 群成员管理: the owner group is built from a typed name; a comma in it does not split it into two
    groups, so "数学学科组,行政人员" reaches neither the maths leader nor the administrative staff."""
    h = p5.h
    h.start("p5_group_request", "teacher", {**BASE, "group_kind": "teachers", "class_name": None,
                                            "work_group": "初二年级组组长,行政人员", "request_type": "join"})
    p5.only("审核入群申请", sees=["admin"], blind=["xingzheng", "nianji", "zuzhang", "teacher"])
