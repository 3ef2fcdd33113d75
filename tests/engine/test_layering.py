"""The engine knows nothing of the web, and only a few modules know SpiffWorkflow.

The web layer (Flask, Werkzeug, Jinja2) depends on the engine, never the other way round; SpiffWorkflow's
classes and internals (pinned in pyproject.toml) are touched only by the modules listed here, so a library
upgrade is reviewed in one place.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
WEB_PACKAGES = {"flask", "werkzeug", "jinja2"}
# Where SpiffWorkflow may be imported. engine/spiff_timers.py (host-controlled timer event definitions,
# registered with the serializer) is a library adapter like spiff_codec.py.
SPIFF_ALLOWED = ("engine/definitions/", "engine/scripting/", "engine/runtime/", "engine/spiff_codec.py",
                 "engine/spiff_timers.py")


def imported_packages(source: str, filename: str = "<test>") -> set[str]:
    """Top-level package names a module imports anywhere (module level, functions, ``if TYPE_CHECKING``)."""
    found = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _called_name(node) in {"import_module", "__import__"}:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value.split(".")[0])
    return found


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def engine_modules() -> dict[str, set[str]]:
    modules = {p.relative_to(ROOT).as_posix(): imported_packages(p.read_text(encoding="utf-8"), str(p))
               for p in sorted(ENGINE.rglob("*.py"))}
    assert "engine/runtime/operations.py" in modules  # the walk found the engine
    return modules


def test_the_engine_does_not_import_the_web_layer():
    offenders = {path: sorted(pkgs & WEB_PACKAGES)
                 for path, pkgs in engine_modules().items() if pkgs & WEB_PACKAGES}
    assert offenders == {}


def test_only_the_adapter_modules_import_spiffworkflow():
    users = {path for path, pkgs in engine_modules().items() if "SpiffWorkflow" in pkgs}
    assert users, "no module imports SpiffWorkflow: the check is looking in the wrong place"
    offenders = sorted(p for p in users if not p.startswith(SPIFF_ALLOWED))
    assert offenders == []


@pytest.mark.parametrize("source, package", [
    ("import flask", "flask"),
    ("from werkzeug.exceptions import NotFound", "werkzeug"),
    ("def f():\n    import jinja2.sandbox", "jinja2"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flask import Flask", "flask"),
    ("import importlib\nimportlib.import_module('flask.json')", "flask"),
    ("from SpiffWorkflow.bpmn import BpmnWorkflow", "SpiffWorkflow"),
])
def test_the_check_sees_every_form_of_import(source, package):
    assert package in imported_packages(source)


def test_relative_imports_are_the_engines_own():
    assert imported_packages("from . import audit\nfrom ..errors import NotFound") == set()
