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
PLAN = {"rectification": "教师书面致歉", "accountability": "扣绩效", "measure_1": "书面致歉",
        "measure_1_owner": "gao", "measure_1_due": "2026-10-20"}


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
        h.do("gao", "落实措施1", {"progress_1": "已致歉", "measure_1_done": True})
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
        p3.only("落实措施1", sees=["gao"], blind=["zhoulaoshi", "fang"])
        assert h.task("gao", "落实措施1")["due_at"] == "2026-10-20T17:30:00+08:00"
        h.do("gao", "落实措施1", {"progress_1": "进行中", "measure_1_done": False})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
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
    p3.only("督促逾期措施1", sees=["guan"], blind=["gao", "zhoulaoshi", "tan"])
    h.do("guan", "督促逾期措施1", {"escalation_note": "本周内完成"})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
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
    h.do("gao", "落实措施1", {"progress_1": "已致歉", "measure_1_done": True})
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
                         "落实措施1", "确认满意度", "复议"]
    assert names[8:] == ["分配处理责任", "责任部门调查核实", "制定处理方案", "反馈处理结果", "落实措施1",
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
    h.do(who, task, {"findings": "督办后查清", "founded": True})  # the chased work goes on to its answer
    p3.only("制定处理方案", sees=["gao"], blind=["guan", "zhoulaoshi"])


def test_unfounded_complaint_still_gets_a_plan_with_a_measure_owner_and_date(p3):
    """P3 六/七 (不属实): an unfounded complaint is explained to the parent, but a plan with an improvement,
    its owner and date is still required, and followed up before satisfaction is asked."""
    from engine.errors import InvalidInput

    h = p3.h
    iid, number, code = h.start_tracked("p3_parent_complaint", "tan", START)
    h.do("tan", "受理登记", {"accepted_on": "2026-09-30", "category": "teaching", "severity": "low",
                            "urgency": "low", "scope": "individual"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "主任",
                               "special_team": False})
    h.do("gao", "责任部门调查核实", {"findings": "录像显示无讽刺言行", "founded": False})
    assert "制定处理方案" not in h.task_names("gao")
    p3.only("说明不属实并制定改进方案", sees=["gao"], blind=["tan", "zhoulaoshi"])
    with pytest.raises(InvalidInput) as refused:
        h.do("gao", "说明不属实并制定改进方案", {"unfounded_reason": "课堂录像无讽刺言行"})
    assert set(refused.value.field_errors) == {"rectification", "measure_1", "measure_1_owner", "measure_1_due"}
    h.do("gao", "说明不属实并制定改进方案", {
        "unfounded_reason": "课堂录像无讽刺言行", "rectification": "班主任与家长面谈说明",
        "measure_1": "面谈并提供录像片段", "measure_1_owner": "gao", "measure_1_due": "2026-10-16"})
    h.do("tan", "反馈处理结果", {"feedback_content": "经查看课堂录像，未发现讽刺言行", "feedback_on": "2026-10-09"})
    assert "确认满意度" not in h.task_names("tan")  # the improvement is followed up first
    assert h.task("gao", "落实措施1")["due_at"] == "2026-10-16T17:30:00+08:00"
    h.do("gao", "落实措施1", {"progress_1": "已面谈", "measure_1_done": True})
    p3.only("确认满意度", sees=["tan"], blind=["gao"])
    told = {v.id: v.value for v in h.track(number, code).result}
    assert told["feedback_content"] == "经查看课堂录像，未发现讽刺言行"
    h.do("tan", "确认满意度", {"satisfaction": "satisfied"})
    h.do("tan", "归档与分析", {"analysis": "不属实"})
    assert h.show(iid)["status"] == "completed"


TWO_MEASURES = {**PLAN, "measure_2": "调整座位并加强课堂巡查", "measure_2_owner": "hou", "measure_2_due": "2026-10-15"}


def _planned(p3, plan) -> int:
    iid = _assigned(p3)
    p3.h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    p3.h.do("gao", "制定处理方案", plan)
    p3.h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    return iid


def test_each_measure_has_its_own_owner_date_and_reminder(p3):
    """P3 七 (措施有责任人和日期): two measures, two owners, two dates: each owner sees only their measure,
    due on its own date; only the late one is chased; satisfaction waits for both."""
    h = p3.h
    iid = _planned(p3, TWO_MEASURES)
    p3.only("落实措施1", sees=["gao"], blind=["hou", "tan", "zhoulaoshi"])
    p3.only("落实措施2", sees=["hou"], blind=["gao", "tan", "zhoulaoshi"])
    assert h.task("gao", "落实措施1")["due_at"] == "2026-10-20T17:30:00+08:00"
    assert h.task("hou", "落实措施2")["due_at"] == "2026-10-15T17:30:00+08:00"
    h.do("gao", "落实措施1", {"progress_1": "已致歉", "measure_1_done": True})
    assert "确认满意度" not in h.task_names("tan")  # measure 2 is still open
    h.clock.set(datetime(2026, 10, 15, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    p3.only("督促逾期措施2", sees=["guan"], blind=["gao", "hou", "tan"])
    assert "督促逾期措施1" not in h.task_names("guan")
    h.do("guan", "督促逾期措施2", {"escalation_note": "明天完成"})
    h.do("hou", "落实措施2", {"progress_2": "进行中", "measure_2_done": False})
    assert h.task("hou", "落实措施2")["overdue"] is True
    assert h.advance(days=1).fired == 0  # chased once
    h.do("hou", "落实措施2", {"progress_2": "已调整", "measure_2_done": True})
    p3.only("确认满意度", sees=["tan"], blind=["gao", "hou"])
    h.do("tan", "确认满意度", {"satisfaction": "very"})
    h.do("tan", "归档与分析", {"analysis": "两项措施均已落实"})
    assert h.show(iid)["status"] == "completed"


def test_a_second_measure_needs_its_owner_and_date_and_a_later_plan_can_drop_it(p3):
    """P3 七: a measure written without owner or date is refused, nothing kept; after a review (复议) a
    new plan with one measure fewer starts only that one -- the old second measure is not revived."""
    from engine.errors import InvalidInput

    h = p3.h
    _assigned(p3)
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    with pytest.raises(InvalidInput) as refused:
        h.do("gao", "制定处理方案", {**PLAN, "measure_2": "调整座位"})
    assert set(refused.value.field_errors) == {"measure_2_owner", "measure_2_due"}
    with pytest.raises(InvalidInput) as refused:
        h.do("gao", "制定处理方案", {**PLAN, "measure_3_owner": "hou"})
    assert set(refused.value.field_errors) == {"measure_3"}  # an owner with no measure
    h.do("gao", "制定处理方案", TWO_MEASURES)
    h.do("tan", "反馈处理结果", {"feedback_content": "处理中", "feedback_on": "2026-10-09"})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    h.do("hou", "落实措施2", {"progress_2": "完成", "measure_2_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "unsatisfied"})
    h.do("bai", "复议", {"review_opinion": "重新处理"})
    h.do("tan", "分配处理责任", {"responsible_department": "教学部", "responsible_post": "主任",
                               "special_team": False})
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "再次整改", "feedback_on": "2026-10-12"})
    assert h.task_names("hou") == [] and h.task_names("gao") == ["落实措施1"]
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    assert "确认满意度" in h.task_names("tan")


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
        h.do("gao", "落实措施1", {"progress_1": "进行中", "measure_1_done": False})
        h.advance(days=1)
    assert h.task_names("guan").count("督促逾期措施1") == 1
    assert h.task("gao", "落实措施1")["overdue"] is True  # still shown as overdue


def test_satisfaction_alone_decides_review(p3):
    """P3 八: 'neutral' cannot be recorded as resolved; there is no second yes/no that could contradict it."""
    from engine.errors import InvalidInput

    h = p3.h
    _assigned(p3)
    h.do("gao", "责任部门调查核实", {"findings": "属实", "founded": True})
    h.do("gao", "制定处理方案", PLAN)
    h.do("tan", "反馈处理结果", {"feedback_content": "已整改", "feedback_on": "2026-10-09"})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    with pytest.raises(InvalidInput, match="satisfied"):
        h.do("tan", "确认满意度", {"satisfaction": "neutral", "satisfied": True})
    h.do("tan", "确认满意度", {"satisfaction": "neutral"})
    p3.only("复议", sees=["bai"], blind=["tan"])


def test_three_measures_run_side_by_side_and_the_third_is_chased_on_its_own_date(p3):
    """P3 七: up to three measures; the third owner's follow-up rounds and reminder follow the third date."""
    h = p3.h
    iid = _planned(p3, {**TWO_MEASURES, "measure_3": "家长会说明", "measure_3_owner": "fang",
                        "measure_3_due": "2026-10-14"})
    for user, task in (("gao", "落实措施1"), ("hou", "落实措施2"), ("fang", "落实措施3")):
        p3.only(task, sees=[user], blind=[u for u in ("gao", "hou", "fang") if u != user])
    h.do("fang", "落实措施3", {"progress_3": "已通知家长", "measure_3_done": False})
    h.clock.set(datetime(2026, 10, 14, 18, 0, tzinfo=SH))
    assert h.fire_due().fired == 1
    h.do("guan", "督促逾期措施3", {"escalation_note": "尽快召开"})
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    h.do("hou", "落实措施2", {"progress_2": "完成", "measure_2_done": True})
    h.do("fang", "落实措施3", {"progress_3": "已召开", "measure_3_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "satisfied"})
    h.do("tan", "归档与分析", {"analysis": "三项措施落实"})
    assert h.show(iid)["status"] == "completed"


def test_the_review_is_not_by_who_investigated_or_planned(p3):
    """P3 八 (复议): gao, also on the review panel, investigated and planned this case: the review waits
    for another member (bai) and gao is refused."""
    from engine.errors import NotAllowed

    h = p3.h
    h.user("gao", "复议小组")  # adds the group
    _planned(p3, PLAN)
    h.do("gao", "落实措施1", {"progress_1": "完成", "measure_1_done": True})
    h.do("tan", "确认满意度", {"satisfaction": "unsatisfied"})
    p3.only("复议", sees=["bai"], blind=["gao"])
    with pytest.raises(NotAllowed):
        h.complete(h.task("bai", "复议")["id"], "gao", {"review_opinion": "维持"})
    h.do("bai", "复议", {"review_opinion": "重新调查"})
    assert "分配处理责任" in h.task_names("tan")
