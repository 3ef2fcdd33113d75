"""P2 家长及学生投诉处理制度及实施办法 (seed 001), and its weekly statistics schedule."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

from .common import accused_fields, complainant_fields, deadline, report_fields

CHANNELS = [("phone", "电话投诉"), ("visit", "来访投诉"), ("letter", "来信投诉"), ("box", "投诉箱投诉"),
            ("forwarded", "上级有关部门转达")]
CATEGORIES = [("red_line", "违反三条校纪高压线"), ("labour", "违反劳动纪律"), ("ethics", "违反师德规范"),
              ("dereliction", "工作失职、渎职导致教育事故"), ("other", "家长学生其它不满意行为")]
CATEGORY_ITEMS = [
    ("red_line_banquet", "一1 接受家长宴请"), ("red_line_tutoring", "一2 进行有偿家教"),
    ("red_line_errands", "一3 利用家长办事"),
    ("labour_late", "二1 上课无故迟到、早退、拖堂或旷课"), ("labour_phone", "二2 上课时手机铃响或接听手机"),
    ("labour_absent", "二3 工作时间不在岗，擅离职守"),
    ("ethics_punishment", "三1 体罚或变相体罚、侮辱学生人格"), ("ethics_smoking", "三2 校园内吸烟"),
    ("ethics_drinking", "三3 工作日中午饮酒或酒后进课堂"), ("ethics_quarrel", "三4 在学生面前争执、争吵、打闹"),
    ("ethics_fines", "三5 私自罚款等非法手段惩戒学生"), ("ethics_slander", "三6 搬弄是非、造谣诽谤、中伤他人"),
    ("ethics_internet", "三7 工作时间上网聊天、浏览不健康网站、打游戏"),
    ("ethics_second_job", "三8 从事第二职业、举办收费辅导班"), ("ethics_brawl", "三9 校外酗酒滋事、打架斗殴"),
    ("ethics_fees", "三10 私自滥收费、乱罚款"),
    ("dereliction_disorder", "四1 不制止破坏课堂秩序导致不良后果"),
    ("dereliction_absent_injury", "四2 上课不在场或防范不当导致伤害事故"),
    ("dereliction_no_intervention", "四3 目击危险迹象未劝阻导致不良后果"),
    ("dereliction_activity", "四4 集体活动未采取防范措施导致伤害事故"),
    ("dereliction_supervision", "四5 监管不到位导致学生外出、夜不归宿或安全事故"),
    ("other", "五 其它不满意行为"),
]
SANCTIONS = [("none", "不予处分"), ("workload_pay", "扣发工作量工资"), ("self_criticism", "个人书面检查"),
             ("circulated", "通报批评"), ("fine", "赔（罚）款"), ("suspension", "停职检查"),
             ("administrative", "行政处分"), ("resignation", "辞职和引咎辞职"), ("removal", "撤职"),
             ("dismissal", "解聘")]
MEASURES = [("method", "改进工作方法"), ("rule", "修改相关制度"), ("meeting", "召开专题会议")]

OFFICE, LEADER, DEPT, SUPERVISOR, COMMITTEE = "lane_office", "lane_leader", "lane_dept", "lane_supervisor", \
    "lane_committee"

p = Process(
    "p2_complaint", "家长及学生投诉处理",
    lanes=[(OFFICE, "信息督察室"), (LEADER, "相关领导"), (DEPT, "调查部门"), (SUPERVISOR, "主管领导"),
           (COMMITTEE, "校委会")],
    properties={"casePrefix": "TS", "excludeUsers": "${accused_user}", "param.reply_days": "7",
                "param.escalation_group": "主管领导",
                "publicFields": "prelim_reply_note,extension_notice,new_due,resolved"},
    doc="家长及学生投诉处理制度及实施办法：受理建档、告知领导、初步电话回复、调查、校委会研究处理意见、"
        "电话通报直至圆满解决、归档。被投诉人（accused_user）看不到本案件的任何任务。",
)
p.start("start", "收到投诉", OFFICE, 0, form=[
    *complainant_fields(CHANNELS),
    *accused_fields(),
    F("title", "投诉事由（摘要）", required=True, maxlength=200),
    F("complaint_detail", "投诉内容（投诉记录表）", required=True, maxlength=4000),
    F("forwarding_authority", "转达投诉的上级部门（上级转达时填写）", maxlength=128),
])
p.task("accept", "受理建档", OFFICE, 1, doc="填写《投诉受理记录表》：分类、受理日期、证据材料。", form=[
    F("category", "投诉类别", "enum", required=True, values=CATEGORIES),
    F("category_item", "具体情形", "enum", required=True, values=CATEGORY_ITEMS),
    F("accepted_on", "受理日期", "date", required=True),
    F("evidence", "证据材料", "file"),
    F("acceptance_note", "受理意见", maxlength=2000),
])
p.task("leader_read", "告知相关领导", LEADER, 2, doc="相关领导阅知投诉并作出批示。", form=[
    F("leader_instruction", "领导批示", required=True, maxlength=2000),
])
p.task("prelim_reply", "初步电话回复", OFFICE, 3, form=[
    F("prelim_reply_note", "初步回复内容（告知受理及答复期限）", required=True, maxlength=2000),
    F("prelim_reply_on", "回复日期", "date", required=True),
])
# §七4: seven working days from receipt (received_at, kept by the engine: no typed date moves it). While
# the investigation is open the department may ask for more time instead of reporting; the supervising
# leader (never the one who asked) approves or refuses, the complainant is told, and the extended
# investigation may ask again. §七3: both sides are heard and recorded.
MAX_EXTENSION_DAYS = 7  # one request at most doubles §七4's seven working days; it may be asked again
INVESTIGATION = [
    F("outcome", "本次提交", "enum", required=True,
      values=[("report", "调查完毕，提交调查结果"), ("extension", "特别复杂，申请延长答复时间")]),
    F("findings", "调查情况（申请延期时写目前进展）", required=True, maxlength=4000),
    F("complainant_statement", "投诉人的陈述（已听取）", required=True, maxlength=2000),
    F("accused_statement", "被投诉方的陈述或申辩（已听取）", required=True, maxlength=2000),
    F("investigation_evidence", "调查证据", "file"),
    F("status_calls", "电话回复投诉处理状态记录", maxlength=2000),
    F("extension_reason", "延期理由（申请延期时填写）", maxlength=1000,
      properties={"requiredWhen": "outcome=extension"}),
    F("extension_days", f"申请延长的工作日数（每次 1–{MAX_EXTENSION_DAYS} 个）", "long", min=1,
      max=MAX_EXTENSION_DAYS, properties={"requiredWhen": "outcome=extension"}),
]
DUE = "${add_working_days_from(received_at, reply_days)}"
# An approved extension adds the requested working days to the deadline in force (the first one from
# receipt, a later one from the last approved date): computed, shown to the approver before deciding
# and to the office that tells the complainant; nobody types a date or a total, so none can shorten or
# stretch it beyond what was asked and approved.
EXTENSION_DUE = ("${add_working_days_from(new_due if 'investigate_extended' in done_by "
                 "else add_working_days_from(received_at, reply_days), extension_days)}")
DUE_EXTENDED = "${new_due}"
p.xor("m_investigate", None, DEPT, 4)
p.task("investigate", "调查核实", DEPT, 5, dueDate=DUE,
       doc="与相关部门协作展开调查，听取双方陈述；电话回复投诉人处理状态及过程并存档。需要延期时在此申请。",
       form=INVESTIGATION)
p.boundary("investigate_overdue", "超期", "investigate", ("timeDate", DUE))
p.task("escalate", "超期投诉督办", SUPERVISOR, 6, row=1, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated", "已督办（调查继续）", SUPERVISOR, 7, row=1)
p.xor("gw_extension", "申请延期？", DEPT, 6)
p.xor("m_extension", None, SUPERVISOR, 7)
p.task("approve_extension", "审批延期申请", SUPERVISOR, 8,
       props={"excludeUsers": "${done_by.get('investigate_extended', done_by.get('investigate'))}"}, form=[
           F("extension_days_asked", "申请延长的工作日数", "long", readonly=True, default="${extension_days}"),
           F("extension_due", "批准后的答复期限", "date", readonly=True, default=EXTENSION_DUE),
           F("extension_approved", "批准延期", "boolean", required=True),
           F("extension_opinion", "审批意见", required=True, maxlength=1000),
       ])
p.xor("gw_extension_approved", "批准？", SUPERVISOR, 9, label_pos="bottom")
p.task("notify_extension", "向投诉人说明延期", OFFICE, 10, form=[
    F("new_due", "新的答复期限（查询页上投诉人也能看到）", "date", readonly=True, default="${extension_due}"),
    F("extension_notice", "向投诉人说明的延期原因", required=True, maxlength=1000),
    F("extension_notified", "已告知投诉人", "boolean", required=True),
])
p.xor("m_extended", None, DEPT, 11, row=1)
p.task("investigate_extended", "延期调查核实", DEPT, 12, row=1, dueDate=DUE_EXTENDED, form=INVESTIGATION)
p.boundary("extended_overdue", "超期", "investigate_extended", ("timeDate", DUE_EXTENDED))
p.task("escalate_extended", "延期超期督办", SUPERVISOR, 13, row=1, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated_extended", "已督办（调查继续）", SUPERVISOR, 14, row=1)
p.xor("gw_extension_again", "再申请延期？", DEPT, 13, row=1)
p.xor("gw_refused_where", "已延期过？", SUPERVISOR, 10, row=1)
p.xor("m_report", None, DEPT, 15)
p.task("written_report", "书面报告领导", OFFICE, 16, doc="将调查处理结果以书面形式上交有关领导征求意见。",
       form=[F("report_text", "书面报告", required=True, maxlength=4000),
             F("report_file", "报告附件", "file")])
p.task("leaders_consulted", "领导对处理结果提出意见", LEADER, 17, form=[
    F("leader_opinion", "领导意见", required=True, maxlength=2000),
])
p.task("decide", "校委会研究处理意见", COMMITTEE, 18, form=[
    F("substantiated", "投诉问题属实", "boolean", required=True),
    F("decision", "处理意见", required=True, maxlength=4000),
    F("sanction", "处分", "enum", required=True, values=SANCTIONS),
    F("sanction_detail", "处分说明（依据教职工纪律处罚条例）", maxlength=2000),
])
p.xor("gw_substantiated", "属实？", COMMITTEE, 19, label_pos="bottom")
p.task("rectify", "致歉与整改", DEPT, 20, doc="确系教职工过错：向家长及学生致歉，及时纠正，并采取措施防止再次发生。",
       form=[F("apology_made", "已向投诉人致歉", "boolean", required=True),
             F("correction", "纠正措施", required=True, maxlength=2000),
             F("preventive_measure", "防范措施", "enum", required=True, values=MEASURES),
             F("preventive_detail", "措施说明", maxlength=2000)])
p.xor("m_call", None, OFFICE, 21)
p.task("phone_result", "电话通报处理结果", OFFICE, 22, form=[
    F("call_record", "通话记录", required=True, maxlength=2000),
    F("resolved", "投诉人满意，问题圆满解决", "boolean", required=True),
])
p.xor("gw_resolved", "圆满解决？", OFFICE, 23)
p.task("follow_up", "跟进处理", DEPT, 24, form=[
    F("follow_up_action", "进一步处理措施", required=True, maxlength=2000),
])
p.xor("gw_forwarded", "上级转达？", OFFICE, 25)
p.task("report_upward", "向上级汇报处理意见", OFFICE, 26, row=1, form=[
    F("upward_report", "向上级部门汇报的处理意见", required=True, maxlength=2000),
    F("upward_reported_on", "汇报日期", "date", required=True),
])
p.xor("m_archive", None, OFFICE, 27)
p.task("archive", "记录建档", OFFICE, 28, doc="全过程资料归档；记录不得涂改、撕毁、造假（审计日志防篡改）。", form=[
    F("archive_summary", "归档摘要", required=True, maxlength=2000),
    F("archive_files", "归档材料", "file"),
])
p.end("end", "投诉办结", OFFICE, 29)

p.chain("start", "accept", "leader_read", "prelim_reply", "m_investigate", "investigate", "gw_extension")
p.flow("investigate_overdue", "escalate")
p.flow("escalate", "end_escalated")
p.flow("gw_extension", "m_extension", "是", "${outcome == 'extension'}")
p.flow("gw_extension", "m_report", "否", default=True)
p.chain("m_extension", "approve_extension", "gw_extension_approved")
p.flow("gw_extension_approved", "notify_extension", "批准", "${extension_approved}")
p.flow("gw_extension_approved", "gw_refused_where", "不批准", default=True, turn="early")
p.flow("gw_refused_where", "m_extended", "是", "${'investigate_extended' in done_by}", label_last=True)
p.flow("gw_refused_where", "m_investigate", "否", default=True, via="below")
p.flow("notify_extension", "m_extended", turn="late")
p.chain("m_extended", "investigate_extended", "gw_extension_again")
p.flow("extended_overdue", "escalate_extended")
p.flow("escalate_extended", "end_escalated_extended")
p.flow("gw_extension_again", "m_extension", "是", "${outcome == 'extension'}", via="above")
p.flow("gw_extension_again", "m_report", "否", default=True)
p.chain("m_report", "written_report", "leaders_consulted", "decide", "gw_substantiated")
p.flow("gw_substantiated", "rectify", "属实", "${substantiated}", turn="late")
p.flow("gw_substantiated", "m_call", "不属实", default=True)
p.flow("rectify", "m_call")
p.chain("m_call", "phone_result", "gw_resolved")
p.flow("gw_resolved", "follow_up", "未解决", "${!resolved}")
p.flow("follow_up", "m_call")
p.flow("gw_resolved", "gw_forwarded", "已解决", default=True)
p.flow("gw_forwarded", "report_upward", "是", "${channel == 'forwarded'}")
p.flow("gw_forwarded", "m_archive", "否", default=True)
p.flow("report_upward", "m_archive")
p.chain("m_archive", "archive", "end")

s = Process(
    "p2_weekly_stats", "投诉情况每周统计",
    lanes=[("lane_stats_office", "信息督察室"), ("lane_stats_committee", "校委会")],
    properties={"casePrefix": "TJ", "statistics": "p2_complaint", "statisticsPeriod": "P7D"},
    doc="投诉记录的统计由信息督察室负责，每周呈报校委会（每次触发新建一个统计案件）。",
)
s.start("stats_start", "每周首个工作日 9:00", "lane_stats_office", 0,
        timer=("timeCycle", "0 0 9 ? * MON"), properties={"workingDay": "next"})
s.task("stats_compile", "编制每周投诉统计", "lane_stats_office", 1, form=[
    *report_fields(),
    F("corrections", "纠正和跟踪情况", maxlength=4000),
])
s.task("stats_review", "校委会审阅统计", "lane_stats_committee", 2, form=[
    F("stats_remarks", "校委会意见", maxlength=2000),
])
s.end("stats_end", "已呈报", "lane_stats_committee", 3)
s.chain("stats_start", "stats_compile", "stats_review", "stats_end")

DEFINITIONS = Definitions(
    "p2_parent_student_complaints", "p2_parent_student_complaints.bpmn", "家长及学生投诉处理制度及实施办法",
    [p, s],
    clauses=[
        ("§三 接受投诉的形式", "电话、来访、来信、投诉箱，及上级有关部门转达；投诉记录表：投诉人、电话、被投诉部门（个人）、事由",
         ["start", "accept"]),
        ("§四 投诉情形", "五类投诉情形及其具体条目（投诉类别、具体情形）", ["accept"]),
        ("§五1–2 受理建档、告知相关领导", "受理建档并告知相关领导", ["accept", "leader_read"]),
        ("§五3 初步电话回复、协作调查", "初步电话回复；与相关部门协作调查，电话回复处理状态并存档",
         ["prelim_reply", "investigate"]),
        ("§五4 书面上报、征求领导意见、校委会研究处理意见", "处理结果书面上交领导，领导提出意见后校委会研究做出处理意见",
         ["written_report", "leaders_consulted", "decide"]),
        ("§七3 听取双方意见", "调查表单必填投诉人陈述和被投诉方陈述（两次调查任务都一样）",
         ["investigate", "investigate_extended"]),
        ("§五4 电话通报直至圆满解决", "电话通报处理情况，未解决则继续跟进，直至圆满解决",
         ["phone_result", "gw_resolved", "follow_up", "m_call"]),
        ("§五5 记录建档、不得涂改", "如实记录、归档；记录不可更改（审计日志哈希链）", ["archive"]),
        ("§五6 每周呈报校委会", "投诉统计每周呈报校委会（定时启动，每周一个新案件）",
         ["stats_start", "stats_compile", "stats_review"]),
        ("§六 对被投诉者的处理", "核查属实，校委会视情节给予处分", ["decide", "gw_substantiated"]),
        ("§七2 致歉、纠正、防范措施", "确系教职工过错：致歉、纠正并采取措施", ["rectify"]),
        ("§七4 七个工作日内处理", "自受理（received_at，引擎记录的收案时间，不是填写的日期）起 reply_days 个工作日"
         "（默认 7）内作出处理；超期督办",
         ["investigate", "investigate_overdue", "escalate"]),
        ("§七4 经主管领导批准延期并向投诉人说明", "调查未结时即可申请延期（可多次）；主管领导（不是申请人）批准或不批准，"
         "每次申请写明延长的工作日数（1–7）；新期限由系统算出：在现行期限上加批准的工作日数（审批人看到、"
         "不能改写），批准的告知投诉人新的答复期限（公开字段 new_due、extension_notice）",
         ["gw_extension", "m_extension", "approve_extension", "gw_extension_approved", "gw_refused_where",
          "notify_extension", "investigate_extended", "gw_extension_again", "extended_overdue",
          "escalate_extended"]),
        ("第三篇 四5 上级转达的投诉", "把处理意见向上级汇报", ["gw_forwarded", "report_upward"]),
        ("被投诉人不得查看", "excludeUsers=${accused_user}：被投诉人看不到任何任务", ["p2_complaint"]),
    ],
)
