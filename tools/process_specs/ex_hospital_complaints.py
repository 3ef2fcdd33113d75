"""Example swap-in: 医院投诉处理制度及程序 (seed 001, fifth article)."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

from .common import accused_fields, complainant_fields, deadline

OFFICE, DEPT, MEDICAL, LEADERS = "lane_office", "lane_dept", "lane_medical", "lane_leaders"

p = Process(
    "ex_hospital_complaint", "医院投诉处理",
    lanes=[(OFFICE, "医疗纠纷处理办公室"), (DEPT, "科室负责人"), (MEDICAL, "医务科"), (LEADERS, "院领导")],
    properties={"casePrefix": "YY", "excludeUsers": "${accused_user}", "param.reply_days": "5",
                "param.explanation_days": "2"},
    doc="示例：学校可替换为自己的投诉流程文件。登记并告知答复时间（一周内），科室负责人两日内书面说明，"
        "医务科组织讨论，院领导定性，办公室一周内告知，不同意的告知其它途径，结果反馈科室。",
)
p.start("start", "患者投诉", OFFICE, 0, form=[
    *complainant_fields([("phone", "投诉电话"), ("mailbox", "投诉信箱"), ("visit", "来访")]), *accused_fields(),
    F("title", "投诉事由", required=True, maxlength=200)])
p.task("register", "登记并告知答复时间", OFFICE, 1, form=[
    F("accepted_on", "登记日期", "date", required=True),
    F("opinion", "投诉事由、意见、建议", required=True, maxlength=4000),
    F("reply_date_told", "告知的答复时间", "date", required=True)])
p.task("explain", "科室书面说明", DEPT, 2, dueDate=deadline("explanation_days"), form=[
    F("explanation", "书面说明（定性结果）", required=True, maxlength=4000)])
p.boundary("explain_overdue", "逾期", "explain", ("timeDate", deadline("explanation_days")))
p.task("chase", "催办科室说明", OFFICE, 3, row=1, form=[F("chase_note", "催办记录", required=True, maxlength=500)])
p.end("end_chased", "已催办", OFFICE, 4, row=1)
p.task("discuss", "医务科组织调查讨论", MEDICAL, 3, form=[
    F("investigation", "调查结果", required=True, maxlength=4000)])
p.task("decide", "院领导讨论定性", LEADERS, 4, form=[
    F("conclusion", "定性结论", required=True, maxlength=2000),
    F("rectification", "整改意见", required=True, maxlength=2000)])
p.task("inform", "告知患者处理意见", OFFICE, 5, dueDate=deadline("reply_days"), form=[
    F("reply_content", "处理意见", required=True, maxlength=4000),
    F("patient_agrees", "患者或家属同意", "boolean", required=True)])
p.xor("gw_agrees", "同意？", OFFICE, 6)
p.task("routes", "告知其它解决途径", OFFICE, 7, row=1, form=[
    F("route", "解决途径", "enum", required=True,
      values=[("negotiation", "医患双方协商"), ("appraisal", "医学会鉴定"), ("court", "司法途径")])])
p.xor("m_feedback", None, OFFICE, 8)
p.task("feedback", "反馈科室和当事人", OFFICE, 9, form=[
    F("feedback_note", "整改和处理结果", required=True, maxlength=2000)])
p.end("end", "处理完毕", OFFICE, 10)
p.chain("start", "register", "explain", "discuss", "decide", "inform", "gw_agrees")
p.flow("explain_overdue", "chase")
p.flow("chase", "end_chased")
p.flow("gw_agrees", "routes", "不同意", "${!patient_agrees}")
p.flow("gw_agrees", "m_feedback", "同意", default=True)
p.flow("routes", "m_feedback")
p.chain("m_feedback", "feedback", "end")

DEFINITIONS = Definitions(
    "ex_hospital_complaints", "examples/hospital_complaints.bpmn", "医院投诉处理制度及程序（示例）", [p],
    clauses=[
        ("总则1、登记程序2", "登记并告知答复时间（一般一周内）", ["register"]),
        ("登记程序3", "科主任 2 日内写出书面说明；逾期催办", ["explain", "explain_overdue", "chase"]),
        ("登记程序4", "医务科调查，院领导讨论定性和整改意见", ["discuss", "decide"]),
        ("登记程序5、总则2", "一周内告知处理意见；不同意的告知协商、医学会鉴定、司法途径",
         ["inform", "gw_agrees", "routes"]),
        ("登记程序6", "整改和处理结果反馈科室和当事人", ["feedback"]),
    ],
)
