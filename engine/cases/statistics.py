"""Counts of cases for the periodic reports (P1 §三(二)5, P2 §五6, P3 九), computed from the case records.

A report procedure names the procedures it counts in its process property ``statistics`` (comma-separated
keys) and the length of its period in ``statisticsPeriod`` (an ISO duration, default ``P7D``). When a case
of it starts, the engine counts the cases opened in the period (``since`` to ``until``) and puts the counts
into the new case's data under the ids below; the report form shows them as read-only fields of the same
ids, and they stay with the report case. Staff no longer type what the engine already knows.

Sources: the ``cases`` table (procedure, category, channel, status, opened and closed times), the human
tasks (overdue: a task completed after, or still open past, its due time) and the audit log's completed
forms (satisfaction: the last answer given to a field named like ``satisfied`` or ``satisfaction``).
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.storage.models import AuditEvent, Case, Definition, HumanTask

STATISTICS_PROPERTY = "statistics"
PERIOD_PROPERTY = "statisticsPeriod"
DEFAULT_PERIOD = "P7D"
# Field ids a report form may show (read-only); their values are those of ``count_cases``.
FIELDS = ("stat_period", "stat_received", "stat_closed", "stat_open", "stat_overdue", "stat_satisfied",
          "stat_dissatisfied", "stat_by_procedure", "stat_by_category", "stat_by_channel", "stat_by_status",
          "stat_hot_issues")
HOT_ISSUE_FIELD = "hot_issue"  # the tag the archive step gives a case (P3 九); counted as hot issues
SATISFIED_FIELDS = ("satisfied", "visitor_satisfied", "customer_satisfied")
SATISFACTION_FIELDS = ("satisfaction",)  # enum answers; "dissatisfied" / "unsatisfied" count as not satisfied
_NOT_SATISFIED = {"dissatisfied", "unsatisfied", "not_satisfied", "no", "neutral"}  # P3: 一般 goes to review
_STATUS_WORDS = {"running": "处理中", "completed": "已办结", "cancelled": "已终止", "error": "出错"}


def count_cases(session: Session, keys: list[str], since: datetime, until: datetime, now: datetime,
                zone: Any) -> dict[str, Any]:
    """The counts of the cases of ``keys`` opened from ``since`` (inclusive) to ``until`` (exclusive)."""
    cases = list(session.scalars(sa.select(Case).where(
        Case.process_key.in_(keys), Case.opened_at >= since, Case.opened_at < until).order_by(Case.id)))
    ids = [c.instance_id for c in cases]
    names = dict(session.execute(sa.select(Definition.process_key, Definition.name)
                                 .where(Definition.process_key.in_(keys)).order_by(Definition.version)).all())
    overdue = _overdue(session, ids, now)
    satisfied, dissatisfied, tags = _answers(session, ids)
    return {
        "stat_period": f"{since.astimezone(zone):%Y-%m-%d %H:%M} – {until.astimezone(zone):%Y-%m-%d %H:%M}",
        "stat_received": len(cases),
        "stat_closed": sum(c.closed_at is not None and c.closed_at < until for c in cases),
        "stat_open": sum(c.status == "running" for c in cases),
        "stat_overdue": len(overdue),
        "stat_satisfied": satisfied,
        "stat_dissatisfied": dissatisfied,
        "stat_by_procedure": _summary(Counter(names.get(c.process_key) or c.process_key for c in cases)),
        "stat_by_category": _summary(Counter(c.category or "未分类" for c in cases)),
        "stat_by_channel": _summary(Counter(c.channel or "未记录" for c in cases)),
        "stat_by_status": _summary(Counter(_STATUS_WORDS.get(c.status, c.status) for c in cases)),
        "stat_hot_issues": _summary(Counter(tags.values())),
    }


def _summary(counter: Counter[str]) -> str:
    """``师德师风 3；教学质量 1`` (most frequent first, then by name), or ``无`` for no cases."""
    return "；".join(f"{k} {n}" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "无"


def _overdue(session: Session, instance_ids: list[int], now: datetime) -> set[int]:
    if not instance_ids:
        return set()
    rows = session.execute(sa.select(HumanTask.instance_id, HumanTask.due_at, HumanTask.completed_at).where(
        HumanTask.instance_id.in_(instance_ids), HumanTask.due_at.is_not(None)))
    return {r.instance_id for r in rows if (r.completed_at or now) > r.due_at}


def _answers(session: Session, instance_ids: list[int]) -> tuple[int, int, dict[int, str]]:
    """Satisfied and dissatisfied cases, and each case's hot-issue tag, from the last answers given."""
    if not instance_ids:
        return 0, 0, {}
    last: dict[int, bool] = {}
    tags: dict[int, str] = {}
    for event in session.scalars(sa.select(AuditEvent).where(
            AuditEvent.instance_id.in_(instance_ids), AuditEvent.kind == "task.completed")
            .order_by(AuditEvent.seq)):
        data = json.loads(event.payload).get("data") or {}
        for name in SATISFIED_FIELDS:
            if isinstance(data.get(name), bool):
                last[event.instance_id] = data[name]
        for name in SATISFACTION_FIELDS:
            if isinstance(data.get(name), str) and data[name]:
                last[event.instance_id] = data[name] not in _NOT_SATISFIED
        tag = data.get(HOT_ISSUE_FIELD)
        if isinstance(tag, str) and tag.strip():
            tags[event.instance_id] = tag.strip()
    return sum(last.values()), sum(not v for v in last.values()), tags
