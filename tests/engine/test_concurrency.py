"""Two people acting on the same case at once: one wins, the other is told clearly, nothing is doubled."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from engine import runtime
from engine.errors import ConcurrentUpdate, EngineError, NotAllowed
from engine.storage.models import AuditEvent, HumanTask, Instance, TaskState
from engine.runtime.operations import _flush
from tests.helpers import Harness

ROUNDS = 20


def race(Session, actions: dict[str, Callable]) -> dict[str, object]:  # noqa: N803
    """Run each action in its own thread and session, released together by a barrier; result or exception."""
    barrier = threading.Barrier(len(actions), timeout=10)
    results: dict[str, object] = {}

    def run(name: str, action: Callable) -> None:
        with Session() as session:
            barrier.wait()
            try:
                with session.begin():
                    action(session)
                results[name] = "ok"
            except EngineError as exc:
                results[name] = exc
            except Exception as exc:  # reported by the test, not lost in the thread
                results[name] = exc

    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


def one_winner(results: dict[str, object]) -> tuple[str, str, Exception]:
    winners = [n for n, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    [loser] = [n for n in results if n not in winners]
    return winners[0], loser, results[loser]  # type: ignore[return-value]


@pytest.fixture
def teachers(harness: Harness) -> Harness:
    harness.deploy("lanes.bpmn")  # Grade (teachers) -> Sign (principal)
    harness.user("tom", "teachers")
    harness.user("tina", "teachers")
    harness.user("pam", "principal")
    return harness


def events(harness: Harness, iid: int, kind: str) -> list[dict]:
    with harness.Session() as s:
        return [json.loads(e.payload) for e in s.scalars(
            sa.select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.kind == kind))]


def open_tasks(harness: Harness, iid: int) -> list[str]:
    with harness.Session() as s:
        return sorted(s.scalars(sa.select(HumanTask.name).where(
            HumanTask.instance_id == iid, HumanTask.state == TaskState.OPEN)))


@pytest.mark.postgres_only
def test_two_people_completing_the_same_task_at_once(teachers, Session, clock):  # noqa: N803
    for _ in range(ROUNDS):
        iid = teachers.start("lanes", "pam")
        tid = teachers.task("tom", "Grade")["id"]
        version = teachers.instance(iid).version

        results = race(Session, {
            who: (lambda s, who=who, tid=tid: runtime.complete_task(s, tid, user=who, clock=clock, data={"mark": who}))
            for who in ("tom", "tina")
        })
        winner, loser, error = one_winner(results)
        assert isinstance(error, ConcurrentUpdate), results
        assert str(error) == f"task 'Grade' was already completed by {winner}"

        assert [e["data"] for e in events(teachers, iid, "task.completed")] == [{"mark": winner}]
        assert open_tasks(teachers, iid) == ["Sign"]
        assert teachers.instance(iid).version == version + 1
        row = teachers.task_row(tid)
        assert (row.state, row.completed_by) == ("completed", winner)
        teachers.do("pam", "Sign")  # keep the inbox to this round's task


@pytest.mark.postgres_only
def test_two_people_claiming_the_same_task_at_once(teachers, Session, clock):  # noqa: N803
    for _ in range(ROUNDS):
        iid = teachers.start("lanes", "pam")
        tid = teachers.task("tom", "Grade")["id"]
        results = race(Session, {
            who: (lambda s, who=who, tid=tid: runtime.claim_task(s, tid, user=who, clock=clock))
            for who in ("tom", "tina")
        })
        winner, loser, error = one_winner(results)
        assert isinstance(error, NotAllowed), results
        assert str(error) == f"task 'Grade' is already claimed by {winner}"
        assert teachers.task_row(tid).assignee == winner
        assert len(events(teachers, iid, "task.claimed")) == 1
        assert teachers.task_names(loser) == []
        teachers.do(winner, "Grade")
        teachers.do("pam", "Sign")


def test_completing_a_task_someone_already_completed(teachers):
    iid = teachers.start("lanes", "pam")
    tid = teachers.task("tom", "Grade")["id"]
    teachers.complete(tid, "tina")
    with pytest.raises(ConcurrentUpdate, match="^task 'Grade' was already completed by tina$"):
        teachers.complete(tid, "tom")
    with pytest.raises(ConcurrentUpdate, match="already completed by tina"):
        teachers.claim(tid, "tom")
    assert len(events(teachers, iid, "task.completed")) == 1
    assert open_tasks(teachers, iid) == ["Sign"]


def save_stale(Session, iid: int, other_change: Callable[[], None], flush: Callable) -> None:  # noqa: N803
    """Read the instance in session A, let ``other_change`` commit, then save A's copy with ``flush``."""
    with Session() as a:
        with a.begin():
            stale = a.get(Instance, iid)
            assert stale is not None
        other_change()
        stale.state = "{}"  # what A saves would wipe the other change
        try:
            flush(a)
        finally:
            a.rollback()


def test_a_stale_save_is_refused_and_the_other_change_kept(teachers, Session, clock):  # noqa: N803
    iid = teachers.start("lanes", "pam")
    tid = teachers.task("tom", "Grade")["id"]
    version = teachers.instance(iid).version

    clock.advance(minutes=1)  # a claim bumps the version through updated_at, so time must move
    with pytest.raises(StaleDataError):  # the ORM's version check ...
        save_stale(Session, iid, lambda: teachers.claim(tid, "tom"), lambda a: a.flush())
    with pytest.raises(ConcurrentUpdate,  # ... and what the engine makes of it
                       match="^someone else changed this case at the same time; reload and try again$"):
        save_stale(Session, iid, lambda: teachers.complete(tid, "tom"), _flush)

    saved = teachers.instance(iid)
    assert saved.version == version + 2  # the claim and the completion, nothing of A
    assert saved.state != "{}"
    assert teachers.task_names("pam") == ["Sign"]
    teachers.do("pam", "Sign")
    assert teachers.show(iid)["status"] == "completed"
