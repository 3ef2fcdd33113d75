"""P2 §三(四): the complaint box is opened every day (its own file, so its daily cases stay apart from the
complaint procedure's)."""
from __future__ import annotations

from tools.bpmn_builder import Definitions, F, Process

b = Process(
    "p2_box_round", "投诉箱每日开箱",
    lanes=[("lane_box_office", "信息督察室")],
    properties={"casePrefix": "KX"},
    doc="§三(四)：投诉箱每天开启一次；记录箱内有无投诉信件，有的逐件登记为投诉案件（渠道：投诉箱投诉）。",
)
b.start("box_start", "每天 8:00", "lane_box_office", 0, timer=("timeCycle", "R/2026-09-01T08:00:00+08:00/P1D"))
b.task("box_open", "开启投诉箱并登记", "lane_box_office", 1, dueDate="${add_working_days(0)}", form=[
    F("box_opened_on", "开箱日期", "date", required=True),
    F("letters_found", "箱内投诉信件数", "long", required=True, min=0),
    F("letters_registered", "已逐件登记为投诉案件的编号", maxlength=2000),
])
b.end("box_end", "已开箱", "lane_box_office", 2)
b.chain("box_start", "box_open", "box_end")

DEFINITIONS = Definitions(
    "p2_complaint_box_round", "p2_complaint_box_round.bpmn", "家长及学生投诉处理制度：投诉箱每日开箱", [b],
    clauses=[
        ("§三(四) 投诉箱每天开启", "每天定时启动一个开箱案件：当天办结，登记箱内信件数及已登记的投诉案件编号",
         ["box_start", "box_open"]),
    ],
)
