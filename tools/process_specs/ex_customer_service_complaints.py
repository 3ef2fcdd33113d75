"""Example swap-in: 投诉处理及回访制度 (seed 001, fourth article): a complaint with a return visit."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

from .common import accused_fields, deadline

DESK, MANAGER, DEPT = "lane_desk", "lane_manager", "lane_dept"

p = Process(
    "ex_service_complaint", "客户投诉处理及回访",
    lanes=[(DESK, "客服中心"), (MANAGER, "分管经理"), (DEPT, "相关部门")],
    properties={"casePrefix": "KF", "param.reply_days": "3", "excludeUsers": "${accused_user}",
                "publicFields": "reply_content,result_told"},
    doc="示例：客服中心统一登记；轻微投诉直接答复，重要、重大投诉由分管经理决定，责成相关部门处理并跟踪；"
        "处理完毕后回访，整理归档。",
)
p.start("start", "客户投诉", DESK, 0, form=accused_fields())
p.task("register", "登记投诉", DESK, 1, form=[
    F("customer_name", "客户姓名", required=True, maxlength=64),
    F("complained_on", "投诉时间", "date", required=True),
    F("department", "涉及部门", maxlength=128),
    F("title", "内容摘要", required=True, maxlength=200),
    F("channel", "投诉形式", "enum", required=True,
      values=[("letter", "信函"), ("phone", "电话"), ("fax", "传真"), ("visit", "来访")]),
    F("severity", "投诉性质", "enum", required=True,
      values=[("minor", "轻微投诉"), ("important", "重要投诉"), ("major", "重大投诉")])])
p.xor("gw_minor", "轻微？", DESK, 2)
p.task("direct_reply", "直接答复", DESK, 3, row=1, form=[
    F("reply_content", "答复内容", required=True, maxlength=2000)])
p.task("decide", "分管经理决定", MANAGER, 3, form=[
    F("decision", "处理决定", required=True, maxlength=2000)])
p.xor("m_handle", None, DEPT, 4)
p.task("handle", "相关部门处理", DEPT, 5, dueDate=deadline("reply_days", "received_at"), form=[
    F("handling", "处理情况", required=True, maxlength=2000)])
p.task("track", "专人跟踪解决情况", DESK, 6, form=[
    F("resolved", "问题已解决", "boolean", required=True),
    F("tracking_note", "跟踪记录", maxlength=2000)])
p.xor("gw_resolved", "解决？", DESK, 7)
p.task("tell_result", "告知客户处理结果", DESK, 8, form=[
    F("result_told", "告知客户的处理结果", required=True, maxlength=2000)])
p.xor("m_visit", None, DESK, 9)
p.task("return_visit", "回访", DESK, 10, form=[
    F("customer_opinion", "客户对处理的意见", required=True, maxlength=2000),
    F("satisfied", "客户满意", "boolean", required=True)])
p.task("archive", "整理归档", DESK, 11, form=[F("archive_summary", "归档摘要", required=True, maxlength=2000)])
p.end("end", "结案", DESK, 12)
p.chain("start", "register", "gw_minor")
p.flow("gw_minor", "direct_reply", "轻微", "${severity == 'minor'}")
p.flow("gw_minor", "decide", "重要或重大", default=True, turn="late")
p.flow("decide", "m_handle")
p.chain("m_handle", "handle", "track", "gw_resolved")
p.flow("gw_resolved", "m_handle", "仍需协调", "${!resolved}")
p.flow("gw_resolved", "tell_result", "已解决", default=True)
p.flow("tell_result", "m_visit")
p.flow("direct_reply", "m_visit")
p.chain("m_visit", "return_visit", "archive", "end")

DEFINITIONS = Definitions(
    "ex_customer_service_complaints", "examples/customer_service_complaints.bpmn", "投诉处理及回访制度（示例）", [p],
    clauses=[
        ("一、二 统一登记", "客户姓名、投诉时间、涉及部门、内容摘要", ["register"]),
        ("四 轻微与重要投诉", "轻微的直接答复；重要、重大的由分管经理决定", ["gw_minor", "direct_reply", "decide"]),
        ("三、五 责成处理与跟踪", "责成相关部门处理，专人跟踪，仍需协调的再处理",
         ["handle", "track", "gw_resolved", "m_handle"]),
        ("五、六 告知结果", "处理完毕先把结果告知客户（客户可查询），再回访", ["tell_result", "direct_reply"]),
        ("六 回访与归档", "处理完毕后回访，了解意见，整理归档", ["return_visit", "archive"]),
        ("被投诉人回避", "excludeUsers=${accused_user}：被投诉的员工看不到本案件的任何任务", ["ex_service_complaint"]),
    ],
)
