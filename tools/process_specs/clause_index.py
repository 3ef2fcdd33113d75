"""PROCEDURES.md item by item: where each numbered item is encoded.

Each entry is (item, short text, where). ``where`` is a list of (file, clause label) naming rows of that
file's clause table (whose element ids the page then lists), or a sentence saying which part of the
engine or UI does it and where that lives. ``tests/processes/test_clause_index.py`` fails when a named
row no longer exists, so the index cannot silently rot.
"""
from __future__ import annotations

P1, P1A, P2, P3, P4, P5 = ("p1_visitor_reception.bpmn", "p1_archive_access.bpmn",
                           "p2_parent_student_complaints.bpmn", "p3_institution_parent_complaints.bpmn",
                           "p4_trainee_complaints.bpmn", "p5_communication_groups.bpmn")
BOX = "p2_complaint_box_round.bpmn"
HOSPITAL, SERVICE = "examples/hospital_complaints.bpmn", "examples/customer_service_complaints.bpmn"

INDEX: list[tuple[str, str, list[tuple[str, str]] | str]] = [
    ("P1 1", "来访登记，不完整退回", [(P1, "§二(一) 来访登记")]),
    ("P1 2", "接访沟通", [(P1, "§二(二)1–2 接访沟通")]),
    ("P1 3", "职责范围、转接", [(P1, "§二(二)3 职责范围")]),
    ("P1 4", "当场答复或告知期限、专人调查、证据、协调会议",
     [(P1, "§二(三)1 问题处理"), (P1, "§二(三)2 收集证据"), (P1, "§二(三)3 协调会议")]),
    ("P1 5", "期限内答复、依据、不满意的申诉途径", [(P1, "§二(四)1–2 答复反馈")]),
    ("P1 6", "建立来访档案、不得更改", [(P1, "§二(四)3、§六 建立来访档案")]),
    ("P1 7", "答复超期升级", [(P1, "§四(二)2 不得拖延不办")]),
    ("P1 8", "档案查阅申请", [(P1A, "§六(四)1 档案查阅申请"), (P1A, "§六(四)2 查阅要求"), (P1A, "未批准")]),
    ("P1 9", "保密", [(P1, "§四(三) 保密")]),
    ("P1 10", "离岗代班", [(P1, "§四(一)2 离岗代班")]),
    ("P1 11", "定期总结汇报（系统计数）", [(P1, "§三(二)5 定期总结汇报")]),
    ("P2 1", "投诉渠道、记录表", [(P2, "§三 接受投诉的形式"), (P2, "第三篇 四5 上级转达的投诉")]),
    ("P2 2", "投诉情形五类", [(P2, "§四 投诉情形")]),
    ("P2 3", "受理建档、初步回复、协作调查、书面上报、校委会、电话通报直至解决、归档",
     [(P2, "§五1–2 受理建档、告知相关领导"), (P2, "§五3 初步电话回复、协作调查"),
      (P2, "§五4 书面上报、征求领导意见、校委会研究处理意见"), (P2, "§五4 电话通报直至圆满解决"), (P2, "§五5 记录建档、不得涂改")]),
    ("P2 3 投诉箱每日开启 §三(四)", "每日开箱", [(BOX, "§三(四) 投诉箱每天开启")]),
    ("P2 3 §七2–3 一视同仁、双方陈述", "每件都调查答复；听取双方",
     [(P2, "§五3 初步电话回复、协作调查"), (P2, "§七3 听取双方意见")]),
    ("P2 4", "七个工作日、延期审批并告知",
     [(P2, "§七4 七个工作日内处理"), (P2, "§七4 经主管领导批准延期并向投诉人说明")]),
    ("P2 5", "属实的处分；教职工过错致歉纠正",
     [(P2, "§六 对被投诉者的处理"), (P2, "§七2 致歉、纠正、防范措施")]),
    ("P2 6", "上级转达的向上级汇报", [(P2, "第三篇 四5 上级转达的投诉")]),
    ("P2 7", "每周统计（系统计数、首个工作日）", [(P2, "§五6 每周呈报校委会")]),
    ("P2 被投诉人", "被投诉人看不到案件", [(P2, "被投诉人不得查看")]),
    ("P2 示例：医院", "登记告知、重大即时报告、两日说明、讨论定性、一周告知与延期告知、全部途径、反馈、定期分析",
     [(HOSPITAL, "总则1、登记程序2"), (HOSPITAL, "管理制度1"), (HOSPITAL, "登记程序3"), (HOSPITAL, "登记程序4"),
      (HOSPITAL, "管理制度3"), (HOSPITAL, "登记程序5、总则2"), (HOSPITAL, "登记程序6"), (HOSPITAL, "管理制度5")]),
    ("P2 示例：客服回访", "登记、轻微直接答复、重大经理决定、跟踪、告知结果、回访、归档、被投诉人回避",
     [(SERVICE, "一、二 统一登记"), (SERVICE, "四 轻微与重要投诉"), (SERVICE, "三、五 责成处理与跟踪"),
      (SERVICE, "五、六 告知结果"), (SERVICE, "六 回访与归档"), (SERVICE, "被投诉人回避")]),
    ("P3 1", "投诉渠道", [(P3, "一 投诉渠道")]),
    ("P3 2", "受理登记、唯一编号", [(P3, "二 受理与登记")]),
    ("P3 3", "分类、优先级", [(P3, "三 分类与初步分析")]),
    ("P3 4", "责任部门和岗位、专门小组", [(P3, "四 责任分配")]),
    ("P3 5", "调查核实", [(P3, "五 调查与核实")]),
    ("P3 6", "处理方案与反馈", [(P3, "六 处理方案与反馈")]),
    ("P3 7", "每项措施各有责任人和日期，分别跟踪、逾期各自督办", [(P3, "七 落实与跟踪")]),
    ("P3 8", "满意度、复议、定期总结", [(P3, "八 闭环：满意度确认与复议"), (P3, "八 定期总结共性问题")]),
    ("P3 9", "档案与热点分析（系统计数）", [(P3, "九 档案与数据分析")]),
    ("P3 10", "家长查看进度和结果", [(P3, "流程优化建议：信息透明")]),
    ("P4 1", "接收与安抚", [(P4, "二1 接收与安抚")]),
    ("P4 2", "记录与确认", [(P4, "二2 记录与确认")]),
    ("P4 3", "评估分类、当场解决或上报", [(P4, "二3 评估与分类")]),
    ("P4 4", "调查核实", [(P4, "二4 调查与核实")]),
    ("P4 5", "方案与审批、集体讨论", [(P4, "二5 方案制定与审批")]),
    ("P4 6", "沟通、再协商、实施", [(P4, "二6 沟通与实施"), (P4, "二6 调整后再审批")]),
    ("P4 7", "反馈与满意度、异议升级", [(P4, "二7 反馈与满意度")]),
    ("P4 8", "归档与复盘", [(P4, "二8 归档与复盘")]),
    ("P4 原则", "保密、进度更新、及时响应并告知期限；审批人不是方案作者",
     [(P4, "一 原则：保密"), (P4, "一 原则：进度更新"), (P4, "一3 及时响应"), (P4, "二5 方案制定与审批")]),
    ("P5 群主", "群主由群类别决定；班级家长群的事项只到该班班主任；不审核自己的事项", [(P5, "群成员管理：群主")]),
    ("P5 1", "加入", [(P5, "群成员退出与加入 2 加入群聊")]),
    ("P5 2", "退出", [(P5, "群成员退出与加入 1 退出群聊")]),
    ("P5 3", "公告与通知", [(P5, "信息发布管理、群公告管理")]),
    ("P5 4", "违规处理", [(P5, "违规处理")]),
    ("P5 5", "记录保存期限", [(P5, "群记录管理 2 保存期限")]),
    ("全部 记录不可更改", "审计日志", "the engine: every step is an event of the hash-chained audit log "
     "(`engine/cases/audit.py`, `schoolflow audit verify`), not a BPMN element"),
    ("全部 期限", "工作日与校历", "the engine: working days on the school calendar (`engine/time/school_calendar.py`) "
     "and timers fired by the worker (`engine/runtime/sweeps.py`); README, \"Deadlines and the school calendar\""),
    ("全部 督办与死路", "督办不结束被督办的工作；每个决定都有出路", "the files: every escalation timer is "
     "non-interrupting (the chased task stays open and goes on to its answer; the end 已督办… closes only the "
     "chasing) and every decision has a default flow, checked by `tests/processes/test_no_dead_ends.py`; a task "
     "whose person or group has no member is reassigned by an administrator (README)"),
    ("全部 查询进度", "投诉人查看", "the engine and the web UI: tracking codes (`engine/cases/tracking_codes.py`, "
     "`engine/views/tracking.py`) and the public page `/track` (`webui/`)"),
]
