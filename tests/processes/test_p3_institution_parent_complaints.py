"""P3 教育机构家长投诉处理 (processes/p3_institution_parent_complaints.bpmn): priority, special team,
follow-up until done, the review (复议) loop, overdue measures; the accused teacher sees nothing."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.errors import NotFound

SH = ZoneInfo("Asia/Shanghai")
START = {"complainant_name": "林女士", "complainant_phone": "13700000000", "channel": "wechat",
         "accused_department": "教学部", "accused_name": "周老师", "accused_user": "zhoulaoshi",
         "title": "课堂上讽刺学生", "complaint_detail": "孩子多次被点名讽刺"}
PLAN = {"rectification": "教师书面致歉", "accountability": "扣绩效", "measure_owner": "gao",
        "measure_due": "2026-10-20"}


@pytest.fixture
def p3(procedure):
    p = procedure("p3_institution_parent_complaints.bpmn")
    p.people(tan="投诉受理人员", gao=("责任部门", "教学部"), zhoulaoshi=("责任部门", "教学部"), fang="专项处理小组",
             bai="复议小组", guan="管理层", hou="后勤部")
    return p


def _accept(p3, severity="high", urgency="high", scope="class") -> int:
    h = p3.h
    iid = h.start("p3_parent_complaint", "tan", START)
    h.do("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teacher_behaviour", "severity": severity,
                            "urgency": urgency, "scope": scope})
    return iid


def _finish(p3, iid: int, rounds_unsatisfied: int = 0) -> None:
    h = p3.h
    for r in range(rounds_unsatisfied + 1):
        h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                                   "special_team": False})
        p3.only("责任部门调查核实", sees=["gao"], blind=["zhoulaoshi", "tan", "fang"])
        h.do("gao", "责任部门调查核实", {"findings": "属实", "statements": "双方陈述", "founded": True})
        h.do("gao", "制定处理方案", PLAN)
        p3.only("反馈处理结果", sees=["tan"], blind=["zhoulaoshi"])
        h.do("tan", "反馈处理结果", {"feedback_content": "已整改", "feedback_on": "2026-10-09"})
        h.do("gao", "落实整改措施", {"progress": "已致歉", "measures_done": True})
        satisfied = r == rounds_unsatisfied
        h.do("tan", "确认满意度", {"satisfaction": "satisfied" if satisfied else "unsatisfied"})
        if not satisfied:
            p3.only("复议", sees=["bai"], blind=["tan", "gao", "zhoulaoshi"])
            h.do("bai", "复议", {"review_opinion": f"第{r + 1}次复议：重新调查"})
    h.do("tan", "归档与分析", {"hot_issue": "教师言行", "analysis": "加强师德培训"})
    assert h.show(iid)["status"] == "completed"


def test_priority_from_severity_urgency_and_scope(p3):
    h = p3.h
    _accept(p3, "high", "high", "institution")
    _accept(p3, "low", "low", "individual")
    tasks = sorted(h.tasks("tan"), key=lambda t: -t["priority"])
    assert [t["priority"] for t in tasks] == [100, 20]


def test_special_team_then_review_twice_then_satisfied(p3):
    h = p3.h
    iid = _accept(p3)
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                               "special_team": True})
    p3.only("专项小组调查核实", sees=["fang"], blind=["gao", "zhoulaoshi", "tan"])
    assert h.task("fang", "专项小组调查核实")["priority"] == 90
    h.do("fang", "专项小组调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    for _ in range(2):  # follow-up until done
        p3.only("落实整改措施", sees=["gao"], blind=["zhoulaoshi", "fang"])
        assert h.task("gao", "落实整改措施")["due_at"] == "2026-10-20T17:30:00+08:00"
        h.do("gao", "落实整改措施", {"progress": "进行中", "measures_done": False})
    h.do("gao", "落实整改措施", {"progress": "完成", "measures_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "unsatisfied"})
    h.do("bai", "复议", {"review_opinion": "重新处理"})
    _finish(p3, iid, rounds_unsatisfied=1)  # a second review, then satisfied
    case = p3.case(iid)
    assert case.number.startswith("JG-2026-") and case.category == "teacher_behaviour" and case.channel == "wechat"
    data = p3.data(iid)
    assert data["satisfaction"] == "satisfied" and data["review_opinion"] == "第1次复议：重新调查"
    p3.nothing("zhoulaoshi")


def test_overdue_measure_is_escalated_to_management(p3):
    h = p3.h
    iid = _accept(p3)
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                               "special_team": False})
    assert h.task("gao", "责任部门调查核实")["due_at"] == "2026-10-13T17:30:00+08:00"
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    h.clock.set(datetime(2026, 10, 20, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    p3.only("督促逾期整改", sees=["guan"], blind=["gao", "zhoulaoshi", "tan"])
    h.do("guan", "督促逾期整改", {"escalation_note": "本周内完成"})
    h.do("gao", "落实整改措施", {"progress": "完成", "measures_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "very"})
    h.do("tan", "归档与分析", {"analysis": "按期整改"})
    assert h.show(iid)["status"] == "completed"


def test_the_parent_follows_the_case_to_its_result_with_the_tracking_code(p3):
    """Clause 10 (信息透明): progress and result, never who handles it or what the staff wrote down."""
    h = p3.h
    iid, number, code = h.start_tracked("p3_parent_complaint", "tan", START)
    view = h.track(number, code)
    assert (view.status_text, view.current, view.result) == ("已受理", ["受理登记"], [])
    h.do("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teacher_behaviour", "severity": "high",
                            "urgency": "high", "scope": "class"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "教学主任",
                               "special_team": False})
    h.do("gao", "责任部门调查核实", {"findings": "课堂录像证实讽刺", "statements": "周老师承认", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    view = h.track(number, code)
    assert (view.status_text, view.current, view.result) == ("处理中", ["反馈处理结果"], [])

    h.do("tan", "反馈处理结果", {"feedback_content": "经调查属实，教师已书面致歉",
                                "feedback_on": "2026-10-09"})
    view = h.track(number, code)
    assert [(v.label, v.value) for v in view.result] == [
        ("向投诉人说明的调查情况、处理措施和后续安排（不属实的说明理由）", "经调查属实，教师已书面致歉")]
    h.do("gao", "落实整改措施", {"progress": "已致歉", "measures_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "unsatisfied",
                               "complainant_opinion": "希望更换任课老师"})
    h.do("bai", "复议", {"review_opinion": "重新调查"})
    _finish(p3, iid)  # a second round, the parent satisfied this time, then archived

    view = h.track(number, code)
    out = view.to_json()
    assert (out["case_number"], out["procedure"], out["status_text"]) == (
        number, "教育机构家长投诉处理", "已办结")
    assert out["closed_at"] is not None and out["current"] == []
    names = [s["name"] for s in out["stages"]]
    assert names[:8] == ["受理登记", "分配处理责任", "责任部门调查核实", "制定处理方案", "反馈处理结果",
                         "落实整改措施", "确认满意度", "复议"]
    assert names[8:] == ["分配处理责任", "责任部门调查核实", "制定处理方案", "反馈处理结果", "落实整改措施",
                         "确认满意度", "归档与分析"]
    assert {v["id"]: v["value"] for v in out["result"]} == {
        "feedback_content": "已整改", "satisfaction": "满意"}
    shown = json.dumps(out, ensure_ascii=False)
    for hidden in ("tan", "gao", "bai", "zhoulaoshi", "周老师", "林女士", "13700000000", "课堂录像",
                   "重新调查", "扣绩效", "希望更换任课老师", "投诉受理人员", "责任部门\""):
        assert hidden not in shown
    with pytest.raises(NotFound):
        h.track(number, "0000-0000-0000")


def _assigned(p3, department="教学部", special_team=False) -> int:
    iid = _accept(p3)
    p3.h.do("tan", "分配处理责任", {"responsible_department": department, "responsible_post": "主任",
                                  "special_team": special_team})
    return iid


def test_investigation_reaches_the_named_department_only(p3):
    """P3 四 责任分配: the task goes to the group of the department named at assignment."""
    _assigned(p3, department="后勤部")
    p3.only("责任部门调查核实", sees=["hou"], blind=["gao", "tan", "fang", "zhoulaoshi"])


@pytest.mark.parametrize(("team", "task", "escalation"), [
    (False, "责任部门调查核实", "督办超期调查"), (True, "专项小组调查核实", "督办超期专项调查")])
def test_overdue_investigation_escalates_counting_from_receipt(p3, team, task, escalation):
    """P3 五: received Wed 2026-09-30, five working days fall on 13 October 17:30 (holidays, 调休) for the
    department and the special team alike; then management is asked to chase it, once."""
    h = p3.h
    _assigned(p3, special_team=team)
    who = "fang" if team else "gao"
    assert h.task(who, task)["due_at"] == "2026-10-13T17:30:00+08:00"
    h.clock.set(datetime(2026, 10, 13, 17, 0, tzinfo=SH))
    assert h.fire_due().fired == 0
    assert h.advance(hours=1).fired == 1
    p3.only(escalation, sees=["guan"], blind=["gao", "fang", "tan", "zhoulaoshi"])
    assert task in h.task_names(who)  # the investigation goes on
    h.do("guan", escalation, {"escalation_note": "三日内完成调查"})
    assert escalation not in h.task_names("guan")  # chased once, done
    assert h.advance(days=1).fired == 0


def test_unfounded_complaint_is_explained_without_a_plan(p3):
    """P3 六: an unfounded complaint needs no rectification plan, owner or date: the parent is told why,
    then asked about satisfaction."""
    h = p3.h
    iid, number, code = h.start_tracked("p3_parent_complaint", "tan", START)
    h.do("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teaching", "severity": "low",
                            "urgency": "low", "scope": "individual"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "主任",
                               "special_team": False})
    h.do("gao", "责任部门调查核实", {"findings": "录像显示无讽刺言行", "founded": False})
    assert "制定处理方案" not in h.task_names("gao")
    h.do("tan", "反馈处理结果", {"feedback_content": "经查看课堂录像，未发现讽刺言行", "feedback_on": "2026-10-09"})
    assert "落实整改措施" not in h.task_names("gao")
    p3.only("确认满意度", sees=["tan"], blind=["gao"])
    told = {v.id: v.value for v in h.track(number, code).result}
    assert told["feedback_content"] == "经查看课堂录像，未发现讽刺言行"
    h.do("tan", "确认满意度", {"satisfaction": "satisfied"})
    h.do("tan", "归档与分析", {"analysis": "不属实"})
    assert h.show(iid)["status"] == "completed"


def test_measures_past_their_date_escalate_once_however_many_follow_ups(p3):
    """P3 七: three follow-up rounds after the measures' due date give one reminder, not one per round."""
    h = p3.h
    _assigned(p3)
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    h.clock.set(datetime(2026, 10, 21, 9, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    for _ in range(3):
        h.do("gao", "落实整改措施", {"progress": "进行中", "measures_done": False})
        h.advance(days=1)
    assert h.task_names("guan").count("督促逾期整改") == 1
    assert h.task("gao", "落实整改措施")["overdue"] is True  # still shown as overdue


def test_satisfaction_alone_decides_review(p3):
    """P3 八: 'neutral' cannot be recorded as resolved; there is no second yes/no that could contradict it."""
    from engine.errors import InvalidInput

    h = p3.h
    _assigned(p3)
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "已整改", "feedback_on": "2026-10-09"})
    h.do("gao", "落实整改措施", {"progress": "完成", "measures_done": True})
    with pytest.raises(InvalidInput, match="satisfied"):
        h.do("tan", "确认满意度", {"satisfaction": "neutral", "satisfied": True})
    h.do("tan", "确认满意度", {"satisfaction": "neutral"})
    p3.only("复议", sees=["bai"], blind=["tan"])
