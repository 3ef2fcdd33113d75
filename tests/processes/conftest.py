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


@pytest.fixture
def procedure(harness: Harness):
    return lambda file: Procedure(harness, file)
