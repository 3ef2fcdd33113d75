"""Form fields and enumerations shared by several procedures."""
from __future__ import annotations

from tools.bpmn_builder import F, Field



def complainant_fields(channels: list[tuple[str, str]]) -> list[Field]:
    """Who complains, how to reach them, through which channel."""
    return [
        F("complainant_name", "投诉人姓名", required=True, maxlength=64),
        F("complainant_phone", "联系电话", required=True, maxlength=32),
        F("channel", "投诉渠道", "enum", required=True, values=channels),
    ]


def accused_fields() -> list[Field]:
    """Who the complaint is about; ``accused_user`` keeps that person away from the case."""
    return [
        F("accused_department", "被投诉部门", maxlength=128),
        F("accused_name", "被投诉人姓名", maxlength=64),
        F("accused_user", "被投诉人系统账号（该人看不到本案件）", maxlength=64),
    ]


def deadline(days: str, since: str = "received_at") -> str:
    """Due at the end of the office day ``days`` working days after ``since`` (by default the moment the
    engine received the case, a fact no form can set).

    Counted from ``since``, never from today: a task re-created by a loop keeps the deadline, and shows
    as overdue once it has passed (``max(0, …)`` from today made it "due today" for ever).
    """
    return f"${{add_working_days_from({since}, {days})}}"


def report_fields() -> list[Field]:
    """The counts the engine puts into a report case (``engine/cases/statistics.py``), shown read-only."""
    return [
        F("stat_period", "统计期间", readonly=True),
        F("stat_received", "受理数", "long", readonly=True),
        F("stat_closed", "办结数", "long", readonly=True),
        F("stat_open", "仍在处理数", "long", readonly=True),
        F("stat_overdue", "超期数", "long", readonly=True),
        F("stat_satisfied", "满意数", "long", readonly=True),
        F("stat_dissatisfied", "不满意数", "long", readonly=True),
        F("stat_by_procedure", "按流程", readonly=True),
        F("stat_by_category", "按类别", readonly=True),
        F("stat_by_channel", "按渠道", readonly=True),
        F("stat_by_status", "按状态", readonly=True),
        F("stat_hot_issues", "热点问题（按归档标签）", readonly=True),
    ]
