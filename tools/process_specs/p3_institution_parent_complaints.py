"""P3 教育机构家长投诉处理流程 (seed 002)."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Node, Process

from .common import accused_fields, complainant_fields, report_fields

CHANNELS = [("hotline", "电话热线"), ("email", "电子邮箱"), ("website", "官方网站留言"),
            ("wechat", "微信公众号"), ("mini_program", "微信小程序"), ("counter", "现场投诉柜台")]
CATEGORIES = [("teaching", "教学质量"), ("teacher_behaviour", "教师行为"), ("student_management", "学生管理"),
              ("logistics", "后勤保障"), ("administration", "行政服务"), ("safety", "校园安全"),
              ("other", "其他特殊问题")]
LEVELS = [("low", "一般"), ("medium", "较重"), ("high", "严重")]
URGENCY = [("low", "不紧急"), ("medium", "较急"), ("high", "紧急")]
SCOPE = [("individual", "个别学生"), ("class", "班级或年级"), ("institution", "全机构")]
# Urgent or serious complaints first: 0–100, Camunda's default being 50.
PRIORITY = ("${20 + (30 if severity == 'high' else 15 if severity == 'medium' else 0)"
            " + (30 if urgency == 'high' else 15 if urgency == 'medium' else 0)"
            " + (20 if scope == 'institution' else 10 if scope == 'class' else 0)}")

INTAKE, DEPT, TEAM, REVIEW, MGMT = "lane_intake", "lane_dept", "lane_team", "lane_review", "lane_mgmt"

p = Process(
    "p3_parent_complaint", "教育机构家长投诉处理",
    lanes=[(INTAKE, "投诉受理人员"), (DEPT, "责任部门"), (TEAM, "专项处理小组"), (REVIEW, "复议小组"),
           (MGMT, "管理层")],
    properties={"casePrefix": "JG", "excludeUsers": "${accused_user}", "param.reply_days": "5",
                "param.escalation_group": "管理层", "publicFields": "feedback_content,satisfaction"},
    doc="受理登记并编号、分类和优先级、责任分配、调查核实、处理方案与反馈、落实跟踪、满意度确认（不满意复议）、"
        "归档分析。家长凭案件编号和查询码查看进度和结果"
        "（publicFields：反馈内容、满意度）。",
)
p.start("start", "家长投诉", INTAKE, 0, form=[
    *complainant_fields(CHANNELS), *accused_fields(),
    F("title", "投诉事项（摘要）", required=True, maxlength=200),
    F("complaint_detail", "投诉内容", required=True, maxlength=4000),
])
p.task("accept", "受理登记", INTAKE, 1, doc="每件投诉得到唯一编号（案件编号）；有歧义的及时与投诉人确认。", form=[
    F("accepted_on", "受理日期", "date", required=True),
    F("clarification", "与投诉人确认的内容", maxlength=2000),
    F("category", "投诉类别", "enum", required=True, values=CATEGORIES),
    F("severity", "严重程度", "enum", required=True, values=LEVELS),
    F("urgency", "紧急程度", "enum", required=True, values=URGENCY),
    F("scope", "影响范围", "enum", required=True, values=SCOPE),
])
p.xor("m_assign", None, INTAKE, 2)
p.task("assign", "分配处理责任", INTAKE, 3, priority=PRIORITY, form=[
    F("responsible_department", "责任部门", required=True, maxlength=128),
    F("responsible_post", "责任岗位", required=True, maxlength=128),
    F("special_team", "成立专门处理小组", "boolean", required=True),
])
p.xor("gw_team", "专门小组？", DEPT, 4)
# 四/五: the investigation reaches the department named at assignment (its group) and is due reply_days
# working days from receipt (received_at, kept by the engine); an overdue one is escalated.
DUE = "${add_working_days_from(received_at, reply_days)}"
INVESTIGATION = [
    F("findings", "调查情况（证据、访谈、资料、实地核查）", required=True, maxlength=4000),
    F("statements", "投诉人、被投诉人及相关人员陈述", maxlength=4000),
    F("investigation_evidence", "证据材料", "file"),
    F("founded", "投诉属实（需要整改）", "boolean", required=True),
]
p.task("investigate_dept", "责任部门调查核实", DEPT, 5, priority=PRIORITY, dueDate=DUE,
       candidateGroups="${responsible_department}", form=INVESTIGATION)
p.boundary("dept_overdue", "超期", "investigate_dept", ("timeDate", DUE))
p.task("investigate_team", "专项小组调查核实", TEAM, 6, priority=PRIORITY, dueDate=DUE, form=INVESTIGATION)
p.boundary("team_overdue", "超期", "investigate_team", ("timeDate", DUE))
p.task("escalate_dept", "督办超期调查", MGMT, 5, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated_dept", "已督办（调查继续）", MGMT, 5, row=1)
p.task("escalate_team", "督办超期专项调查", MGMT, 7, row=1, candidateGroups="${escalation_group}",
       form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
p.end("end_escalated_team", "已督办（调查继续）", MGMT, 8, row=1)
p.xor("m_plan", None, DEPT, 7)
p.xor("gw_founded", "属实？", DEPT, 8)
# 六/七: a plan follows every investigation, founded or not: rectification (or improvement), and up to
# MEASURES measures, each with its own owner and date (the first one always; a later one's owner and
# date as soon as it is written: requiredWhen).
MEASURES = 3


def measure_fields() -> list:
    out = []
    for k in range(1, MEASURES + 1):
        first = k == 1
        out += [
            F(f"measure_{k}", f"措施{k}" + ("" if first else "（可选）"), required=first, maxlength=1000,
              properties={} if first else {"requiredWhen": f"measure_{k}_owner,measure_{k}_due"}),
            F(f"measure_{k}_owner", f"措施{k}责任人账号", required=first, maxlength=64,
              properties={} if first else {"requiredWhen": f"measure_{k}"}),
            F(f"measure_{k}_due", f"措施{k}完成日期", "date", required=first,
              properties={} if first else {"requiredWhen": f"measure_{k}"}),
        ]
    return out


p.task("plan", "制定处理方案", DEPT, 9, priority=PRIORITY, candidateGroups="${responsible_department}", form=[
    F("rectification", "整改措施", required=True, maxlength=2000),
    F("accountability", "责任追究", maxlength=2000),
    F("compensation", "赔偿或补偿建议", maxlength=2000),
    F("follow_up_plan", "后续跟进安排", maxlength=2000),
    *measure_fields(),
])
p.task("plan_unfounded", "说明不属实并制定改进方案", DEPT, 9, row=1, priority=PRIORITY,
       candidateGroups="${responsible_department}", form=[
    F("unfounded_reason", "不属实的依据", required=True, maxlength=2000),
    F("rectification", "改进措施（沟通、说明或管理改进）", required=True, maxlength=2000),
    F("follow_up_plan", "后续跟进安排", maxlength=2000),
    *measure_fields(),
])
p.xor("m_feedback", None, INTAKE, 10)
p.task("feedback", "反馈处理结果", INTAKE, 11, form=[
    F("feedback_content", "向投诉人说明的调查情况、处理措施和后续安排（不属实的说明理由）", required=True,
      maxlength=4000),
    F("feedback_on", "反馈日期", "date", required=True),
])
# 七: every measure is followed up by its own owner until done, due on its own date: one parallel branch
# per measure row (a row left empty passes straight to the join), joined before satisfaction is asked.
# A measure's date escalates once: a later follow-up round arms the timer only if it starts on or
# before that date.
p._add(Node("fork_measures", "parallelGateway", None, DEPT, 12))
p._add(Node("join_measures", "parallelGateway", None, DEPT, 19.5))
for k in range(1, MEASURES + 1):
    row = k - 1
    due = f"measure_{k}_due"
    armed = f"${{{due} if ('implement_{k}' not in done_by or today() <= {due}) else '2199-12-31'}}"
    p.xor(f"m_implement_{k}", None, DEPT, 12 + k, row=row)
    p.task(f"implement_{k}", f"落实措施{k}", DEPT, 13 + k, row=row, candidateUsers=f"${{measure_{k}_owner}}",
           dueDate=f"${{{due}}}", form=[
               F(f"measure_{k}_shown", f"措施{k}", readonly=True, default=f"${{measure_{k}}}"),
               F(f"progress_{k}", "落实情况", required=True, maxlength=2000),
               F(f"measure_{k}_done", "本项措施已落实", "boolean", required=True),
           ])
    p.boundary(f"implement_{k}_overdue", "逾期", f"implement_{k}", ("timeDate", armed))
    p.task(f"escalate_{k}", f"督促逾期措施{k}", MGMT, 14 + k, row=MEASURES - k, candidateGroups="${escalation_group}",
           form=[F("escalation_note", "督办意见", required=True, maxlength=2000)])
    p.end(f"end_escalated_{k}", "已督办（落实继续）", MGMT, 15 + k, row=MEASURES - k)
    p.xor(f"gw_done_{k}", "落实完毕？", DEPT, 14 + k, row=row)
    if k > 1:  # drawn in a staircase so that no line crosses another branch's shapes
        p.xor(f"gw_has_{k}", f"有措施{k}？", DEPT, 13 if k == 2 else 12.5, row=row, label_pos="bottom")
        p.xor(f"m_out_{k}", None, DEPT, 18 if k == 2 else 18.5, row=row)
# 八: one answer decides both what is recorded and where the case goes -- no second yes/no to contradict it.
p.task("confirm", "确认满意度", INTAKE, 21, form=[
    F("satisfaction", "满意度（一般或不满意的转复议）", "enum", required=True,
      values=[("very", "很满意"), ("satisfied", "满意"), ("neutral", "一般"), ("unsatisfied", "不满意")]),
    F("complainant_opinion", "投诉人意见", maxlength=2000),
])
p.xor("gw_satisfied", "满意？", INTAKE, 22)
# 八: a review is never by someone who investigated or planned the handling under review.
NOT_HANDLER = {"excludeUsers": "${" + " + ',' + ".join(
    f"done_by.get('{t}', '')" for t in ("investigate_dept", "investigate_team", "plan", "plan_unfounded")) + "}"}
p.task("review", "复议", REVIEW, 23, props=NOT_HANDLER, form=[
    F("review_opinion", "复议意见（重新处理的要求）", required=True, maxlength=2000),
])
p.task("archive", "归档与分析", INTAKE, 23, doc="投诉材料归档；识别热点问题和趋势，为管理层决策提供依据。", form=[
    F("hot_issue", "热点问题标签", maxlength=200),
    F("analysis", "共性问题与改进措施", maxlength=4000),
])
p.end("end", "投诉闭环", INTAKE, 24)

p.chain("start", "accept", "m_assign", "assign", "gw_team")
p.flow("gw_team", "investigate_team", "是", "${special_team}")
p.flow("gw_team", "investigate_dept", "否", default=True)
p.flow("investigate_dept", "m_plan")
p.flow("investigate_team", "m_plan")
p.flow("dept_overdue", "escalate_dept")
p.flow("escalate_dept", "end_escalated_dept")
p.flow("team_overdue", "escalate_team")
p.flow("escalate_team", "end_escalated_team")
p.chain("m_plan", "gw_founded")
p.flow("gw_founded", "plan", "属实", "${founded}")
p.flow("gw_founded", "plan_unfounded", "不属实", default=True)
p.chain("plan", "m_feedback", "feedback", "fork_measures")
p.flow("plan_unfounded", "m_feedback")
for k in range(1, MEASURES + 1):
    if k == 1:  # always written (a required field)
        p.flow("fork_measures", "m_implement_1")
    else:
        p.flow("fork_measures", f"gw_has_{k}")
        p.flow(f"gw_has_{k}", f"m_implement_{k}", "有", f"${{measure_{k} is not None}}")
        # a parallel join takes one token per incoming flow: the branch's two ends merge first
        p.flow(f"gw_has_{k}", f"m_out_{k}", "无", default=True, via="below")
        p.flow(f"m_out_{k}", "join_measures")
    p.chain(f"m_implement_{k}", f"implement_{k}", f"gw_done_{k}")
    p.flow(f"implement_{k}_overdue", f"escalate_{k}")
    p.flow(f"escalate_{k}", f"end_escalated_{k}")
    p.flow(f"gw_done_{k}", f"m_implement_{k}", "继续跟进", f"${{!measure_{k}_done}}")
    p.flow(f"gw_done_{k}", "join_measures" if k == 1 else f"m_out_{k}", "已落实", default=True)
p.flow("join_measures", "confirm")
p.chain("confirm", "gw_satisfied")
p.flow("gw_satisfied", "review", "不满意", "${satisfaction not in ('very', 'satisfied')}")
p.flow("gw_satisfied", "archive", "满意", default=True)
p.flow("review", "m_assign")
p.flow("archive", "end")

hot = Process(
    "p3_hot_issues", "投诉热点定期分析",
    lanes=[("lane_hot_intake", "投诉受理人员"), ("lane_hot_mgmt", "管理层")],
    properties={"casePrefix": "RD", "statistics": "p3_parent_complaint", "statisticsPeriod": "P1M"},
    doc="每月最后一个工作日，按系统从案件记录算出的数量（类别、渠道、状态、超期、满意度、热点标签）"
        "分析热点问题和趋势、总结共性问题，报管理层决策（每次一个新案件）。",
)
hot.start("hot_start", "每月最后一个工作日 16:00", "lane_hot_intake", 0,
          timer=("timeCycle", "0 0 16 L * ?"), properties={"workingDay": "previous"})
hot.task("hot_analyse", "分析热点问题和趋势", "lane_hot_intake", 1, form=[
    *report_fields(),
    F("trends", "热点问题与趋势分析", required=True, maxlength=4000),
    F("common_problems", "共性问题与改进建议", required=True, maxlength=4000),
])
hot.task("hot_review", "管理层审阅", "lane_hot_mgmt", 2, form=[F("decision", "管理层决策意见", maxlength=2000)])
hot.end("hot_end", "已报管理层", "lane_hot_mgmt", 3)
hot.chain("hot_start", "hot_analyse", "hot_review", "hot_end")

DEFINITIONS = Definitions(
    "p3_institution_parent_complaints", "p3_institution_parent_complaints.bpmn", "教育机构家长投诉处理流程",
    [p, hot],
    clauses=[
        ("一 投诉渠道", "电话热线、电子邮箱、网站留言、微信公众号、小程序、现场柜台", ["start"]),
        ("二 受理与登记", "投诉人姓名和联系方式、时间、内容、涉及部门或人员；唯一编号（案件编号 JG-年份-序号）；"
         "有歧义的与投诉人确认", ["start", "accept"]),
        ("三 分类与初步分析", "七类；严重程度、紧急程度、影响范围决定优先级（camunda:priority）",
         ["accept", "assign", "investigate_dept", "investigate_team", "plan"]),
        ("四 责任分配", "责任部门和具体岗位；必要时成立专门处理小组；调查和方案任务发给所填责任部门的同名用户组",
         ["assign", "gw_team", "investigate_dept", "plan"]),
        ("五 调查与核实", "证据、访谈、资料、实地核查；投诉人、被投诉人及相关人员陈述；自受理（received_at）起 "
         "reply_days 个工作日内，超期督办（部门调查和专项调查都有）",
         ["investigate_dept", "investigate_team", "dept_overdue", "team_overdue", "escalate_dept",
          "escalate_team"]),
        ("六 处理方案与反馈", "属实的：整改、责任追究、赔偿或补偿、后续跟进；不属实的说明依据并仍须制定改进措施"
         "（至少一项措施及其责任人、完成日期）；结果反馈投诉人",
         ["gw_founded", "plan", "plan_unfounded", "m_feedback", "feedback"]),
        ("七 落实与跟踪", "最多三项措施，每项有自己的责任人和完成日期（写了措施就必须填责任人和日期：requiredWhen）；"
         "每项由其责任人分别跟进直至落实，期限和逾期督办按该项自己的日期，且只督办一次；全部落实后才确认满意度",
         ["fork_measures", *[i for k in range(1, MEASURES + 1) for i in (
             f"m_implement_{k}", f"implement_{k}", f"implement_{k}_overdue", f"gw_done_{k}", f"escalate_{k}")],
          "gw_has_2", "gw_has_3", "m_out_2", "m_out_3",
          "join_measures"]),
        ("八 闭环：满意度确认与复议", "满意度一个字段决定去向：一般或不满意的复议，重新处理；调查或制定方案的人不能复议（excludeUsers=${done_by…}）",
         ["confirm", "gw_satisfied", "review"]),
        ("九 档案与数据分析", "归档并标注热点问题；每月最后一个工作日由系统按案件记录统计（含热点标签）、"
         "分析热点和趋势报管理层", ["archive", "hot_start", "hot_analyse", "hot_review"]),
        ("八 定期总结共性问题", "同一定期分析案件中总结共性问题", ["hot_analyse"]),
        ("流程优化建议：信息透明", "家长凭案件编号和查询码（立案时发给家长，只存哈希）查看进度："
         "已完成和当前环节；以及结果：publicFields 声明的反馈内容和满意度（schoolflow track、网页 /track）；"
         "被投诉人看不到案件",
         ["p3_parent_complaint", "feedback", "confirm"]),
    ],
)
