"""How far a case has come: its user tasks done and waiting, in the order they happened, and its data.

Read-only: the state is loaded and looked at, nothing runs and nothing is saved. Called by
``engine.views.tracking`` for the complainant's view of their case, and (``elements_passed``) by
``engine.views.case_detail`` to mark the case's diagram.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from engine.time.clock import FakeClock
from engine.definitions.evaluation import make_evaluator
from engine.storage.models import Instance
from engine.runtime.projection import case_data
from engine.runtime.workflow import load_workflow, script_engine


@dataclass(frozen=True)
class Step:
    task_id: str  # also the id of its ``human_tasks`` row
    name: str
    done: bool


@dataclass(frozen=True)
class Progress:
    steps: list[Step]  # the completed user tasks in the order they were completed, then the waiting ones
    data: dict[str, Any]


def case_progress(session: Session, instance: Instance, now: datetime) -> Progress:
    """The user tasks of ``instance`` done so far and waiting now, and the case's data."""
    # The restricted script engine is attached although nothing runs here (so its clock may stand still
    # at ``now``): a loaded workflow must never carry SpiffWorkflow's unrestricted default.
    evaluator = make_evaluator(session, instance.definition, FakeClock(now), {})
    definition = instance.definition
    workflow = load_workflow(definition, instance.state, script_engine(evaluator, definition))
    tasks = workflow.get_tasks(state=SpiffState.COMPLETED | SpiffState.READY, manual=True)
    # A loop creates new task objects, so a task completed twice appears twice. Completion order is the
    # order of SpiffWorkflow's state-change stamps; the engine's clock may not have moved between steps.
    tasks = sorted(tasks, key=lambda t: (t.state != SpiffState.COMPLETED, t.last_state_change))
    steps = [Step(str(t.id), t.task_spec.bpmn_name or t.task_spec.bpmn_id, t.state == SpiffState.COMPLETED)
             for t in tasks]
    return Progress(steps, case_data(workflow))


@dataclass(frozen=True)
class Elements:
    completed: list[str]  # BPMN ids of the elements the case has passed, in the order first reached
    waiting_events: list[str]  # intermediate catch events (a timer, a message) the case waits at now


def elements_passed(session: Session, instance: Instance, now: datetime) -> Elements:
    """Which BPMN elements of ``instance`` are completed, and which catch events it waits at."""
    definition = instance.definition
    evaluator = make_evaluator(session, definition, FakeClock(now), {})
    workflow = load_workflow(definition, instance.state, script_engine(evaluator, definition))
    processes = {s.name for s in (workflow.spec, *workflow.subprocess_specs.values())}
    completed = [i for i in dict.fromkeys(t.task_spec.bpmn_id for t in workflow.get_tasks(
        state=SpiffState.COMPLETED)) if i and i not in processes]
    # A boundary event waits beside its task and is not itself where the case stands.
    waiting = sorted({t.task_spec.bpmn_id for t in workflow.get_tasks(state=SpiffState.WAITING)
                      if t.task_spec.bpmn_id and type(t.task_spec).__name__ == "IntermediateCatchEvent"})
    return Elements(completed, waiting)
