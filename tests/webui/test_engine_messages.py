"""Every engine sentence a page can show has a translation (webui/engine_messages.py).

The sentences are read from the engine's source, as its f-strings write them, so a new or reworded
message fails here until the table has it, instead of reaching a Chinese page in English.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.people import users
from webui.engine_messages import MESSAGES, match, say

ROOT = Path(__file__).resolve().parents[2]
# The engine modules whose refusals the web pages pass to ``say`` (forms, evidence, claiming and
# completing, duty cover); ConcurrentUpdate has its own page and is not read here.
MODULES = ["engine/definitions/forms.py", "engine/definitions/start_data.py", "engine/cases/evidence.py",
           "engine/people/assignment.py", "engine/runtime/operations.py", "engine/people/substitution.py"]
RAISED = {"ValueError", "InvalidInput", "NotAllowed"}
# Sentences no page shows, and why.
NEVER_ON_A_PAGE = {
    "the form data must be an object of field names and values": "pages always post the form's fields",
    "the form has errors: a, b": "pages show each field's own error instead",
    "the data was refused: a, b": "pages show each field's own error instead",
    "the start data has errors: a, b": "pages show each field's own error instead",
    "unsupported field type 7": "deployment refuses such a form",
    "the data has a name that is too long or has characters that cannot be stored": "names are the form's",
    "lists and objects may be nested at most 7 deep": "pages post text, not lists of lists",
    "has a name with characters that cannot be stored": "pages post text, not objects",
    "numbers must lie within 64 bits (±9223372036854775807)": "pages post text",
    "numbers must be finite (not NaN or infinity)": "pages post text",
    "must be text, a number, true/false, a list or an object": "pages post text",
    "must be a name of letters, digits and '_' not starting with '_'": "only for a task without a form (API)",
    "the data has invalid names": "only for a task without a form (API)",
    "the data is larger than 7 KB": "only for a task without a form (API)",
    "is answered by a form of this procedure, not given at the start": "the start page posts the start form",
}


def _sample(node: ast.AST) -> str | None:
    """The sentence an expression makes, with each variable part as "7" (a joined list as "a, b")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_sample(v) or "" if isinstance(v, ast.Constant) else "7" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None and right is None else (left or "a, b") + (right or "a, b")
    return None


def engine_sentences() -> set[str]:
    found = set()
    for path in MODULES:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RAISED:
                values = node.args[:1] + [v for arg in node.args[1:2] if isinstance(arg, ast.Dict) for v in arg.values]
                if node.func.id == "InvalidInput" and path.endswith("substitution.py"):
                    values = node.args[:1]  # its second argument holds field words, not sentences
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) for t in node.targets):
                values = [node.value]  # errors[field] = "…"
            elif isinstance(node, ast.DictComp):
                values = [node.value]
            elif isinstance(node, ast.FunctionDef) and node.name == "_value_problem":
                values = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
            else:
                continue
            found |= {s for v in values if (s := _sample(v)) and " " in s}
    return found


SENTENCES = sorted(engine_sentences())


def test_the_engine_modules_are_read():
    assert "this field is required" in SENTENCES and "task '7' is already claimed by 7" in SENTENCES
    assert len(SENTENCES) > 40


def test_every_engine_sentence_a_page_shows_is_translated(app):
    untranslated, missing = [], []
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        for sentence in SENTENCES:
            if sentence in NEVER_ON_A_PAGE:
                continue
            if match(sentence) is None:
                missing.append(sentence)
            elif not re.search(r"[\u4e00-\u9fff]", say(sentence)):
                untranslated.append(sentence)
    assert missing == [], "add these to webui/engine_messages.MESSAGES"
    assert untranslated == [], "translate their messages (bash scripts/translations.sh)"


def test_every_table_entry_is_still_an_engine_sentence():
    unused = [k for k in MESSAGES if not any(match(s) and match(s)[0] is MESSAGES[k] for s in SENTENCES)]
    assert unused == []


def test_the_variable_parts_are_put_in_and_people_named_as_colleagues_know_them(app, harness):
    with harness.Session.begin() as s:
        users.add_user(s, "lingdao", clock=harness.clock, display_name="校领导 鲁校长")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert say("task '告知相关领导' is already claimed by lingdao") == "“告知相关领导”已由 校领导 鲁校长 认领"
        assert say("must be at least 3 characters") == "请至少填写 3 个字。"
        assert say("something the table does not know") == "something the table does not know"
