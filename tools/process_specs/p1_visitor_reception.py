"""P1 学校接访室制度规范 (seed 000): a visit from registration to the case file, and the periodic summary."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

from .common import deadline, report_fields

STAFF, INVESTIGATOR, HEAD = "lane_staff", "lane_investigator", "lane_head"
# Counted from receipt as the engine recorded it (the case's start), never from a date someone types.
REPLY_DEADLINE = deadline("reply_days", "received_at")

p = Process(
    "p1_visit", "来访接待",
    lanes=[(STAFF, "接访人员"), (INVESTIGATOR, "调查负责人"), (HEAD, "接访室负责人")],
    properties={"casePrefix": "JF", "param.reply_days": "5", "param.escalation_group": "接访室负责人"},
    doc="学校接访室来访接待：登记、沟通、职责判断、当场答复或调查处理、答复反馈、建立来访档案。"
        "来访者身份和来访内容仅处理本案件的人员可见（按泳道分派任务）。",
)
p.start("start", "来访者到访", STAFF, 0)
p.xor("m_register", None, STAFF, 1)
p.task("register", "填写来访登记表", STAFF, 2, doc="《来访登记表》；信息不完整的退回补充。", form=[
    F("visitor_name", "来访者姓名", required=True, maxlength=64),
    F("visitor_gender", "性别", "enum", required=True, values=[("male", "男"), ("female", "女")]),
    F("visitor_identity", "身份", "enum", required=True,
      values=[("teacher_student", "师生"), ("parent", "家长"), ("resident", "社区居民"), ("other", "其他")]),
    F("visitor_phone", "联系电话", required=True, maxlength=32),
    F("visited_at", "来访时间", "date", required=True, properties={"withTime": "true"}),
    F("title", "来访事由", required=True, maxlength=200),
])
p.task("review", "审核登记表", STAFF, 3, form=[
    F("registration_complete", "登记信息准确完整", "boolean", required=True),
    F("missing_items", "需补充的信息", maxlength=500),
])
p.xor("gw_complete", "信息完整？", STAFF, 4)
p.task("converse", "接访沟通记录", STAFF, 5, doc="认真倾听，客观、准确、完整地记录来访内容。", form=[
    F("problem_description", "问题描述", required=True, maxlength=4000),
    F("evidence", "相关证据材料（文件、照片）", "file"),
    F("visitor_agitated", "来访者情绪激动", "boolean"),
    F("visitor_calmed", "已耐心安抚", "boolean"),
    F("in_scope", "属于接访室职责范围", "boolean", required=True),
    F("answerable_now", "一般性问题，能够当场答复", "boolean", required=True),
])
p.xor("gw_scope", "职责范围内？", STAFF, 6)
p.task("refer", "告知转接相关部门", STAFF, 7, row=2, form=[
    F("referred_to", "转接部门或机构", required=True, maxlength=128),
    F("referred_contact", "联系方式和指引", required=True, maxlength=500),
])
p.xor("gw_simple", "当场答复？", STAFF, 7)
p.task("answer_now", "当场答复", STAFF, 8, form=[
    F("reply_content", "答复内容", required=True, maxlength=4000),
    F("reply_basis", "依据的法律法规和政策文件", maxlength=2000),
    F("visitor_satisfied", "来访者满意", "boolean", required=True),
])
p.task("assign", "告知答复期限并指派专人", STAFF, 8, row=1,
       doc="答复期限由系统按受理时间加 reply_days 个工作日算出，接访人员如实告知来访者。", form=[
    F("reply_deadline", "告知来访者的答复期限（系统计算）", "date", readonly=True, default=REPLY_DEADLINE),
    F("deadline_told", "已告知来访者答复期限", "boolean", required=True),
    F("investigator_user", "调查负责人（专人）账号", required=True, maxlength=64),
])
p.task("investigate", "调查核实", INVESTIGATOR, 9, assignee="${investigator_user}",
       dueDate=REPLY_DEADLINE, form=[
           F("findings", "调查情况", required=True, maxlength=4000),
           F("collected_evidence", "证据材料（文件、记录、证人证言）", "file"),
           F("multi_department", "涉及多个部门，需要协调", "boolean", required=True),
       ])
p.boundary("investigate_overdue", "超期", "investigate", ("timeDate", REPLY_DEADLINE))
p.task("escalate_investigation", "超期督办（调查）", HEAD, 10, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated_investigation", "已督办（调查继续）", HEAD, 11)
p.xor("gw_multi", "多部门？", INVESTIGATOR, 10)
p.task("coordinate", "组织召开协调会议", STAFF, 11, row=3,
       doc="接访人员组织相关部门召开协调会议（§二(三)3）。", form=[
    F("departments", "参会部门", required=True, maxlength=500),
    F("duties", "各部门职责", required=True, maxlength=2000),
    F("joint_solution", "共同解决方案", required=True, maxlength=4000),
])
p.xor("m_reply", None, STAFF, 12, row=1)
p.task("reply", "答复反馈", STAFF, 13, row=1, dueDate=REPLY_DEADLINE, form=[
    F("reply_mode", "答复形式", "enum", required=True, values=[("written", "书面"), ("oral", "口头")]),
    F("reply_content", "处理情况和处理结果", required=True, maxlength=4000),
    F("reply_basis", "依据的法律法规和政策文件", required=True, maxlength=2000),
    F("visitor_satisfied", "来访者满意", "boolean", required=True),
])
p.boundary("reply_overdue", "超期", "reply", ("timeDate", REPLY_DEADLINE))
p.task("escalate_reply", "超期督办（答复）", HEAD, 14, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated_reply", "已督办（答复继续）", HEAD, 15)
p.xor("m_satisfied", None, STAFF, 14)
p.xor("gw_satisfied", "满意？", STAFF, 15)
p.task("hear", "听取意见并告知申诉途径", STAFF, 16, row=1, form=[
    F("visitor_opinion", "来访者意见", required=True, maxlength=2000),
    F("appeal_route", "告知的申诉途径", required=True, maxlength=500),
])
p.xor("m_archive", None, STAFF, 17)
p.task("archive", "建立来访档案", STAFF, 18, doc="每次来访及处理情况详细记录归档；档案不得涂改。", form=[
    F("archive_summary", "档案摘要", required=True, maxlength=2000),
    F("important_case", "重要或典型案例（单独建档、长期保存）", "boolean", required=True),
])
p.xor("gw_important", "重要案例？", STAFF, 19)
p.task("file_important", "重要案例单独建档", HEAD, 20, doc="重要或典型案例单独建档、长期保存（§二(四)3）。", form=[
    F("important_file_number", "专档编号", required=True, maxlength=64),
    F("retention", "保存期限", "enum", required=True, values=[("permanent", "永久"), ("long", "长期")]),
])
p.end("end_important", "专档已建", HEAD, 21)
p.end("end", "接访结束", STAFF, 21)

p.chain("start", "m_register", "register", "review", "gw_complete")
p.flow("gw_complete", "m_register", "不完整，退回补充", "${!registration_complete}", via="below")
p.flow("gw_complete", "converse", "完整", default=True)
p.chain("converse", "gw_scope")
p.flow("gw_scope", "refer", "否", "${!in_scope}")
p.flow("gw_scope", "gw_simple", "是", default=True)
p.flow("gw_simple", "answer_now", "能", "${answerable_now}")
p.flow("gw_simple", "assign", "需调查", default=True)
p.chain("assign", "investigate", "gw_multi")
p.flow("investigate_overdue", "escalate_investigation")
p.flow("escalate_investigation", "end_escalated_investigation")
p.flow("gw_multi", "coordinate", "是", "${multi_department}")
p.flow("gw_multi", "m_reply", "否", default=True, turn="late")
p.flow("coordinate", "m_reply")
p.chain("m_reply", "reply", "m_satisfied")
p.flow("reply_overdue", "escalate_reply")
p.flow("escalate_reply", "end_escalated_reply")
p.flow("answer_now", "m_satisfied")
p.flow("m_satisfied", "gw_satisfied")
p.flow("gw_satisfied", "hear", "不满意", "${!visitor_satisfied}")
p.flow("gw_satisfied", "m_archive", "满意", default=True)
p.flow("hear", "m_archive")
p.flow("refer", "m_archive")
p.chain("m_archive", "archive", "gw_important")
p.flow("gw_important", "file_important", "是", "${important_case}")
p.flow("gw_important", "end", "否", default=True)
p.flow("file_important", "end_important")

s = Process(
    "p1_summary", "接访情况定期汇总",
    lanes=[("lane_summary_staff", "接访人员"), ("lane_summary_leaders", "学校领导")],
    properties={"casePrefix": "JH", "statistics": "p1_visit", "statisticsPeriod": "P1M"},
    doc="定期对来访情况进行总结分析，向上级领导汇报存在的问题和建议（每月一次，每次一个新案件）。",
)
s.start("summary_start", "每月最后一个工作日 17:00", "lane_summary_staff", 0,
        timer=("timeCycle", "0 0 17 L * ?"), properties={"workingDay": "previous"})
s.task("summary_compile", "汇总分析来访情况", "lane_summary_staff", 1, form=[
    *report_fields(),
    F("issues", "存在的问题", required=True, maxlength=4000),
    F("suggestions", "改进建议", maxlength=4000),
])
s.task("summary_review", "学校领导审阅", "lane_summary_leaders", 2, form=[
    F("leader_remarks", "领导意见", maxlength=2000),
])
s.end("summary_end", "已汇报", "lane_summary_leaders", 3)
s.chain("summary_start", "summary_compile", "summary_review", "summary_end")

DEFINITIONS = Definitions(
    "p1_visitor_reception", "p1_visitor_reception.bpmn", "学校接访室制度规范", [p, s],
    clauses=[
        ("§二(一) 来访登记", "《来访登记表》：姓名、性别、身份、电话、来访时间、事由；不完整的退回补充（循环）",
         ["register", "review", "gw_complete", "m_register"]),
        ("§二(二)1–2 接访沟通", "记录问题描述和证据材料；情绪激动的耐心安抚", ["converse"]),
        ("§二(二)3 职责范围", "不属于职责范围的告知转接部门或机构及联系方式", ["gw_scope", "refer"]),
        ("§二(三)1 问题处理", "一般性问题当场答复；复杂问题告知答复期限、安排专人调查",
         ["gw_simple", "answer_now", "assign", "investigate"]),
        ("§二(三)2 收集证据", "文件、记录、证人证言", ["investigate"]),
        ("§二(三)3 协调会议", "涉及多个部门的召开协调会议，明确职责、共同研究解决方案",
         ["gw_multi", "coordinate"]),
        ("§二(四)1–2 答复反馈", "reply_days 个工作日（默认 5）内书面或口头答复，含处理情况、结果和依据；"
         "不满意的听取意见并说明申诉途径", ["reply", "gw_satisfied", "hear"]),
        ("§二(四)3、§六 建立来访档案", "每次来访及处理情况记录归档；记录不可更改（审计日志）", ["archive"]),
        ("§四(一)2 离岗代班", "接访人员临时离开的，安排其他人员代为值班：在约定时段内由同事查看并办理其待办任务",
         "engine: duty cover (`schoolflow cover add`, `engine/people/substitution.py`), not a BPMN element"),
        ("§四(二)2 不得拖延不办", "调查或答复超期，升级到接访室负责人（escalation_group）督办",
         ["investigate_overdue", "escalate_investigation", "reply_overdue", "escalate_reply"]),
        ("§四(三) 保密", "任务只分派给本案件的处理人（泳道、指定专人），其他人看不到", ["p1_visit"]),
        ("§三(二)5 定期总结汇报", "每月汇总来访情况向学校领导汇报（定时启动）",
         ["summary_start", "summary_compile", "summary_review"]),
    ],
)
