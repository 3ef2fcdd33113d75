"""Example swap-in: 医院投诉处理制度及程序 (seed 001, fifth article)."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Node, Process

from .common import accused_fields, complainant_fields, deadline

OFFICE, LEADERS, DEPT, MEDICAL = "lane_office", "lane_leaders", "lane_dept", "lane_medical"
# Counted from receipt as the engine recorded it: one week is five working days.
REPLY_DUE = deadline("reply_days", "received_at")
EXPLANATION_DUE = deadline("explanation_days", "received_at")
DELAY_NOTICE_AT = deadline("delay_notice_days", "received_at")
ROUTES = "医患双方协商；申请医学会医疗事故技术鉴定；向人民法院提起诉讼（司法途径）"

p = Process(
    "ex_hospital_complaint", "医院投诉处理",
    lanes=[(OFFICE, "医疗纠纷处理办公室"), (LEADERS, "院领导"), (DEPT, "科室负责人"), (MEDICAL, "医务科")],
    properties={"casePrefix": "YY", "excludeUsers": "${accused_user}", "param.reply_days": "5",
                "param.explanation_days": "2", "param.delay_notice_days": "4",
                "publicFields": "reply_date_told,reply_content,routes_told,delay_reason,new_reply_date"},
    doc="示例：学校可替换为自己的投诉流程文件。登记并告知答复时间（一周内），重大投诉即时报告院领导，"
        "科室负责人两日内书面说明，医务科组织讨论，院领导定性，办公室一周内告知（需延期的在一周届满前告知），"
        "不同意的告知全部其它途径，结果反馈科室。",
)
p.start("start", "患者投诉", OFFICE, 0, form=[
    *complainant_fields([("phone", "投诉电话"), ("mailbox", "投诉信箱"), ("visit", "来访")]), *accused_fields(),
    F("title", "投诉事由", required=True, maxlength=200)])
p.task("register", "登记并告知答复时间", OFFICE, 1, form=[
    F("opinion", "投诉事由、意见、建议", required=True, maxlength=4000),
    F("major", "重大投诉", "boolean", required=True),
    F("reply_date_told", "告知的答复时间（系统按受理时间计算）", "date", readonly=True, default=REPLY_DUE)])
p._add(Node("fork", "parallelGateway", None, OFFICE, 2))
p.xor("gw_major", "重大？", OFFICE, 2, row=2, label_pos="bottom")
p.task("report_major", "重大投诉即时报告院领导", LEADERS, 2, form=[
    F("leader_instruction", "院领导批示", required=True, maxlength=2000)])
p.end("end_major_reported", "已报告", LEADERS, 3)
p.end("end_ordinary", "一般投诉", OFFICE, 3, row=2)
p.task("explain", "科室书面说明", DEPT, 3, dueDate=EXPLANATION_DUE, form=[
    F("explanation", "书面说明（定性结果）", required=True, maxlength=4000)])
p.boundary("explain_overdue", "逾期", "explain", ("timeDate", EXPLANATION_DUE))
p.task("chase", "催办科室说明", OFFICE, 4, row=2, form=[F("chase_note", "催办记录", required=True, maxlength=500)])
p.end("end_chased", "已催办", OFFICE, 5, row=2)
p.task("discuss", "医务科组织调查讨论", MEDICAL, 4, form=[
    F("investigation", "调查结果", required=True, maxlength=4000)])
p.boundary("delay_due", "一周将满", "discuss", ("timeDate", DELAY_NOTICE_AT))
p.task("notify_delay", "一周届满前告知患者延期", OFFICE, 5, row=3, dueDate=REPLY_DUE, form=[
    F("delay_reason", "需延长处理时间的原因", required=True, maxlength=2000),
    F("new_reply_date", "新的答复时间", "date", required=True)])
p.end("end_delay_told", "已告知延期", OFFICE, 6, row=3)
p.task("decide", "院领导讨论定性", LEADERS, 5, form=[
    F("conclusion", "定性结论", required=True, maxlength=2000),
    F("rectification", "整改意见", required=True, maxlength=2000)])
p.task("inform", "告知患者处理意见", OFFICE, 6, dueDate=REPLY_DUE, form=[
    F("reply_content", "处理意见", required=True, maxlength=4000),
    F("patient_agrees", "患者或家属同意", "boolean", required=True)])
p.xor("gw_agrees", "同意？", OFFICE, 7)
p.task("routes", "告知其它解决途径", OFFICE, 8, row=1, form=[
    F("routes_told", "告知的全部解决途径", readonly=True, default=ROUTES),
    F("routes_explained", "已向患者说明以上全部途径", "boolean", required=True)])
p.xor("m_feedback", None, OFFICE, 9)
p.task("feedback", "反馈科室和当事人", OFFICE, 10, form=[
    F("feedback_note", "整改和处理结果", required=True, maxlength=2000)])
p.end("end", "处理完毕", OFFICE, 11)
p.chain("start", "register", "fork")
p.flow("fork", "explain", turn="late")
p.flow("fork", "gw_major")
p.flow("gw_major", "report_major", "重大", "${major}")
p.flow("gw_major", "end_ordinary", "否", default=True)
p.flow("report_major", "end_major_reported")
p.chain("explain", "discuss", "decide", "inform", "gw_agrees")
p.flow("explain_overdue", "chase")
p.flow("chase", "end_chased")
p.flow("delay_due", "notify_delay")
p.flow("notify_delay", "end_delay_told")
p.flow("gw_agrees", "routes", "不同意", "${!patient_agrees}")
p.flow("gw_agrees", "m_feedback", "同意", default=True)
p.flow("routes", "m_feedback")
p.chain("m_feedback", "feedback", "end")

DEFINITIONS = Definitions(
    "ex_hospital_complaints", "examples/hospital_complaints.bpmn", "医院投诉处理制度及程序（示例）", [p],
    clauses=[
        ("总则1、登记程序2", "登记并告知答复时间（一周内，系统按受理时间计算，患者可查询）", ["register"]),
        ("管理制度1", "重大投诉即时报告院领导，与处理同时进行", ["fork", "gw_major", "report_major"]),
        ("登记程序3", "科主任 2 日内写出书面说明；逾期催办", ["explain", "explain_overdue", "chase"]),
        ("登记程序4", "医务科调查，院领导讨论定性和整改意见", ["discuss", "decide"]),
        ("管理制度3", "复杂案件需延长时间的，在一周届满前（delay_notice_days 个工作日时）告知患者原因和新的答复时间",
         ["delay_due", "notify_delay"]),
        ("登记程序5、总则2", "一周内告知处理意见（期限）；不同意的告知全部三种途径：协商、医学会鉴定、司法途径",
         ["inform", "gw_agrees", "routes"]),
        ("登记程序6", "整改和处理结果反馈科室和当事人", ["feedback"]),
        ("管理制度5", "定期分析投诉、整改：学校的定期汇总流程（P1 p1_summary、P2 p2_weekly_stats）按同样方式统计",
         "engine: report counts (`engine/cases/statistics.py`), not an element of this example"),
    ],
)
