"""Every sentence the engine refuses a procedure file with has a Chinese rendering (webui/definition_reasons.py).

The sentences are read from the engine's source (each ``Problem(...)`` and ``_problem(...)`` message, the
refused-element tables, SpiffWorkflow's restated mistakes), so a new or reworded refusal fails here
instead of reaching the upload page or the modeler in English.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from flask_babel import force_locale

from engine.definitions.policy import REFUSED_CAMUNDA_ATTRIBUTES, REFUSED_CAMUNDA_ELEMENTS, REFUSED_ELEMENTS
from engine.definitions.xml_input import DOCTYPE_REFUSED
from engine.errors import Problem
from webui.definition_reasons import reason

ROOT = Path(__file__).resolve().parents[2]
# What engine.definitions.validate.parse_procedure calls, and deploy's own refusals.
MODULES = ["engine/definitions/validate.py", "engine/definitions/xml_input.py", "engine/definitions/policy.py",
           "engine/definitions/public.py", "engine/definitions/reserved.py", "engine/definitions/deploy.py"]
# Refusals no administrator's page shows, and why.
NEVER_ON_A_PAGE = {
    "no such file or directory": "the command line's, for a path given to `schoolflow deploy`",
    "no .bpmn files found": "the command line's, for a directory given to `schoolflow deploy`",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _sample(node: ast.AST) -> str | None:
    """The sentence an expression makes, with each variable part as "7"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "7" for v in node.values)
    return None


def _explained(tree: ast.Module) -> list[str]:
    """The sentences validate._explain restates SpiffWorkflow's wording as."""
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_explain")
    return [r.value.value for r in ast.walk(fn) if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant)]


def engine_sentences() -> set[str]:
    found = {DOCTYPE_REFUSED, *REFUSED_ELEMENTS.values(), *REFUSED_CAMUNDA_ELEMENTS.values(),
             *REFUSED_CAMUNDA_ATTRIBUTES.values()}
    for path in MODULES:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        if path.endswith("validate.py"):
            found |= set(_explained(tree))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "Problem" and len(node.args) == 4:
                message = node.args[3]
            elif node.func.id == "_problem" and len(node.args) == 3:
                message = node.args[2]
            else:
                continue
            if (sentence := _sample(message)) is not None:
                found.add(sentence)
    return found - set(NEVER_ON_A_PAGE)


SENTENCES = sorted(engine_sentences())


def test_the_engine_refusals_are_read():
    assert "camunda:dueDate '7' is neither an expression such as ${add_working_days(7)} nor an ISO date or " \
           "duration such as P7D" in SENTENCES
    assert "the file is empty" in SENTENCES and "the process has no start event" in SENTENCES
    assert len(SENTENCES) > 30


def test_every_refusal_has_a_chinese_rendering(app):
    english = []
    with app.test_request_context():
        for sentence in SENTENCES:
            if not CHINESE.search(reason(Problem("f.bpmn", 3, "Task_1", sentence))):
                english.append(sentence)
    assert english == [], "add these to webui/definition_reasons.py and translate (bash scripts/translations.sh)"


def test_the_variable_parts_are_kept(app):
    problem = Problem("f.bpmn", 3, "Task_1", "camunda:dueDate 'next week' is neither an expression such as "
                                             "${add_working_days(7)} nor an ISO date or duration such as P7D")
    with app.test_request_context():
        shown = reason(problem)
        with force_locale("en"):  # a user who chose English
            english = reason(problem)
    assert "next week" in shown and CHINESE.search(shown)
    assert english.startswith("The due date “next week” is neither")
