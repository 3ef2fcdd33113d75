"""Schedules: a procedure whose start event is a timer starts a new instance each time it fires.

Deploying a version replaces the procedure's schedules; the next due time is computed by the engine
from its clock and the school calendar. Occurrences missed while no worker ran are not piled up: the
schedule fires once and moves to its next future occurrence.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.time.clock import Clock
from engine.storage.models import Definition, Schedule
from engine.scripting import Evaluator
from engine.errors import ScriptError
from engine.time.school_calendar import load_calendar
from engine.time.timer_math import Cycle, due_time


WORKING_DAY_PROPERTY = "workingDay"


def start_timers(spec: Any) -> list[tuple[str, str, str, str | None]]:
    """``(bpmn_id, kind, expression, working_day)`` of the top-level timer start events of a process spec.

    ``working_day`` is the start event's ``workingDay`` property (``previous`` or ``next``), or None.
    """
    from engine.spiff.host_timers import timer_definition, timer_type

    out = []
    for task_spec in spec.task_specs.values():
        definition = timer_definition(task_spec)
        if definition is not None and type(task_spec).__name__ == "StartEvent":
            option = (getattr(task_spec, "extensions", None) or {}).get(WORKING_DAY_PROPERTY)
            out.append((task_spec.bpmn_id, timer_type(definition), definition.expression or "",
                        (option or "").strip() or None))
    return out


def sync_schedules(session: Session, definition: Definition, spec: Any, evaluator: Evaluator,
                   clock: Clock) -> None:
    """Point the procedure's schedules at ``definition``; drop those its new version no longer has.

    :raises ScriptError: a start timer's expression gives no usable time.
    """
    now = clock.now()
    existing = {s.bpmn_id: s for s in session.scalars(
        sa.select(Schedule).where(Schedule.process_key == definition.process_key))}
    wanted = start_timers(spec)
    for bpmn_id, kind, expression, working_day in wanted:
        due, cycle = due_time(kind, expression, evaluator.evaluate, now, evaluator.school_time)
        if working_day:
            if cycle is None:
                raise ScriptError(f"start event {bpmn_id}: workingDay applies to a repeating timer "
                                  "(timeCycle), not to a single date or duration")
            calendar = load_calendar(session, evaluator.school_time())
            cycle = cycle.with_working_day(working_day, now, calendar.is_working_day, calendar.timezone)
            due = cycle.next_due
        row = existing.get(bpmn_id) or Schedule(process_key=definition.process_key, bpmn_id=bpmn_id)
        row.definition_id, row.kind, row.expression = definition.id, kind, expression
        row.next_due_at, row.cycle, row.active = due, cycle.to_json() if cycle else None, True
        session.add(row)
    for bpmn_id, row in existing.items():
        if bpmn_id not in {w[0] for w in wanted}:
            row.active, row.next_due_at = False, None
    session.flush()


def advance_schedule(schedule: Schedule, now: datetime, session: Session) -> None:
    """After a firing: the next occurrence in the future, or none for a one-off or exhausted schedule.

    A cycle with the working-day option reads the school calendar (through ``session``) as it is now, so a
    closure entered after deployment still moves the rounds that fall on it.
    """
    schedule.last_fired_at = now
    cycle = Cycle.from_json(schedule.cycle) if schedule.cycle else None
    is_working_day = None
    if cycle is not None and cycle.working_day:
        is_working_day = load_calendar(session).is_working_day
    following = cycle.advance(now, is_working_day) if cycle else None
    if following is None:
        schedule.active, schedule.next_due_at, schedule.cycle = False, None, None
    else:
        schedule.next_due_at, schedule.cycle = following.next_due, following.to_json()
