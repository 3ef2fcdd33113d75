"""Test helpers: run each engine step in its own transaction, exactly as production does.

Every step commits and the next one reloads the instance from the database, so each test
round-trips the workflow state through the store between steps.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine import definitions, runtime
from engine.people import substitution, users
from engine.runtime import sweeps
from engine.views import queries, tracking
from engine.time.clock import FakeClock
from engine.storage.db import make_sessionmaker
from engine.storage.models import HumanTask, Instance

DATA = Path(__file__).parent / "data"


class Harness:
    def __init__(self, Session: sessionmaker[Session], clock: FakeClock):  # noqa: N803
        self.Session = Session
        # Lists and views read as the CLI reads them: in sessions that neither wait for nor hold up a writer.
        self.ReadSession = make_sessionmaker(Session.kw["bind"], read_only=True)
        self.clock = clock

    def deploy(self, path: str | Path, **kwargs: Any) -> list[definitions.DeployResult]:
        path = Path(path)
        if not path.is_absolute() and not path.exists():
            path = DATA / path
        with self.Session.begin() as s:
            return definitions.deploy_path(s, [path], clock=self.clock, **kwargs)

    def deploy_bytes(self, data: bytes, name: str = "upload.bpmn", **kwargs: Any) -> list[Any]:
        with self.Session.begin() as s:
            return definitions.deploy_file(s, data, name, clock=self.clock, **kwargs)

    def user(self, name: str, *groups: str, admin: bool = False) -> str:
        with self.Session.begin() as s:
            users.add_user(s, name, clock=self.clock, groups=list(groups), is_admin=admin)
        return name

    def start(self, key: str, user: str, data: dict[str, Any] | None = None) -> int:
        with self.Session.begin() as s:
            return runtime.start_process(s, key, user=user, clock=self.clock, data=data).id

    def start_tracked(self, key: str, user: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """Start a case; returns its instance id, case number and the tracking code handed out."""
        with self.Session.begin() as s:
            started = runtime.start_process(s, key, user=user, clock=self.clock, data=data)
        assert started.case_number and started.tracking_code
        return started.id, started.case_number, started.tracking_code

    def track(self, case_number: str, code: str) -> tracking.CaseTracking:
        """What the complainant sees with the case number and code (raises NotFound otherwise)."""
        with self.ReadSession() as s:
            return tracking.track(s, case_number, code, self.clock.now())

    def tasks(self, user: str) -> list[dict[str, Any]]:
        with self.ReadSession() as s:
            now = self.clock.now()
            return queries.task_list_json(s, user, now)

    def task_names(self, user: str) -> list[str]:
        return [t["name"] for t in self.tasks(user)]

    def task(self, user: str, name: str) -> dict[str, Any]:
        matches = [t for t in self.tasks(user) if t["name"] == name]
        assert matches, f"{user} does not see a task named {name!r}; sees {self.task_names(user)}"
        return matches[0]

    def complete(self, task_id: str, user: str, data: dict[str, Any] | None = None) -> None:
        with self.Session.begin() as s:
            runtime.complete_task(s, task_id, user=user, clock=self.clock, data=data)

    def do(self, user: str, name: str, data: dict[str, Any] | None = None) -> None:
        """Complete the task named ``name`` that ``user`` sees."""
        self.complete(self.task(user, name)["id"], user, data)

    def claim(self, task_id: str, user: str) -> None:
        with self.Session.begin() as s:
            runtime.claim_task(s, task_id, user=user, clock=self.clock)

    def unclaim(self, task_id: str, user: str) -> None:
        with self.Session.begin() as s:
            runtime.unclaim_task(s, task_id, user=user, clock=self.clock)

    def reassign(self, task_id: str, user: str, to: str) -> None:
        with self.Session.begin() as s:
            runtime.reassign_task(s, task_id, user=user, to=to, clock=self.clock)

    def cover(self, user: str, substitute: str, starts_at: datetime, ends_at: datetime, **kwargs: Any) -> int:
        """Arrange duty cover (``engine.people.substitution.arrange``); returns the cover's id."""
        with self.Session.begin() as s:
            return substitution.arrange(s, user, substitute, starts_at, ends_at, clock=self.clock, **kwargs).id

    def fire_due(self) -> sweeps.SweepResult:
        """Run the timer worker once at the fake clock's current time."""
        return sweeps.fire_due(self.Session, self.clock)

    def advance(self, **delta: float) -> sweeps.SweepResult:
        """Move the fake clock forward, then let the worker fire whatever came due."""
        self.clock.advance(**delta)
        return self.fire_due()

    def show(self, instance_id: int) -> dict[str, Any]:
        with self.ReadSession() as s:
            return queries.instance_view(s, instance_id, self.clock.now())

    def instance(self, instance_id: int) -> Instance:
        with self.Session() as s:
            return s.get(Instance, instance_id)  # type: ignore[return-value]

    def task_row(self, task_id: str) -> HumanTask:
        with self.Session() as s:
            row = s.get(HumanTask, task_id)
            assert row is not None
            return row


def office_case(harness: Harness) -> tuple[int, str]:
    """A simple.bpmn case waiting at "Fill" for the office group (ann, bob); carl is in the library, root
    an administrator. Returns the instance id and the task id."""
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    harness.user("bob", "office")
    harness.user("carl", "library")
    harness.user("root", admin=True)
    iid = harness.start("simple", "ann")
    return iid, harness.task("ann", "Fill")["id"]
