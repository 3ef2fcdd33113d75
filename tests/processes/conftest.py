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


# (process key, source id, target id) of every step a test of this directory took, on either database.
WALKED: set[tuple[str, str, str]] = set()


def walked_pairs(workflow) -> set[tuple[str, str, str]]:  # noqa: ANN001
    """The steps a workflow's task tree shows: a task of B (done, open or waiting; not merely predicted)
    whose nearest ancestor with a BPMN id is a task of A walked a flow from A to B. The library's own
    bookkeeping tasks have no BPMN id. Finished loop rounds are pruned from the tree as the case runs, so
    the ``procedure`` fixture reads each tree just before it is pruned, as well as at the end."""
    from SpiffWorkflow.util.task import TaskState as SpiffState

    reached = SpiffState.READY | SpiffState.STARTED | SpiffState.WAITING | SpiffState.COMPLETED | SpiffState.ERROR
    out = set()
    for task in workflow.get_tasks(state=reached):
        target = task.task_spec.bpmn_id
        parent = task.parent
        while parent is not None and parent.task_spec.bpmn_id is None:
            parent = parent.parent
        if target and parent is not None:
            out.add((task.workflow.spec.name, parent.task_spec.bpmn_id, target))
    return out


def walked_flows(harness: Harness) -> set[tuple[str, str, str]]:
    """The steps of every case in ``harness``'s database, as their saved task trees show them."""
    from engine.definitions.evaluation import make_evaluator
    from engine.runtime.workflow import load_workflow, script_engine

    out: set[tuple[str, str, str]] = set()
    with harness.Session() as s:
        for inst in s.scalars(sa.select(Instance)):
            ev = make_evaluator(s, inst.definition, harness.clock, {})
            out |= walked_pairs(load_workflow(inst.definition, inst.state, script_engine(ev, inst.definition)))
    return out


def all_flows(xml: str | bytes, key: str | None = None) -> list:
    from lxml import etree

    tree = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    path = "//bpmn:process" + ("[@id=$key]" if key else "") + "/bpmn:sequenceFlow"
    return tree.xpath(path, namespaces=ns, key=key) if key else tree.xpath(path, namespaces=ns)


@pytest.fixture
def procedure(harness: Harness, monkeypatch: pytest.MonkeyPatch):
    from engine.runtime import projection, workflow

    original = projection.prune_finished_rounds

    def recording_prune(wf):  # noqa: ANN001, ANN202
        WALKED.update(walked_pairs(wf))
        return original(wf)

    monkeypatch.setattr(projection, "prune_finished_rounds", recording_prune)
    monkeypatch.setattr(workflow, "prune_finished_rounds", recording_prune)
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
