"""Helpers for the procedure tests: deploy a shipped file, create its people, check who sees a task."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.storage.models import Case, Instance
from tests.helpers import Harness

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


class Procedure:
    """A harness bound to one shipped file, with visibility assertions."""

    def __init__(self, harness: Harness, file: str):
        self.h = harness
        harness.deploy(PROCESSES / file)

    def people(self, **groups: str | tuple[str, ...]) -> None:
        for name, group in groups.items():
            self.h.user(name, *([group] if isinstance(group, str) else group))

    def only(self, task: str, sees: list[str], blind: list[str]) -> None:
        """Exactly ``sees`` see a task named ``task``; nobody in ``blind`` sees anything of the case."""
        for user in sees:
            assert task in self.h.task_names(user), f"{user} should see {task!r}; sees {self.h.task_names(user)}"
        for user in blind:
            assert task not in self.h.task_names(user), f"{user} must not see {task!r}"

    def nothing(self, *users: str) -> None:
        for user in users:
            assert self.h.task_names(user) == [], f"{user} should see nothing; sees {self.h.task_names(user)}"

    def case(self, instance_id: int) -> Case:
        with self.h.Session() as s:
            case = s.scalar(sa.select(Case).where(Case.instance_id == instance_id))
            assert case is not None
            return case

    def instances(self, key: str) -> list[Instance]:
        with self.h.Session() as s:
            return list(s.scalars(sa.select(Instance).where(Instance.process_key == key).order_by(Instance.id)))

    def data(self, instance_id: int) -> dict:
        from engine.runtime.projection import case_data
        from engine.runtime.workflow import load_workflow, script_engine
        from engine.definitions.evaluation import make_evaluator

        with self.h.Session() as s:
            inst = s.get(Instance, instance_id)
            ev = make_evaluator(s, inst.definition, self.h.clock, {})
            return case_data(load_workflow(inst.definition, inst.state, script_engine(ev, inst.definition)))


# (process key, flow id) of every sequence flow a test of this directory walked, on either database.
WALKED: set[tuple[str, str]] = set()


def walked_flows(harness: Harness) -> set[tuple[str, str]]:
    """The flows the cases in ``harness``'s database took, read from SpiffWorkflow's task trees.

    A flow from A to B was taken when a task of B exists (done, open or waiting; not merely predicted) whose
    nearest ancestor with a BPMN id is a task of A; the library's own bookkeeping tasks have no BPMN id.
    """
    from SpiffWorkflow.util.task import TaskState as SpiffState

    from engine.definitions.evaluation import make_evaluator
    from engine.runtime.workflow import load_workflow, script_engine

    reached = SpiffState.READY | SpiffState.STARTED | SpiffState.WAITING | SpiffState.COMPLETED | SpiffState.ERROR
    out: set[tuple[str, str]] = set()
    with harness.Session() as s:
        for inst in s.scalars(sa.select(Instance)):
            ev = make_evaluator(s, inst.definition, harness.clock, {})
            workflow = load_workflow(inst.definition, inst.state, script_engine(ev, inst.definition))
            pairs = set()
            for task in workflow.get_tasks(state=reached):
                target = task.task_spec.bpmn_id
                parent = task.parent
                while parent is not None and parent.task_spec.bpmn_id is None:
                    parent = parent.parent
                if target and parent is not None:
                    pairs.add((parent.task_spec.bpmn_id, target))
            for flow_id, source, target in _flows(inst.definition.bpmn_xml, inst.process_key):
                if (source, target) in pairs:
                    out.add((inst.process_key, flow_id))
    return out


_FLOWS: dict[tuple[int, str], list[tuple[str, str, str]]] = {}


def _flows(xml: str | bytes, key: str) -> list[tuple[str, str, str]]:
    cache = (hash(xml), key)
    if cache not in _FLOWS:
        _FLOWS[cache] = [(f.get("id"), f.get("sourceRef"), f.get("targetRef")) for f in all_flows(xml, key)]
    return _FLOWS[cache]


def all_flows(xml: str | bytes, key: str | None = None) -> list:
    from lxml import etree

    tree = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    path = "//bpmn:process" + ("[@id=$key]" if key else "") + "/bpmn:sequenceFlow"
    return tree.xpath(path, namespaces=ns, key=key) if key else tree.xpath(path, namespaces=ns)


@pytest.fixture
def procedure(harness: Harness):
    yield lambda file: Procedure(harness, file)
    WALKED.update(walked_flows(harness))


WHOLE_DIRECTORY = pytest.StashKey[bool]()
_COVERAGE_TEST = "test_zz_flow_coverage.py"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Run the flow-coverage test last, and note whether every test of this directory was collected."""
    here = Path(__file__).parent
    last = [i for i in items if i.path.name == _COVERAGE_TEST]
    if not last:
        return
    items[:] = [i for i in items if i.path.name != _COVERAGE_TEST] + last
    modules = {i.path for i in items}
    whole = all(m in modules for m in here.glob("test_*.py"))
    narrowed = bool(config.getoption("keyword", "") or config.getoption("markexpr", "")
                    or any("::" in str(a) for a in config.args)
                    or config.getoption("lf", False) or config.getoption("deselect", None))
    config.stash[WHOLE_DIRECTORY] = whole and not narrowed
