"""P5 沟通群管理事项 (processes/p5_communication_groups.bpmn): joining, leaving, announcements with the
revise and update loops, violations, and record retention (a parameter, in years)."""
from __future__ import annotations

import pytest

BASE = {"group_name": "初二(3)班家长群", "group_kind": "class_parents", "group_owner": "bzr",
        "title": "事项"}


@pytest.fixture
def p5(procedure):
    p = procedure("p5_communication_groups.bpmn")
    p.people(parent="家长", bzr="班主任", other_teacher="班主任", admin="群管理员", head="部门负责人")
    return p


@pytest.mark.parametrize("approved", [True, False])
def test_join_request(p5, approved):
    h = p5.h
    iid = h.start("p5_group_request", "parent", {**BASE, "request_type": "join", "applicant_details": "王同学家长"})
    p5.only("审核入群申请", sees=["bzr", "admin"], blind=["other_teacher", "parent"])
    h.do("bzr", "审核入群申请", {"approved": approved})
    if approved:
        p5.only("添加入群并告知群规", sees=["admin"], blind=["bzr"])
        h.do("admin", "添加入群并告知群规", {"rules_told": True})
    assert h.show(iid)["status"] == "completed"


@pytest.mark.parametrize("approved", [True, False])
def test_leave_request(p5, approved):
    h = p5.h
    iid = h.start("p5_group_request", "parent", {**BASE, "request_type": "leave", "reason": "转学"})
    p5.only("审核退群申请", sees=["bzr"], blind=["admin", "other_teacher"])
    h.do("bzr", "审核退群申请", {"approved": approved})
    if approved:
        h.do("admin", "移出群聊并删除相关记录", {"removed": True})
    assert h.show(iid)["status"] == "completed"


def test_announcement_revised_twice_updated_then_revoked(p5):
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "announcement"})
    for _ in range(2):  # sent back for revision twice
        h.do("bzr", "起草公告", {"announcement": "周五家长会", "school_notice": False})
        p5.only("群主审核公告", sees=["bzr"], blind=["other_teacher", "head"])
        h.do("bzr", "群主审核公告", {"approved": False, "review_note": "写明时间地点"})
    h.do("bzr", "起草公告", {"announcement": "周五15:00家长会", "school_notice": False})
    h.do("bzr", "群主审核公告", {"approved": True})
    h.do("bzr", "发布并维护公告", {"published_on": "2026-10-09", "outdated_action": "update"})
    h.do("bzr", "起草公告", {"announcement": "校运会通知", "school_notice": True})
    p5.only("部门负责人审核通知", sees=["head"], blind=["bzr", "admin"])
    h.do("head", "部门负责人审核通知", {"approved": True})
    h.do("bzr", "发布并维护公告", {"published_on": "2026-10-12", "outdated_action": "revoke"})
    assert h.show(iid)["status"] == "completed"
    assert p5.data(iid)["announcement"] == "校运会通知"


def test_first_minor_violation_is_a_warning_kept_long_term_on_dispute(p5):
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "violation"})
    h.do("admin", "核实违规情况", {"offender": "某家长", "offence_count": 1, "serious": False})
    p5.only("警告并提醒遵守群规", sees=["admin"], blind=["bzr"])
    h.do("admin", "警告并提醒遵守群规", {"warning": "请勿发广告"})
    h.do("admin", "群记录归档", {"records_kept": "聊天记录", "dispute_related": True})
    assert h.show(iid)["status"] == "completed"


def test_repeated_violation_removes_and_records_expire_after_the_retention_years(p5):
    h = p5.h
    iid = h.start("p5_group_request", "bzr", {**BASE, "request_type": "violation"})
    h.do("admin", "核实违规情况", {"offender": "某家长", "offence_count": 2, "serious": False})
    h.do("admin", "移出群聊", {"removed": True})
    h.do("admin", "群记录归档", {"records_kept": "聊天记录", "dispute_related": False})
    assert h.advance(days=365 * 3 - 2).fired == 0
    assert h.advance(days=3).fired == 1
    p5.only("清理过期记录", sees=["admin"], blind=["bzr"])
    h.do("admin", "清理过期记录", {"purged": True})
    assert h.show(iid)["status"] == "completed"
