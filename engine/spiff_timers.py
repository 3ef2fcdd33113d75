"""Timer event definitions that fire only when schoolflow says so.

SpiffWorkflow's own timers compare against the machine's wall clock, at moments of its choosing. The
engine instead computes every due time from its clock and the school calendar, keeps it in the
``timers`` table, and fires a timer by setting a flag on its task; these subclasses honour only that
flag. They replace the library's classes right after parsing and are registered with the serializer.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)

FIRED = "event_fired"
PENDING_CYCLES = "pending_cycle_firings"
LAST_CYCLE = "last_cycle"


class HostTimeDate(TimeDateEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        return bool(my_task._get_internal_data(FIRED, False))


class HostDuration(DurationTimerEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        return bool(my_task._get_internal_data(FIRED, False))


class HostCycle(CycleTimerEventDefinition):  # type: ignore[misc]
    """A repeating timer: each firing the host requests starts one more branch."""

    def cycle_complete(self, my_task: Any) -> bool:
        pending = my_task._get_internal_data(PENDING_CYCLES, 0)
        if not pending:
            return False
        my_task._set_internal_data(**{PENDING_CYCLES: pending - 1})
        if pending == 1 and my_task._get_internal_data(LAST_CYCLE, False):
            # After its last branch the event completes (on the next refresh); completing adds no branch.
            my_task._set_internal_data(**{FIRED: True})
        return True


REPLACEMENTS = {TimeDateEventDefinition: HostTimeDate, DurationTimerEventDefinition: HostDuration,
                CycleTimerEventDefinition: HostCycle}
HOST_TIMERS = tuple(REPLACEMENTS.values())


def _replace(definition: Any) -> Any:
    cls = REPLACEMENTS.get(type(definition))
    if cls is not None:
        return cls(definition.name, definition.expression, description=definition.description)
    if isinstance(definition, MultipleEventDefinition):
        definition.event_definitions = [_replace(d) for d in definition.event_definitions]
    return definition


def install_host_timers(specs: list[Any]) -> None:
    """Swap the library's timer definitions for host-controlled ones in freshly parsed specs."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "event_definition", None) is not None:
                task_spec.event_definition = _replace(task_spec.event_definition)


def timer_definition(task_spec: Any) -> Any | None:
    """The host timer a task spec waits for, if any (looking inside 'multiple' definitions)."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, HOST_TIMERS):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        return next((d for d in definition.event_definitions if isinstance(d, HOST_TIMERS)), None)
    return None
