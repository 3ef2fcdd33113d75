"""A shipped file opened and saved by the browser's modeler keeps everything Camunda Modeler wrote.

``roundtrip.mjs`` reads and writes each file with bpmn-moddle and camunda-bpmn-moddle, what bpmn-js's
importXML/saveXML do in the modeler bundle (webui/frontend/modeler.js). The written file must carry the
same elements with the same attributes (camunda:* included) and extension elements, pass the suite's
modeler check (check.mjs: no import warning, no lint report) and be accepted by the engine unchanged
in meaning, so a file saved in the browser opens in Camunda Modeler as it was, and back.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from engine.definitions.validate import parse_procedure
from tests.modeler.test_modeler_import import FILES, ROOT, _node, _require_node_modules, check, problems

ROUNDTRIP = Path(__file__).with_name("roundtrip.mjs")
# Attributes bpmn-moddle leaves out when they hold the BPMN default, as Camunda Modeler does too.
DEFAULTS = {("cancelActivity", "true"), ("isInterrupting", "true")}


def _elements(path: Path) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Every element in document order: its tag, its attributes, its own text (trimmed)."""
    tree = etree.parse(str(path))
    return [(el.tag, tuple(sorted(a for a in el.attrib.items() if a not in DEFAULTS)), (el.text or "").strip())
            for el in tree.getroot().iter() if isinstance(el.tag, str)]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("saved")
    _require_node_modules()
    done = subprocess.run([_node(), str(ROUNDTRIP), str(out), *map(str, FILES)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT / "processes").as_posix())
def test_saving_keeps_every_element_and_attribute(saved: Path, path: Path):
    again = saved / path.name
    assert _elements(again) == _elements(path)
    camunda = [a for _, attrs, _ in _elements(again) for a in attrs if a[0].startswith("{http://camunda.org/")]
    assert camunda, "the file has camunda:* attributes to keep"


def test_the_saved_files_pass_the_modeler_check_and_the_engine(saved: Path):
    written = sorted(saved.glob("*.bpmn"))
    assert len(written) == len(FILES)
    found = [line for path, result in check(*written).items() for line in problems(path, result)]
    assert not found, "\n".join(found)
    shipped = {p.name: p for p in FILES}
    for path in written:
        original = parse_procedure(shipped[path.name].read_bytes(), path.name)
        reread = parse_procedure(path.read_bytes(), path.name)
        assert [p.key for p in reread.processes] == [p.key for p in original.processes]
        assert [p.properties for p in reread.processes] == [p.properties for p in original.processes]


def test_the_comparison_notices_a_lost_attribute(saved: Path, tmp_path: Path):
    """The check can fail: a file that lost one camunda:candidateGroups is not the same."""
    source = next(p for p in FILES if b"camunda:candidateGroups" in p.read_bytes())
    text = (saved / source.name).read_text(encoding="utf-8")
    broken = tmp_path / source.name
    broken.write_text(text.replace("camunda:candidateGroups=", "data-lost=", 1), encoding="utf-8")
    assert _elements(broken) != _elements(source)
