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


def timer_type(definition: Any) -> str:
    """"cycle", "duration" or "date": how the engine computes a host timer's due time."""
    return "cycle" if isinstance(definition, HostCycle) else \
        "duration" if isinstance(definition, HostDuration) else "date"


def timer_definition(task_spec: Any) -> Any | None:
    """The host timer a task spec waits for, if any (looking inside 'multiple' definitions)."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, HOST_TIMERS):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        return next((d for d in definition.event_definitions if isinstance(d, HOST_TIMERS)), None)
    return None


# --- Event subprocesses end with their scope ------------------------------------------------------------
# SpiffWorkflow 3.2 starts a timer event subprocess as one more parallel branch of its scope, and the
# scope's end join (``_EndJoin``) waits for every branch: a case whose main flow had finished stayed
# running until the event subprocess's timer fired, and then gave people tasks in a finished case (a
# cycle timer kept it running for ever). In BPMN an event subprocess that has not started is only
# listening; it ends with its scope. So the end join ignores such idle branches and cancels them when
# it fires, and after the engine steps a waiting end join is looked at again, since an event
# subprocess becomes idle when its last task (not the main flow's) completes. A triggered event
# subprocess with work left is still waited for, as BPMN says.

def _is_end_join(task: Any) -> bool:
    from SpiffWorkflow.bpmn.specs.control import _EndJoin

    return isinstance(task.task_spec, _EndJoin)


def is_event_subprocess(task: Any) -> bool:
    """True for the task of an event subprocess: SpiffWorkflow starts those from its scope's start task
    (a call activity's called process may also begin with a timer start event, and is not one)."""
    return task.task_spec in task.workflow.spec.start.outputs and hasattr(task.task_spec, "spec")


def idle_event_subprocess(task: Any) -> bool:
    """True for an event subprocess task whose only live tasks are start events waiting for their timer."""
    from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
    from SpiffWorkflow.util.task import TaskState

    sub = task.workflow.top_workflow.subprocesses.get(task.id)
    if sub is None or not task.has_state(TaskState.STARTED) or not is_event_subprocess(task):
        return False
    live = [t for t in sub.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR)
            if not _is_end_join(t)]
    return bool(live) and all(isinstance(t.task_spec, StartEvent) and t.state == TaskState.WAITING
                              and timer_definition(t.task_spec) is not None for t in live)


def _install_scope_end() -> None:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.specs.control import _EndJoin
    from SpiffWorkflow.util.task import TaskIterator, TaskState

    def others(my_task: Any) -> list[Any]:
        return [t for t in TaskIterator(my_task.workflow.task_tree, state=TaskState.NOT_FINISHED_MASK,
                                        end_at_spec=my_task.task_spec.name) if t != my_task]

    def check_threshold(self: Any, my_task: Any) -> bool:
        # May fire when every other unfinished task is an idle event subprocess (or below one).
        rest = others(my_task)
        idle = [t for t in rest if idle_event_subprocess(t)]
        return all(t in idle or any(t.is_descendant_of(i) for i in idle) for t in rest)

    original_run = _EndJoin._run_hook

    def run_hook(self: Any, my_task: Any) -> bool:
        for t in others(my_task):
            if t.has_state(TaskState.NOT_FINISHED_MASK) and idle_event_subprocess(t):
                t.cancel()
        return bool(original_run(self, my_task))

    original_steps = BpmnWorkflow.do_engine_steps

    def do_engine_steps(self: Any, *args: Any, **kwargs: Any) -> None:
        original_steps(self, *args, **kwargs)
        while True:
            scopes = sorted([self, *self.subprocesses.values()], key=lambda w: -getattr(w, "depth", 0))
            due = [t for w in scopes for t in list(w.tasks.values())
                   if t.state == TaskState.WAITING and _is_end_join(t) and check_threshold(t.task_spec, t)]
            if not due:
                return
            for t in due:
                t.task_spec._update(t)
            original_steps(self, *args, **kwargs)

    _EndJoin._check_threshold_unstructured = check_threshold
    _EndJoin._run_hook = run_hook
    BpmnWorkflow.do_engine_steps = do_engine_steps


_install_scope_end()


# --- A repeating boundary timer's reminders outlive the activity ------------------------------------------
# SpiffWorkflow hangs each round of a cycle timer (its outgoing path) below the timer's own task, which
# keeps waiting for the next round. When the activity ends, or another boundary event interrupts it,
# the waiting timer is cancelled, and cancelling a task drops every unfinished task below it: the
# reminders a non-interrupting cycle had already given vanished from people's lists the moment the work
# was done. In BPMN those paths left the activity when they started and carry on. So a cycle timer that
# has given rounds is retired (marked completed, no new round) instead of cancelled.

def _install_cycle_retirement() -> None:
    from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin

    original_check = BoundaryEventJoin._check_threshold_structured

    def check_threshold(self: Any, my_task: Any) -> tuple[bool, list[Any]]:
        from SpiffWorkflow.util.task import TaskState

        finished, cancel = original_check(self, my_task)
        if not finished:
            return finished, cancel
        keep = []
        for task in cancel:
            if isinstance(timer_definition(task.task_spec), HostCycle) and task.children \
                    and task.state == TaskState.WAITING:
                task.workflow.top_workflow.event_manager.remove_task(task)
                task._set_state(TaskState.COMPLETED)
            else:
                keep.append(task)
        return finished, keep

    BoundaryEventJoin._check_threshold_structured = check_threshold


_install_cycle_retirement()
