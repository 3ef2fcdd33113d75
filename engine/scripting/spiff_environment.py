"""The script environment handed to SpiffWorkflow, so every evaluation it makes goes through ``Evaluator``."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment

from engine.errors import ScriptError
from engine.scripting.evaluator import Evaluator
from engine.time.literals import is_iso_literal


class SchoolScriptEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Restricted evaluation for SpiffWorkflow; scripts run only when the definition allows them."""

    def __init__(self, evaluator: Evaluator, allow_scripts: bool = False):
        super().__init__({})
        self.evaluator = evaluator
        self.allow_scripts = allow_scripts

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        # Camunda Modeler writes timer values unquoted (P7D, R/2026-11-23T08:00/P1W): they are literals.
        if is_iso_literal(expression):
            return expression.strip()
        return self.evaluator.evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        if not self.allow_scripts:
            raise ScriptError("scripts are not enabled for this procedure file")
        self.evaluator.execute(script, context, external_context)
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ScriptError("service tasks are not supported")
