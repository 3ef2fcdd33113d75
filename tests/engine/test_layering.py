"""The engine's layers, its independence from the web, and the few places that know SpiffWorkflow.

``engine/`` is a stack of groups (``LAYERS``, lowest first): a module imports only from its own group
and the groups below it, and ``engine.errors`` is the vocabulary every group shares. The web layer
(Flask, Werkzeug, Jinja2) depends on the engine, never the other way round; SpiffWorkflow's classes and
internals (pinned in pyproject.toml) are touched only by the groups listed here, so a library upgrade is
reviewed in one place.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
WEB_PACKAGES = {"flask", "werkzeug", "jinja2"}
# Where SpiffWorkflow may be imported: the adapters (state codec, host-controlled timer events), the
# parser, the script-engine interface, and the runtime that drives workflows.
SPIFF_ALLOWED = ("engine/spiff/", "engine/definitions/", "engine/scripting/", "engine/runtime/")
# Lowest first. Each group may import from itself and from the groups before it, never after.
LAYERS = ("storage", "spiff", "time", "cases", "scripting", "people", "definitions", "runtime", "views")
SHARED = {"errors"}  # engine/errors.py: the exceptions every layer raises


def imported_engine_groups(source: str, filename: str = "<test>") -> set[str]:
    """The ``engine`` groups (first name under ``engine.``) a module imports anywhere, absolute imports."""
    found = set()
    for node in ast.walk(ast.parse(source, filename)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{filename}: relative import; the engine spells out its groups")
            names = [node.module] if node.module != "engine" else [f"engine.{a.name}" for a in node.names]
        found |= {n.split(".")[1] for n in names if n.startswith("engine.")}
    return found


def group_of(path: str) -> str:
    parts = path.split("/")  # engine/<group>/<module>.py or engine/<module>.py
    return parts[1] if len(parts) > 2 else parts[1].removesuffix(".py")


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


def test_every_engine_module_belongs_to_a_layer():
    groups = {group_of(p) for p in engine_modules()} - {"__init__"}
    assert groups - SHARED == set(LAYERS)


def layer_violations(modules: dict[str, str]) -> list[str]:
    """``path imports group`` for each import that reaches a group above the module's own."""
    out = []
    for path, source in modules.items():
        own = group_of(path)
        if own in SHARED | {"__init__"}:
            assert imported_engine_groups(source, path) <= SHARED, f"{path} must stand on nothing"
            continue
        for group in sorted(imported_engine_groups(source, path) - SHARED):
            if group not in LAYERS or LAYERS.index(group) > LAYERS.index(own):
                out.append(f"{path} imports engine.{group}")
    return out


def test_no_module_imports_from_a_layer_above_its_own():
    sources = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(ENGINE.rglob("*.py"))
               if "migrations" not in p.parts}
    assert layer_violations(sources) == []


@pytest.mark.parametrize("path, source, group", [
    ("engine/storage/models.py", "from engine.time.clock import Clock", "time"),
    ("engine/time/clock.py", "def f():\n    from engine.views import queries", "views"),
    ("engine/cases/audit.py", "import engine.runtime.operations", "runtime"),
    ("engine/people/users.py", "from engine import definitions", "definitions"),
])
def test_the_layer_check_sees_an_upward_import(path, source, group):
    assert layer_violations({path: source}) == [f"{path} imports engine.{group}"]


def test_the_layer_check_lets_a_module_use_its_own_group_and_those_below():
    assert layer_violations({"engine/runtime/sweeps.py": "from engine.runtime import firing\n"
                                                         "from engine.storage import store"}) == []


def test_the_layer_check_refuses_relative_imports():
    with pytest.raises(AssertionError, match="relative import"):
        imported_engine_groups("from ..store import x", "engine/time/clock.py")


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
