"""P3 九 档案与数据分析, 八 定期总结: each month, on its last working day, a hot-issue analysis case starts
with the counts the engine computed from the complaint records; staff analyse trends, management reads it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
START = {"complainant_name": "林女士", "complainant_phone": "13700000000", "accused_department": "教学部",
         "title": "课堂上讽刺学生", "complaint_detail": "孩子多次被点名讽刺"}


@pytest.fixture
def p3(procedure):
    p = procedure("p3_institution_parent_complaints.bpmn")
    p.people(tan="投诉受理人员", gao="责任部门", guan="管理层")
    return p


def test_hot_issue_analysis_each_month_end_with_counts_from_the_records(p3):
    h = p3.h
    for channel in ("wechat", "wechat", "hotline"):
        h.start("p3_parent_complaint", "tan", {**START, "channel": channel})
    h.clock.set(datetime(2026, 9, 30, 16, 1, tzinfo=SH))
    assert h.fire_due().started == 1
    [task] = [t for t in h.tasks("tan") if t["name"] == "分析热点问题和趋势"]
    shown = {f["id"]: f["value"] for f in task["form"] if f["readonly"]}
    assert (shown["stat_received"], shown["stat_open"], shown["stat_by_channel"]) == (3, 3, "wechat 2；hotline 1")
    assert shown["stat_by_procedure"] == "教育机构家长投诉处理 3"
    h.do("tan", "分析热点问题和趋势", {"trends": "微信渠道集中", "common_problems": "课堂言行"})
    p3.only("管理层审阅", sees=["guan"], blind=["tan", "gao"])
    h.do("guan", "管理层审阅", {"decision": "开展师德培训"})
    [analysis] = p3.instances("p3_hot_issues")
    assert analysis.status == "completed"
    assert p3.data(analysis.id)["stat_received"] == 3  # kept with the analysis case
    h.clock.set(datetime(2026, 10, 30, 16, 1, tzinfo=SH))  # 31 October is a Saturday
    assert h.fire_due().started == 1
