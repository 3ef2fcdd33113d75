"""Every sequence flow of every shipped procedure file is walked by some test of this directory.

The ``procedure`` fixture records the flows each test's cases took (``conftest.walked_flows``); this test,
run last (``pytest_collection_modifyitems`` in ``conftest``), lists the flows of ``processes/`` that no
test walked. It can only judge a run of the whole directory: run alone, or with only some of the procedure
tests, it says so and is skipped.
"""
from __future__ import annotations

import pytest
from lxml import etree

from tests.processes.conftest import PROCESSES, WALKED, WHOLE_DIRECTORY, all_flows

FILES = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("examples/*.bpmn"))
BPMN = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


def shipped_flows() -> dict[tuple[str, str, str], str]:
    """(process key, source, target) -> where it is, for every sequence flow of every shipped file."""
    out = {}
    for path in FILES:
        tree = etree.parse(str(path))
        for proc in tree.xpath("//bpmn:process", namespaces=BPMN):
            key = proc.get("id")
            for f in all_flows(etree.tostring(tree), key):
                out[(key, f.get("sourceRef"), f.get("targetRef"))] = f"{path.relative_to(PROCESSES)}: {f.get('sourceRef')} → {f.get('targetRef')}"
    return out


def test_every_flow_of_every_shipped_file_is_walked(request):
    if not request.config.stash.get(WHOLE_DIRECTORY, False):
        pytest.skip("only a part of tests/processes ran; flow coverage is judged on a run of the whole directory")
    missing = sorted(where for key, where in shipped_flows().items() if key not in WALKED)
    assert not missing, "flows no test walks:\n" + "\n".join(missing)


