"""The restricted evaluator: the only way the engine evaluates text from a procedure file, and its helpers.
May use: ``engine.cases``, ``engine.time``, ``engine.storage`` (and SpiffWorkflow's script-engine interface).


Gateway conditions, timer definitions, due dates, assignee expressions and (when an administrator allows
them for a file) script tasks all go through here. Expressions are evaluated by a tree-walking
interpreter (simpleeval) with an allow-list of functions and attributes, a node budget and a deadline:
no imports, no underscored names or attributes, no statements, nothing that can build a huge value.
"""
from engine.scripting.evaluator import Evaluator, check_expression, check_script
from engine.scripting.spiff_environment import SchoolScriptEnvironment
from engine.scripting.syntax import is_expression, normalize
from engine.time.literals import is_iso_literal

__all__ = [
    "Evaluator",
    "SchoolScriptEnvironment",
    "check_expression",
    "check_script",
    "is_expression",
    "is_iso_literal",
    "normalize",
]
