"""Loading, running and saving one instance's SpiffWorkflow state, with the restricted script engine."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import InstanceError, ScriptError
from engine.definitions.evaluation import make_evaluator  # noqa: F401 - re-exported for runtime modules
from engine.storage.models import Definition
from engine.scripting import Evaluator, SchoolScriptEnvironment
from engine.spiff.codec import SpecPair, codec
from engine.spiff.task_tree import prune_finished_rounds


def specs_of(definition: Definition) -> SpecPair:
    return codec.load_spec(f"{definition.process_key}:{definition.content_hash}", definition.spec_json)


def script_engine(evaluator: Evaluator, definition: Definition) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SchoolScriptEnvironment(evaluator, definition.allow_scripts))


def new_workflow(definition: Definition, engine: PythonScriptEngine, data: dict[str, Any]) -> BpmnWorkflow:
    spec, subprocess_specs = specs_of(definition)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    workflow.task_tree.data.update(data)
    return workflow


def load_workflow(definition: Definition, state: str, engine: PythonScriptEngine) -> BpmnWorkflow:
    workflow = codec.load_state(state, specs_of(definition))
    workflow.script_engine = engine  # never serialized: without this the unrestricted default would run
    # States saved before rounds were pruned may be deep; SpiffWorkflow's walks stop at depth 1000.
    prune_finished_rounds(workflow)
    return workflow


def advance(workflow: BpmnWorkflow) -> None:
    """Run everything that does not wait for a person or a timer.

    :raises InstanceError: a gateway condition, script or timer expression of the procedure failed.
    """
    try:
        workflow.do_engine_steps()
    except (SpiffWorkflowException, ScriptError) as exc:
        raise InstanceError(describe_failure(exc)) from exc


def run_task(workflow: BpmnWorkflow, task: Any) -> None:
    try:
        task.run()
    except (SpiffWorkflowException, ScriptError) as exc:
        raise InstanceError(describe_failure(exc)) from exc
    advance(workflow)


def describe_failure(exc: Exception) -> str:
    task = getattr(exc, "task", None)
    where = ""
    if task is not None:
        spec = task.task_spec
        where = f"at '{getattr(spec, 'bpmn_name', None) or getattr(spec, 'bpmn_id', spec.name)}': "
    # SpiffWorkflow keeps the underlying error in .exception, or only as the implicit __context__.
    cause = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    detail = str(cause) if cause else str(exc).split("\n")[0]
    return f"the procedure failed {where}{detail}"
