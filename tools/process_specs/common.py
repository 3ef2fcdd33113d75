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


def deadline(days: str, since: str = "accepted_on") -> str:
    """Due at the end of the office day ``days`` working days after ``since`` (a date in the case data)."""
    return f"${{add_working_days(max(0, {days} - working_days_between({since}, today())))}}"
