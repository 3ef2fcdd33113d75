"""P1.8 接访室档案查阅 (seed 000 §六(四)): an archive access request, approved by the head of the room."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

APPLICANT, HEAD, STAFF = "lane_applicant", "lane_head", "lane_staff"

p = Process(
    "p1_archive_access", "接访室档案查阅",
    lanes=[(APPLICANT, "查阅申请人"), (HEAD, "接访室负责人"), (STAFF, "接访人员")],
    properties={"casePrefix": "DA"},
    doc="因工作需要查阅接访室档案：填写《档案查阅申请表》，接访室负责人批准后在接访室内查阅，"
        "不得带出、涂改；查阅过程登记。申请人的任务只分派给申请人本人。",
)
p.start("start", "需要查阅档案", APPLICANT, 0)
p.task("apply", "填写档案查阅申请表", APPLICANT, 1, assignee="${initiator}", form=[
    F("applicant_name", "申请人", required=True, maxlength=64),
    F("applicant_department", "所在部门", required=True, maxlength=128),
    F("title", "查阅事由", required=True, maxlength=200),
    F("requested_records", "查阅的档案（案件编号或范围）", required=True, maxlength=500),
    F("requested_on", "拟查阅日期", "date", required=True),
])
# Nobody approves, or supervises, their own access to the archive (a head of the room or a reception
# staff member may need to read it too).
NOT_SELF = {"excludeUsers": "${initiator}"}
p.task("approve", "审批查阅申请", HEAD, 2, props=NOT_SELF, form=[
    F("access_approved", "批准查阅", "boolean", required=True),
    F("approval_opinion", "审批意见", required=True, maxlength=1000),
])
p.xor("gw_approved", "批准？", HEAD, 3)
p.task("told_rejected", "知悉未获批准", APPLICANT, 4, assignee="${initiator}", form=[
    F("rejection_acknowledged", "已知悉", "boolean", required=True),
])
p.end("end_rejected", "未予查阅", APPLICANT, 5)
p.task("supervise", "现场查阅并登记", STAFF, 4, props=NOT_SELF, doc="在接访室指定地点查阅，只读，不得带出、涂改、标记；登记查阅情况。",
       form=[
           F("read_on", "查阅日期", "date", required=True),
           F("records_shown", "提供查阅的档案", required=True, maxlength=500),
           F("read_only_kept", "仅阅览，未带出、未涂改", "boolean", required=True),
           F("access_log", "查阅登记", required=True, maxlength=1000),
       ])
p.end("end", "查阅完毕", STAFF, 5)
p.chain("start", "apply", "approve", "gw_approved")
p.flow("gw_approved", "supervise", "批准", "${access_approved}")
p.flow("gw_approved", "told_rejected", "不批准", default=True)
p.flow("told_rejected", "end_rejected")
p.flow("supervise", "end")

DEFINITIONS = Definitions(
    "p1_archive_access", "p1_archive_access.bpmn", "接访室档案查阅", [p],
    clauses=[
        ("§六(四)1 档案查阅申请", "填写《档案查阅申请表》，经接访室负责人批准；申请人不能批准或登记自己的查阅"
         "（excludeUsers=${initiator}）", ["apply", "approve", "gw_approved", "supervise"]),
        ("§六(四)2 查阅要求", "指定地点查阅，不得带出、涂改；查阅登记（只读，审计日志记录）", ["supervise"]),
        ("未批准", "告知申请人", ["told_rejected"]),
    ],
)
