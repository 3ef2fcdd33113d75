"""The shipped procedure files open in Camunda Modeler / bpmn.io without warnings.

``tests/modeler/check.mjs`` reads each file with bpmn-moddle and camunda-bpmn-moddle, as bpmn-js does when
it opens a file (its import warnings: unknown elements or attributes, unresolved references, diagram
elements it cannot draw), and lints it with bpmnlint and the repository's ``.bpmnlintrc``
(``bpmnlint:recommended`` and the Camunda 7 rules of ``bpmnlint-plugin-camunda-compat``, what the
modeler's problems panel shows). Every file must come out with nothing: no error, no warning, no info.

The Node packages are pinned in ``package.json`` / ``package-lock.json``; ``scripts/setup.sh`` installs
them with ``npm ci``.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("check.mjs")
FILES = sorted((ROOT / "processes").rglob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "camunda": "http://camunda.org/schema/1.0/bpmn",
      "modeler": "http://camunda.org/schema/modeler/1.0"}
SETUP_HINT = "run `bash scripts/setup.sh` (it installs the pinned Node packages with `npm ci`)"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: the modeler check needs node and npm; install them, then "
                    + SETUP_HINT)
    return node


def _require_node_modules() -> None:
    """Fail, naming the fix, when the Node packages are missing or are not the pinned versions."""
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, version in pins.items():
        manifest = ROOT / "node_modules" / name / "package.json"
        if not manifest.exists():
            pytest.fail(f"node_modules/{name} is missing: {SETUP_HINT}")
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if installed != version:
            pytest.fail(f"node_modules/{name} is {installed}, package.json pins {version}: {SETUP_HINT}")


def check(*paths: Path) -> dict[Path, dict]:
    """What the modeler reports for each file: {"error", "import": [...], "lint": [...]}."""
    node = _node()
    _require_node_modules()
    done = subprocess.run([node, str(CHECK), *map(str, paths)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"check.mjs failed ({done.returncode}):\n{done.stderr}"
    return {Path(r["file"]): r for r in json.loads(done.stdout)}


def problems(path: Path, result: dict) -> list[str]:
    """One line per finding: file, rule (or "import"), element id, message."""
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    out = []
    if result["error"]:
        out.append(f"{name}: not readable: {result['error']}")
    for w in result["import"]:
        out.append(f"{name}: import warning at {w['element'] or '?'}: {w['message']}")
    for r in result["lint"]:
        out.append(f"{name}: bpmnlint {r['rule']} ({r['category']}) at {r['id'] or '?'}: {r['message']}")
    return out


@pytest.fixture(scope="module")
def shipped() -> dict[Path, dict]:
    return check(*FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT / "processes").as_posix())
def test_opens_in_the_modeler_without_warnings(shipped: dict[Path, dict], path: Path):
    found = problems(path, shipped[path])
    assert not found, "\n".join(found)


def test_bpmnlint_command_line_passes():
    """The same rules through the bpmnlint command (what a person runs): exit 0, with warnings as failures."""
    node = _node()
    _require_node_modules()
    done = subprocess.run([node, "node_modules/bpmnlint/bin/bpmnlint.js", "--max-warnings=0",
                           *(str(p.relative_to(ROOT)) for p in FILES)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"\d+ problems?", done.stdout), done.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT / "processes").as_posix())
def test_the_files_name_the_platform_the_rules_are_for(path: Path):
    """Camunda Modeler picks its Camunda 7 rules from these attributes; .bpmnlintrc must use the same."""
    root = etree.parse(str(path)).getroot()
    platform = root.get(f"{{{NS['modeler']}}}executionPlatform")
    version = root.get(f"{{{NS['modeler']}}}executionPlatformVersion") or ""
    assert platform == "Camunda Platform", platform
    major_minor = "-".join(version.split(".")[:2])
    config = json.loads((ROOT / ".bpmnlintrc").read_text(encoding="utf-8"))
    assert f"plugin:camunda-compat/camunda-platform-{major_minor}" in config["extends"], (version, config)


# -- the check can fail -------------------------------------------------------------------------

SAMPLE = ROOT / "processes" / "p1_archive_access.bpmn"


def _broken(tmp_path: Path, name: str, edit) -> Path:
    tree = etree.parse(str(SAMPLE))
    edit(tree)
    out = tmp_path / f"{name}.bpmn"
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def _one(path: Path) -> dict:
    return check(path)[path]


def test_a_diagram_element_pointing_nowhere_is_reported_by_both(tmp_path: Path):
    """A task renamed without its shape: bpmn-js cannot resolve the shape, bpmnlint finds no DI."""
    def edit(tree):
        shape = tree.find(".//bpmndi:BPMNShape[@bpmnElement='approve']", NS)
        shape.set("bpmnElement", "approve_old")
    path = _broken(tmp_path, "dangling_di", edit)
    result = _one(path)
    assert any("unresolved reference <approve_old>" in w["message"] for w in result["import"]), result
    assert any(r["rule"] == "no-bpmndi" and r["id"] == "approve" for r in result["lint"]), result
    report = "\n".join(problems(path, result))
    assert "dangling_di.bpmn: bpmnlint no-bpmndi (error) at approve" in report, report
    assert "dangling_di.bpmn: import warning at " in report, report


def test_an_unknown_camunda_attribute_is_an_import_warning(tmp_path: Path):
    def edit(tree):
        tree.find(".//bpmn:userTask[@id='approve']", NS).set(f"{{{NS['camunda']}}}candidateGroup", "x")
    result = _one(_broken(tmp_path, "bogus_attribute", edit))
    assert [(w["element"], w["message"]) for w in result["import"]] == [
        ("approve", "unknown attribute <camunda:candidateGroup>")], result


def test_two_shapes_for_one_element_are_an_import_warning(tmp_path: Path):
    def edit(tree):
        shape = tree.find(".//bpmndi:BPMNShape[@bpmnElement='approve']", NS)
        twin = etree.fromstring(etree.tostring(shape))
        twin.set("id", "approve_di_2")
        shape.addnext(twin)
    result = _one(_broken(tmp_path, "two_shapes", edit))
    assert [(w["element"], w["message"]) for w in result["import"]] == [
        ("approve", 'multiple DI elements defined for <bpmn:UserTask id="approve" />')], result


def test_an_unnamed_decision_and_a_flow_without_diagram_are_lint_errors(tmp_path: Path):
    def edit(tree):
        tree.find(".//bpmn:exclusiveGateway[@id='gw_approved']", NS).attrib.pop("name")
        edge = tree.find(".//bpmndi:BPMNEdge[@bpmnElement='f_start_apply']", NS)
        edge.getparent().remove(edge)
    result = _one(_broken(tmp_path, "unnamed_gateway", edit))
    found = {(r["rule"], r["id"]) for r in result["lint"]}
    assert {("label-required", "gw_approved"), ("no-bpmndi", "f_start_apply")} <= found, result


def test_the_command_line_fails_on_a_broken_file(tmp_path: Path):
    def edit(tree):
        task = tree.find(".//bpmn:userTask[@id='supervise']", NS)
        for ref in task.findall("bpmn:incoming", NS) + task.findall("bpmn:outgoing", NS):
            task.remove(ref)
        for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
            if "supervise" in (flow.get("sourceRef"), flow.get("targetRef")):
                flow.getparent().remove(flow)
                edge = tree.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
                edge.getparent().remove(edge)
    path = _broken(tmp_path, "disconnected", edit)
    done = subprocess.run([_node(), "node_modules/bpmnlint/bin/bpmnlint.js", "--max-warnings=0", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "supervise" in done.stdout and "no-disconnected" in done.stdout, done.stdout
