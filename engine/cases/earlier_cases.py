"""How many earlier cases of a procedure concern the same thing (P5 违规处理: first offence or repeated),
computed from the case records when a case starts, so a number typed by hand cannot lower it.

A procedure declares, as process properties:

- ``earlierCount``: the field id the count goes into, shown read-only by the forms that show it; the value
  is the number of earlier matching cases plus one (``1`` = the first);
- ``earlierMatch``: comma-separated start-form field ids that must be equal for a case to count (e.g.
  ``offender,group_name``), compared after Unicode NFKC folding, without spaces and case-insensitively,
  so ``王某 `` and ``王 某`` are one person and ``初二（3）班`` and ``初二(3)班`` one group;
- ``earlierWhen`` (optional): ``field=value`` that the new case and the earlier ones must both have
  (``request_type=violation``); without it every case of the procedure may count;
- ``earlierUnless`` (optional): ``field=value`` an answer of an earlier case's task sets when that case
  must not count (``confirmed=false``: the report was found untrue), so a report made up or filed twice
  cannot make a first offence a repeated one.

Earlier cases are those of the same procedure (any version) started before this one, whose start data is
read from the audit log (``instance.started``, and ``task.completed`` for ``earlierUnless``), the record
nobody edits. Open and finished cases count; a case that ended cancelled does not. ``earlierCount`` +
``_cases`` (e.g. ``offence_count_cases``) lists the earlier cases' numbers, so whoever decides sees them.
"""
from __future__ import annotations

import json
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.storage.models import AuditEvent, Case

COUNT_PROPERTY = "earlierCount"
MATCH_PROPERTY = "earlierMatch"
WHEN_PROPERTY = "earlierWhen"
UNLESS_PROPERTY = "earlierUnless"


def _fold(value: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).casefold()


def count_earlier(session: Session, process_key: str, properties: dict[str, Any], start_data: dict[str, Any],
                  instance_id: int) -> dict[str, Any]:
    """The computed fields for a new case ``instance_id`` of ``process_key`` with ``start_data``, or ``{}``
    when the procedure declares no count or the case is not of the kind counted."""
    target = str(properties.get(COUNT_PROPERTY) or "").strip()
    if not target:
        return {}
    match = [k.strip() for k in str(properties.get(MATCH_PROPERTY) or "").split(",") if k.strip()]
    when_field, _, when_value = str(properties.get(WHEN_PROPERTY) or "").partition("=")
    when_field, when_value = when_field.strip(), when_value.strip()
    if when_field and str(start_data.get(when_field)) != when_value:
        return {}
    unless_field, _, unless_value = str(properties.get(UNLESS_PROPERTY) or "").partition("=")
    unless_field, unless_value = unless_field.strip(), unless_value.strip().lower()
    wanted = [_fold(start_data.get(k)) for k in match]
    rows = session.execute(
        sa.select(Case.instance_id, Case.number, AuditEvent.payload)
        .join(AuditEvent, AuditEvent.instance_id == Case.instance_id)
        .where(Case.process_key == process_key, Case.instance_id != instance_id, Case.status != "cancelled",
               AuditEvent.kind == "instance.started")
        .order_by(AuditEvent.seq))
    matching: dict[int, str] = {}
    for instance, number, payload in rows:
        data = json.loads(payload).get("data") or {}
        if when_field and str(data.get(when_field)) != when_value:
            continue
        if [_fold(data.get(k)) for k in match] == wanted:
            matching[instance] = number
    if unless_field and matching:
        for instance, payload in session.execute(sa.select(AuditEvent.instance_id, AuditEvent.payload).where(
                AuditEvent.instance_id.in_(list(matching)), AuditEvent.kind == "task.completed")):
            data = json.loads(payload).get("data") or {}
            if unless_field in data and json.dumps(data[unless_field]).strip('"').lower() == unless_value:
                matching.pop(instance, None)
    numbers = list(matching.values())
    return {target: len(numbers) + 1, f"{target}_cases": "、".join(numbers) or "无"}
