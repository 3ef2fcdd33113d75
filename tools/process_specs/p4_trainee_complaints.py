"""P4 学员投诉处理流程与规范 (seed 004)."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

from .common import complainant_fields

CHANNELS = [("onsite", "现场接待"), ("phone", "电话"), ("email", "邮件"), ("online", "在线客服"),
            ("box", "意见箱")]
CATEGORIES = [("teaching", "教学质量类"), ("attitude", "服务态度类"), ("process", "管理流程类"),
              ("facilities", "设施环境类")]
REMEDIES = [("apology", "道歉"), ("explanation", "解释说明"), ("course_change", "课程调整"),
            ("teacher_change", "教师更换"), ("refund", "费用减免或退还"), ("improvement", "改进措施")]

RESPOND = "${add_working_days_from(received_at, 1)}"
HANDLING = "${add_working_days_from(received_at, reply_days)}"
# Whoever wrote the plan in force or revised it: after a revision and a refusal the plan is written
# again, and its new author must not approve it either (a comma list, empty names ignored).
NOT_AUTHOR = {"excludeUsers": "${done_by.get('plan', '') + ',' + done_by.get('negotiate', '')}"}

STAFF, MANAGER, INVESTIGATOR, BOARD = "lane_staff", "lane_manager", "lane_investigator", "lane_board"

p = Process(
    "p4_trainee_complaint", "学员投诉处理",
    lanes=[(STAFF, "接待人员"), (MANAGER, "负责经理"), (INVESTIGATOR, "调查专员"), (BOARD, "管理委员会")],
    properties={"casePrefix": "XY", "excludeUsers": "${accused_user}", "param.reply_days": "5",
                "param.escalation_group": "管理委员会",
                "publicFields": "first_response,handling_due,resolution,communication_record,satisfaction,upgrade_reply"},
    doc="接收安抚、记录确认、评估分类（简单的当场解决，复杂的上报）、调查、方案审批（重大疑难集体决定）、"
        "沟通协商与实施、反馈满意度（仍有异议的升级）、归档复盘。学员信息保密，被投诉教师看不到案件。",
)
p.start("start", "学员投诉", STAFF, 0, form=[
    *complainant_fields(CHANNELS),
    F("accused_user", "被投诉教师或员工账号（该人看不到本案件）", maxlength=64),
    F("title", "投诉事由（摘要）", required=True, maxlength=200),
])
p.xor("m_record", None, STAFF, 1)
p.task("record", "记录投诉信息", STAFF, 2, doc="先安抚情绪、耐心倾听；学员个人信息注意保密。", form=[
    F("complained_on", "投诉时间", "date", required=True),
    F("subject_course", "涉及课程", maxlength=128),
    F("subject_teacher", "涉及教师", maxlength=64),
    F("subject_service", "涉及服务环节", maxlength=128),
    F("complaint_detail", "具体内容", required=True, maxlength=4000),
    F("demands", "诉求", required=True, maxlength=2000),
    F("evidence", "相关证据（照片、聊天记录）", "file"),
    F("trainee_calmed", "已安抚情绪", "boolean"),
])
p.task("restate", "复述并请学员确认", STAFF, 3, form=[
    F("trainee_confirmed", "学员确认记录无误", "boolean", required=True),
    F("corrections", "学员指出的遗漏或偏差", maxlength=2000),
])
p.xor("gw_confirmed", "确认无误？", STAFF, 4)
# 一3: once the record is confirmed the trainee gets a first response within a working day of receipt,
# and the handling deadline counts from receipt (received_at, kept by the engine), not from a typed date.
p.task("respond", "初步回应并告知处理时限", STAFF, 5, dueDate=RESPOND, form=[
    F("handling_due", "处理时限（自受理起 reply_days 个工作日，系统计算；学员在查询页也能看到）", "date",
      readonly=True, default=HANDLING),
    F("first_response", "给学员的初步回应", required=True, maxlength=2000),
])
p.task("assess", "初步评估分类", STAFF, 6, form=[
    F("category", "投诉类别", "enum", required=True, values=CATEGORIES),
    F("severity", "严重程度", "enum", required=True, values=[("low", "一般"), ("high", "严重")]),
    F("simple_case", "简单明了、事实清楚且在本岗位权限内", "boolean", required=True),
])
p.xor("gw_simple", "权限内？", STAFF, 7)
p.task("resolve_now", "当场回应解决", STAFF, 8, row=1, form=[
    F("resolution", "解决办法", required=True, maxlength=2000),
])
p.task("designate", "指定调查人", MANAGER, 8, form=[
    F("investigator_user", "调查负责人账号", required=True, maxlength=64),
    F("temporary_team", "成立临时小组", "boolean"),
])
p.task("investigate", "调查核实", INVESTIGATOR, 9, assignee="${investigator_user}", dueDate=HANDLING, form=[
    F("findings", "调查结果（与教师员工沟通、考勤、课程资料、录像、其他学员）", required=True, maxlength=4000),
    F("investigation_evidence", "调查材料", "file"),
])
p.boundary("investigate_overdue", "超期", "investigate", ("timeDate", HANDLING))
p.task("escalate", "超期督办", BOARD, 10, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated", "已督办（调查继续）", BOARD, 11)
p.xor("m_plan", None, MANAGER, 10)
p.task("plan", "制定处理方案", MANAGER, 11, form=[
    F("remedy", "处理方式", "enum", required=True, values=REMEDIES),
    F("plan_detail", "方案内容", required=True, maxlength=4000),
    F("major_case", "重大或疑难投诉", "boolean", required=True),
])
p.xor("m_major", None, MANAGER, 12)
p.xor("gw_major", "重大疑难？", MANAGER, 13)
# 二5: approval per authority is never by the plan's author (nor the author of its revision), and it
# can refuse, sending the plan back.
p.task("approve", "按权限审批方案", MANAGER, 14, row=1, props=NOT_AUTHOR, form=[
    F("plan_approved", "批准方案", "boolean", required=True),
    F("plan_approved_note", "审批意见", required=True, maxlength=2000),
])
p.task("collective", "集体讨论决定", BOARD, 14, props=NOT_AUTHOR, form=[
    F("plan_approved", "批准方案", "boolean", required=True),
    F("collective_decision", "集体决定的处理方案或退回理由", required=True, maxlength=4000),
])
p.xor("m_approved", None, MANAGER, 15)
p.xor("gw_approved", "批准？", MANAGER, 16)
p.task("communicate", "沟通处理方案", STAFF, 17, form=[
    F("communication_record", "向学员反馈的调查结果和方案", required=True, maxlength=4000),
    F("trainee_accepts", "学员认可方案", "boolean", required=True),
    F("trainee_objection", "学员的异议", maxlength=2000),
])
p.xor("gw_accepts", "认可？", STAFF, 18)
p.task("negotiate", "再次协商调整方案", MANAGER, 19, form=[
    F("revised_plan", "调整后的方案", required=True, maxlength=4000),
    F("major_case", "重大或疑难投诉", "boolean", required=True),
])
p.task("implement", "实施处理方案", STAFF, 20, form=[
    F("implementation", "落实情况", required=True, maxlength=2000),
])
p.xor("m_feedback", None, STAFF, 21)
p.task("feedback", "结果反馈与满意度", STAFF, 22, form=[
    F("satisfaction", "满意度", "enum", required=True,
      values=[("very", "很满意"), ("satisfied", "满意"), ("neutral", "一般"), ("unsatisfied", "不满意")]),
    F("objection_remains", "学员仍有异议", "boolean", required=True),
    F("latest_demand", "最新诉求", maxlength=2000),
])
p.xor("gw_objection", "仍有异议？", STAFF, 23)
p.task("upgrade", "记录异议并升级处理", BOARD, 24, form=[
    F("upgrade_decision", "升级处理意见", required=True, maxlength=2000),
])
p.task("carry_out", "落实升级决定并答复学员", STAFF, 25, row=1, form=[
    F("upgrade_reply", "给学员的答复", required=True, maxlength=2000),
])
p.xor("m_archive", None, STAFF, 26)
p.task("archive", "归档与复盘", STAFF, 27, form=[
    F("archive_summary", "归档摘要", required=True, maxlength=2000),
    F("lessons", "总结复盘", maxlength=4000),
])
p.end("end", "投诉闭环", STAFF, 28)

p.chain("start", "m_record", "record", "restate", "gw_confirmed")
p.flow("gw_confirmed", "m_record", "有偏差，重新记录", "${!trainee_confirmed}", via="below")
p.flow("gw_confirmed", "respond", "无误", default=True)
p.chain("respond", "assess", "gw_simple")
p.flow("gw_simple", "resolve_now", "是", "${simple_case}", turn="late")
p.flow("gw_simple", "designate", "否，上报", default=True)
p.chain("designate", "investigate", "m_plan", "plan", "m_major", "gw_major")
p.flow("investigate_overdue", "escalate")
p.flow("escalate", "end_escalated")
p.flow("gw_major", "collective", "是", "${major_case}", turn="late")
p.flow("gw_major", "approve", "否", default=True)
p.flow("collective", "m_approved")
p.flow("approve", "m_approved")
p.chain("m_approved", "gw_approved")
p.flow("gw_approved", "m_plan", "退回", "${!plan_approved}", via="above")
p.flow("gw_approved", "communicate", "批准", default=True, label_last=True)
p.chain("communicate", "gw_accepts")
p.flow("gw_accepts", "negotiate", "有异议", "${!trainee_accepts}")
p.flow("negotiate", "m_major", via="above")
p.flow("gw_accepts", "implement", "认可", default=True)
p.flow("implement", "m_feedback")
p.flow("resolve_now", "m_feedback")
p.chain("m_feedback", "feedback", "gw_objection")
# 二7: an unsatisfied trainee has an objection, whatever the second answer says.
p.flow("gw_objection", "upgrade", "是", "${objection_remains or satisfaction == 'unsatisfied'}")
p.flow("gw_objection", "m_archive", "否", default=True)
p.flow("upgrade", "carry_out")
p.flow("carry_out", "m_archive")
p.chain("m_archive", "archive", "end")

DEFINITIONS = Definitions(
    "p4_trainee_complaints", "p4_trainee_complaints.bpmn", "学员投诉处理流程与规范", [p],
    clauses=[
        ("二1 接收与安抚", "现场、电话、邮件、在线客服、意见箱；先安抚情绪", ["start", "record"]),
        ("二2 记录与确认", "学员信息（保密）、时间、课程教师服务环节、内容和诉求、证据；复述确认（不符则重新记录）",
         ["record", "restate", "gw_confirmed", "m_record"]),
        ("二3 评估与分类", "四类；简单且在权限内的当场解决，否则上报负责经理",
         ["assess", "gw_simple", "resolve_now", "designate"]),
        ("二4 调查与核实", "指定专人或临时小组调查；自受理（received_at，引擎记录）起 reply_days 个工作日（默认 5）内，超期督办",
         ["designate", "investigate", "investigate_overdue", "escalate"]),
        ("二5 方案制定与审批", "道歉、解释、课程调整、更换教师、费用减免或退还、改进；按权限审批，重大疑难集体讨论；"
         "方案的制定人和调整人都不能审批（excludeUsers=${done_by…}，退回重拟后也一样），审批可退回重新制定",
         ["plan", "gw_major", "approve", "collective", "gw_approved", "m_plan"]),
        ("二6 沟通与实施", "反馈方案，有异议再次协商（循环），认可后实施",
         ["communicate", "gw_accepts", "negotiate", "implement"]),
        ("二6 调整后再审批", "协商调整的方案重新按权限审批（重大疑难的再集体讨论）", ["negotiate", "m_major", "gw_major"]),
        ("二7 反馈与满意度", "最终结果和满意度；仍有异议（或不满意）的记录并升级，落实升级决定并答复学员（公开字段 upgrade_reply）",
         ["feedback", "gw_objection", "upgrade", "carry_out"]),
        ("一3 及时响应", "受理后一个工作日内初步回应（公开字段 first_response）；告知的处理时限由系统按工作日历自受理起 "
         "reply_days 个工作日算出（只读字段 handling_due，也是公开字段），与调查期限相同，不能填写",
         ["respond", "investigate"]),
        ("二8 归档与复盘", "全部材料归档", ["archive"]),
        ("一 原则：保密", "被投诉人（accused_user）看不到本案件；任务只分派给处理人", ["p4_trainee_complaint"]),
        ("一 原则：进度更新", "学员凭案件编号和查询码查看进度和结果："
         "publicFields 声明的解决办法、反馈的方案和满意度",
         ["p4_trainee_complaint", "resolve_now", "communicate", "feedback"]),
    ],
)
