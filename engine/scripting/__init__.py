"""The only way the engine evaluates text from a procedure file.

Gateway conditions, timer definitions, due dates, assignee expressions and (when an administrator allows
them for a file) script tasks all go through here. Expressions are evaluated by a tree-walking
interpreter (simpleeval) with an allow-list of functions and attributes, a node budget and a deadline:
no imports, no underscored names or attributes, no statements, nothing that can build a huge value.
"""
from .evaluator import Evaluator, check_expression, check_script
from .spiff_environment import SchoolScriptEnvironment
from .syntax import is_expression, is_iso_literal, normalize

__all__ = [
    "Evaluator",
    "SchoolScriptEnvironment",
    "check_expression",
    "check_script",
    "is_expression",
    "is_iso_literal",
    "normalize",
]
