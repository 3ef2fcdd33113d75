"""P1.8 接访室档案查阅 (processes/p1_archive_access.bpmn): approved and refused requests."""
from __future__ import annotations

import pytest

REQUEST = {"applicant_name": "何老师", "applicant_department": "德育处", "title": "核查来访记录",
           "requested_records": "JF-2026-000001", "requested_on": "2026-10-09"}


@pytest.fixture
def p18(procedure):
    p = procedure("p1_archive_access.bpmn")
    p.people(he="德育处", yan="德育处", sun="接访室负责人", ma="接访人员")
    return p


def test_approved_access_is_read_in_the_room_and_logged(p18):
    h = p18.h
    iid = h.start("p1_archive_access", "he")
    p18.only("填写档案查阅申请表", sees=["he"], blind=["yan", "sun", "ma"])
    h.do("he", "填写档案查阅申请表", REQUEST)
    p18.only("审批查阅申请", sees=["sun"], blind=["he", "ma"])
    h.do("sun", "审批查阅申请", {"access_approved": True, "approval_opinion": "同意，限当日"})
    p18.only("现场查阅并登记", sees=["ma"], blind=["he", "sun"])
    h.do("ma", "现场查阅并登记", {"read_on": "2026-10-09", "records_shown": "JF-2026-000001",
                                  "read_only_kept": True, "access_log": "09:00-09:30 阅览"})
    assert h.show(iid)["status"] == "completed"
    case = p18.case(iid)
    assert case.number.startswith("DA-2026-") and case.title == "核查来访记录"
    assert p18.data(iid)["access_log"] == "09:00-09:30 阅览"


def test_refused_access_is_told_to_the_applicant_only(p18):
    h = p18.h
    iid = h.start("p1_archive_access", "he")
    h.do("he", "填写档案查阅申请表", REQUEST)
    h.do("sun", "审批查阅申请", {"access_approved": False, "approval_opinion": "理由不充分"})
    p18.only("知悉未获批准", sees=["he"], blind=["yan", "ma", "sun"])
    h.do("he", "知悉未获批准", {"rejection_acknowledged": True})
    assert h.show(iid)["status"] == "completed"
    assert "现场查阅并登记" not in h.task_names("ma")


def test_nobody_approves_or_supervises_their_own_archive_access(p18):
    """P1 §六(四)1: the head of the room asking to read the archive waits for another head's approval, and
    a reception staff member's own reading is logged by a colleague."""
    from engine.errors import NotAllowed

    h = p18.h
    h.user("lu", "接访室负责人")
    h.user("niu", "接访人员")
    h.start("p1_archive_access", "sun")
    h.do("sun", "填写档案查阅申请表", REQUEST)
    p18.only("审批查阅申请", sees=["lu"], blind=["sun"])
    with pytest.raises(NotAllowed):
        h.complete(h.task("lu", "审批查阅申请")["id"], "sun", {"access_approved": True, "approval_opinion": "同意"})
    h.do("lu", "审批查阅申请", {"access_approved": True, "approval_opinion": "同意"})
    h.start("p1_archive_access", "ma")
    h.do("ma", "填写档案查阅申请表", REQUEST)
    h.do("sun", "审批查阅申请", {"access_approved": True, "approval_opinion": "同意"})
    assert h.task_names("ma") == ["现场查阅并登记"]  # only sun's case: ma logs that one
    assert h.task_names("niu").count("现场查阅并登记") == 2
