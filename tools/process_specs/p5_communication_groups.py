"""P5 学校沟通群管理制度 (seed 003): joining, leaving, announcement review, violations, record retention."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

APPLICANT, OWNER, HEAD, ADMIN = "lane_applicant", "lane_owner", "lane_head", "lane_admin"
# The owner follows from the group's kind (群成员管理), never from a name the requester types. A teachers'
# work group's owner is the leader of that work group (学科组长或年级组长), a class parents' group's the head
# teacher of that class, an administrative group's the administrative staff: the members of the user group
# named after the work group or class plus a suffix parameter, e.g. 数学学科组 + 组长 = 数学学科组组长,
# 初二3班 + 班主任 = 初二3班班主任 (an administrator puts each leader in their group: no programmer, no file
# edit). Every task of the owner is open to the group administrators too (加入群聊: 群主或管理员), so a work
# group or class nobody leads yet, or an owner's own request, still has someone to act: no case waits on
# nobody. Nobody reviews a request they filed (task excludeUsers).
_OWNER = ("(work_group.strip() + work_group_leader_suffix if group_kind == 'teachers' "
          "else class_name.strip() + head_teacher_group_suffix if group_kind == 'class_parents' "
          "else owner_group_administration)")
NOT_SELF = {"excludeUsers": "${initiator}"}
# A list, not a comma-separated string: a typed name with a comma in it ("数学学科组,行政人员") stays one
# (non-existent) group name instead of adding a group of the requester's choosing.
OWNER_OR_ADMIN = {"candidateGroups": "${[" + _OWNER + ", '群管理员']}"}

p = Process(
    "p5_group_request", "沟通群管理事项",
    lanes=[(APPLICANT, "申请人"), (OWNER, "群主"), (HEAD, "部门负责人"), (ADMIN, "群管理员")],
    properties={"casePrefix": "QZ", "param.retention_years": "3",
                "param.work_group_leader_suffix": "组长", "param.head_teacher_group_suffix": "班主任",
                "param.owner_group_administration": "行政人员",
                # 违规处理: which offence this is, counted by the engine from earlier violation reports about
                # the same member of the same group (engine/cases/earlier_cases.py), never typed
                "earlierCount": "offence_count", "earlierMatch": "offender,group_name",
                "earlierWhen": "request_type=violation", "earlierUnless": "confirmed=false"},
    doc="教师工作群（群主：学科组长或年级组长）、班级家长群（群主：班主任）、行政办公群（群主：行政人员）的"
        "入群、退群、群公告审核和违规处理；群记录至少保存 retention_years 年，涉及纠纷的长期保存。",
)
p.start("start", "提出事项", APPLICANT, 0, form=[
    F("request_type", "事项", "enum", required=True,
      values=[("join", "申请入群"), ("leave", "申请退群"), ("announcement", "发布公告或学校通知"),
              ("violation", "报告违规")]),
    F("group_name", "群名称", required=True, maxlength=128),
    F("group_kind", "群类别", "enum", required=True,
      values=[("teachers", "教师工作群"), ("class_parents", "班级家长群"), ("administration", "行政办公群")]),
    F("work_group", "工作组（教师工作群必填，写法同组长用户组，如 数学学科组、初二年级组）", maxlength=64,
      properties={"requiredWhen": "group_kind=teachers"}),
    F("class_name", "班级（班级家长群必填，写法同班主任用户组，如 初二3班）", maxlength=64,
      properties={"requiredWhen": "group_kind=class_parents"}),
    F("title", "摘要", required=True, maxlength=200),
    F("applicant_details", "申请人信息（姓名、身份、联系方式）", maxlength=500),
    F("reason", "理由或说明", maxlength=2000),
    F("offender", "违规成员（报告违规必填）", maxlength=64, properties={"requiredWhen": "request_type=violation"}),
])
p.xor("gw_type", "事项类别？", APPLICANT, 1)
# joining
p.task("join_review", "审核入群申请", OWNER, 2, **OWNER_OR_ADMIN, props=NOT_SELF, form=[
    F("approved", "同意入群", "boolean", required=True), F("review_note", "审核意见", maxlength=500)])
p.xor("gw_join", "同意？", OWNER, 3)
p.end("end_join_refused", "未同意入群", OWNER, 4)
p.task("join_add", "添加入群并告知群规", ADMIN, 4, form=[
    F("rules_told", "已告知群规和注意事项", "boolean", required=True)])
p.end("end_joined", "已入群", ADMIN, 5)
# leaving
p.task("leave_review", "审核退群申请", OWNER, 2, row=1, **OWNER_OR_ADMIN, props=NOT_SELF, form=[
    F("approved", "同意退群", "boolean", required=True), F("review_note", "审核意见", maxlength=500)])
p.xor("gw_leave", "同意？", OWNER, 3, row=1)
p.end("end_leave_refused", "未同意退群", OWNER, 4, row=1)
p.task("leave_remove", "移出群聊并删除相关记录", ADMIN, 4, row=1, form=[
    F("removed", "已移出", "boolean", required=True)])
p.end("end_left", "已退群", ADMIN, 5, row=1)
# announcements
p.xor("m_draft", None, APPLICANT, 6, row=1)
p.task("draft", "起草公告", APPLICANT, 7, row=1, assignee="${initiator}", form=[
    F("announcement", "公告内容", required=True, maxlength=4000),
    F("school_notice", "学校通知（由相关部门负责人审核）", "boolean", required=True)])
p.xor("gw_notice", "学校通知？", APPLICANT, 8, row=1)
p.task("owner_review", "群主审核公告", OWNER, 9, row=2, **OWNER_OR_ADMIN, props=NOT_SELF, form=[
    F("approved", "审核通过", "boolean", required=True), F("review_note", "修改意见", maxlength=1000)])
p.task("head_review", "部门负责人审核通知", HEAD, 9, props=NOT_SELF, form=[
    F("approved", "审核通过", "boolean", required=True), F("review_note", "修改意见", maxlength=1000)])
p.xor("m_reviewed", None, APPLICANT, 10, row=1)
p.xor("gw_approved", "通过？", APPLICANT, 11, row=1)
p.task("publish", "发布公告", OWNER, 12, row=2, **OWNER_OR_ADMIN, form=[
    F("published_on", "发布日期", "date", required=True),
    F("expires_on", "有效期至（到期后须撤销或更新）", "date", required=True)])
OUTDATED = [F("outdated_action", "公告过时后的处理", "enum", required=True,
              values=[("revoke", "撤销"), ("update", "更新")]),
            F("outdated_note", "过时或不再适用的原因", maxlength=500)]
# The case waits here while the announcement is current; the owner completes the task when it is
# outdated, or its expiry date interrupts it and asks the owner what to do.
p.task("current", "公告有效中（过时或不再适用时处理）", OWNER, 13, row=2, **OWNER_OR_ADMIN, form=OUTDATED)
p.boundary("expired", "到期", "current", ("timeDate", "${expires_on}"), interrupting=True)
p.task("expired_action", "处理到期公告", OWNER, 14, row=3, **OWNER_OR_ADMIN, form=OUTDATED)
p.xor("m_outdated", None, OWNER, 15, row=2)
p.xor("gw_update", "更新？", OWNER, 16, row=2)
p.end("end_revoked", "已撤销", OWNER, 17, row=2)
# violations and record retention
p.task("violation", "核实违规情况", ADMIN, 2, row=2, form=[
    F("offender", "违规成员", readonly=True),
    F("offence_count", "第几次违规（按本群以往违规报告计算）", "long", readonly=True),
    F("offence_count_cases", "以往违规案件", readonly=True),
    F("confirmed", "经核实属实（不属实的不计入违规次数）", "boolean", required=True),
    F("serious", "情节严重", "boolean", required=True)])
p.xor("gw_first", "核实结果？", ADMIN, 3, row=2)
p.task("warn", "警告并提醒遵守群规", ADMIN, 4, row=3, form=[
    F("warning", "警告内容", required=True, maxlength=500)])
p.task("remove", "移出群聊", ADMIN, 4, row=2, form=[F("removed", "已移出", "boolean", required=True)])
p.xor("m_archive", None, ADMIN, 5, row=2)
p.task("archive", "群记录归档", ADMIN, 6, row=2, form=[
    F("records_kept", "保存的群聊记录", required=True, maxlength=500),
    F("dispute_related", "涉及重要事项或纠纷（长期保存）", "boolean", required=True)])
p.xor("gw_dispute", "长期保存？", ADMIN, 7, row=2)
p.end("end_long_term", "长期保存", ADMIN, 8, row=2)
p.timer_catch("retention_over", "保存期满", ADMIN, 8, row=3,
              timer=("timeDuration", "${'P' + str(retention_years) + 'Y'}"))
p.task("purge", "清理过期记录", ADMIN, 9, row=3, form=[F("purged", "已清理", "boolean", required=True)])
p.end("end", "记录已清理", ADMIN, 10, row=3)

p.chain("start", "gw_type")
p.flow("gw_type", "join_review", "入群", "${request_type == 'join'}", label_last=True)
p.flow("gw_type", "leave_review", "退群", "${request_type == 'leave'}", label_last=True)
p.flow("gw_type", "m_draft", "公告", "${request_type == 'announcement'}", label_last=True)
p.flow("gw_type", "violation", "违规", default=True, label_last=True)
p.chain("join_review", "gw_join")
p.flow("gw_join", "join_add", "同意", "${approved}", turn="late", label_last=True)
p.flow("gw_join", "end_join_refused", "不同意", default=True)
p.flow("join_add", "end_joined")
p.chain("leave_review", "gw_leave")
p.flow("gw_leave", "leave_remove", "同意", "${approved}")
p.flow("gw_leave", "end_leave_refused", "不同意", default=True)
p.flow("leave_remove", "end_left")
p.chain("m_draft", "draft", "gw_notice")
p.flow("gw_notice", "head_review", "是", "${school_notice}", turn="late")
p.flow("gw_notice", "owner_review", "否", default=True)
p.flow("owner_review", "m_reviewed")
p.flow("head_review", "m_reviewed")
p.chain("m_reviewed", "gw_approved")
p.flow("gw_approved", "m_draft", "退回修改", "${!approved}", via="above")
p.flow("gw_approved", "publish", "通过", default=True)
p.chain("publish", "current", "m_outdated", "gw_update")
p.flow("expired", "expired_action")
p.flow("expired_action", "m_outdated")
p.flow("gw_update", "m_draft", "更新", "${outdated_action == 'update'}")
p.flow("gw_update", "end_revoked", "撤销", default=True)
p.chain("violation", "gw_first")
p.flow("gw_first", "m_archive", "不属实", "${!confirmed}", via="above")
p.flow("gw_first", "warn", "警告", "${offence_count == 1 && !serious}")
p.flow("gw_first", "remove", "移出", default=True)
p.flow("warn", "m_archive")
p.flow("remove", "m_archive")
p.chain("m_archive", "archive", "gw_dispute")
p.flow("gw_dispute", "end_long_term", "是", "${dispute_related}")
p.flow("gw_dispute", "retention_over", "否", default=True)
p.chain("retention_over", "purge", "end")

DEFINITIONS = Definitions(
    "p5_communication_groups", "p5_communication_groups.bpmn", "学校沟通群管理制度", [p],
    clauses=[
        ("群成员管理：群主", "群主由群类别决定，不由申请人填写：教师工作群→该工作组的组长（学科组长或年级组长）："
         "用户组「工作组名称+组长」（参数 work_group_leader_suffix，如 数学学科组组长），行政办公群→行政人员（owner_group_administration），班级家长群→该班的班主任："
         "用户组「班级名称+班主任」（参数 head_teacher_group_suffix，如 初二3班班主任；管理员把班主任加入本班的组即可），"
         "其他班的班主任、其他组的组长看不到；群主的每项任务（审核、发布公告、处理过时公告）也对群管理员开放，"
         "没有组长或班主任组的群、群主本人的申请仍有人处理；"
         "提出事项的人不能审核自己的事项（excludeUsers=${initiator}）",
         ["start", "join_review", "leave_review", "owner_review", "publish", "current", "expired_action"]),
        ("群成员退出与加入 2 加入群聊", "提供信息，群主或管理员同意，添加并告知群规",
         ["join_review", "gw_join", "join_add", "end_join_refused"]),
        ("群成员退出与加入 1 退出群聊", "说明原因，群主同意后管理员移出并删除相关记录",
         ["leave_review", "gw_leave", "leave_remove"]),
        ("信息发布管理、群公告管理", "起草，群主审核（学校通知由相关部门负责人审核），发布；过时的撤销或更新",
         ["draft", "gw_notice", "owner_review", "head_review", "gw_approved", "publish", "current", "expired",
          "expired_action", "gw_update"]),
        ("违规处理", "首次违规警告；多次或情节严重移出群聊。第几次违规由引擎按同一群同一成员以往的违规报告计算"
         "（流程属性 earlierCount/earlierMatch，核实不属实的报告不计：earlierUnless），只读显示，填写的数字不能改小它",
         ["start", "violation", "gw_first", "warn", "remove"]),
        ("群记录管理 2 保存期限", "至少保存 retention_years 年（默认 3），涉及重要事项或纠纷的长期保存",
         ["archive", "gw_dispute", "end_long_term", "retention_over", "purge"]),
    ],
)
