"""Cases that go round the same tasks hundreds of times (issue #10, point 8).

SpiffWorkflow's walks stop at depth 1000 and every round of a loop used to add levels to the task tree:
a three-element loop's case was marked completed after about 333 rounds while its task still waited.
Finished rounds are now pruned (``engine.spiff.task_tree``); these tests loop well past that point and
check what people see: the task still waits, the case still finishes, timers, boundary events, parallel
branches and event subprocesses still act, the complainant's page still lists every step.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

import engine.runtime.projection as projection
import engine.runtime.workflow as workflow_module
from engine.storage.models import Instance, InstanceStatus, Timer, TimerStatus
from tests.helpers import Harness

ROUNDS = 400


def _state_bytes(harness: Harness, iid: int) -> int:
    with harness.Session() as s:
        return len(s.scalar(sa.select(Instance.state).where(Instance.id == iid)))


def _loop(harness: Harness, user: str, name: str, data: dict, rounds: int) -> None:
    for _ in range(rounds):
        harness.do(user, name, data)


def test_a_case_looped_400_times_still_waits_on_its_task_then_completes(harness: Harness):
    harness.deploy("loop_follow_up.bpmn")
    harness.user("xu", "office")
    iid, number, code = harness.start_tracked("loop_follow_up", "xu")
    _loop(harness, "xu", "回访家长", {"resolved": False, "note": "家长仍不满意"}, 3)
    early = _state_bytes(harness, iid)
    _loop(harness, "xu", "回访家长", {"resolved": False, "note": "家长仍不满意"}, ROUNDS - 3)

    assert harness.task_names("xu") == ["回访家长"]
    view = harness.show(iid)
    assert view["status"] == "running" and [t["name"] for t in view["open_tasks"]] == ["回访家长"]
    # What is stored does not grow with the rounds: the history lives in the audit log.
    assert _state_bytes(harness, iid) <= early + 200
    assert sum(e["kind"] == "task.completed" for e in view["history"]) == ROUNDS

    harness.do("xu", "回访家长", {"resolved": True, "note": "家长满意"})
    assert harness.task_names("xu") == ["归档"]
    tracked = harness.track(number, code)
    # The complainant reads 401 visits in a row as one step (engine.views.tracking), not 401 lines.
    assert [s.name for s in tracked.stages] == ["回访家长", "归档"]
    assert [s.done for s in tracked.stages] == [True, False]
    assert [(v.id, v.value) for v in tracked.result] == [("resolved", "是")]
    harness.do("xu", "归档")
    assert harness.show(iid)["status"] == "completed"
    assert harness.task_names("xu") == []
    assert harness.track(number, code).status == "closed"


def _parallel_case(harness: Harness) -> int:
    harness.deploy("loop_parallel_timers.bpmn")
    harness.user("ann", "office")
    harness.user("sam", "supervisors")
    iid = harness.start("loop_parallel_timers", "ann")
    assert sorted(harness.task_names("ann")) == ["书面报告", "落实整改"]
    return iid


def _waiting_timers(harness: Harness, iid: int) -> list[str]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(Timer.bpmn_id).where(Timer.instance_id == iid,
                                                             Timer.status == TimerStatus.WAITING)
                              .order_by(Timer.bpmn_id)))


def test_pruning_keeps_the_boundary_timer_the_parallel_branch_and_the_event_subprocess(harness: Harness):
    iid = _parallel_case(harness)
    started = harness.clock.now()
    for _ in range(ROUNDS):
        harness.clock.advance(minutes=1)
        harness.do("ann", "落实整改", {"done": False})
    # Only this round's boundary timer waits (the earlier rounds' went with their tasks), and the
    # event subprocess still watches the whole case.
    assert _waiting_timers(harness, iid) == ["measure_overdue", "takeover_start"]
    assert sorted(harness.task_names("ann")) == ["书面报告", "落实整改"]  # the other branch still waits

    # The boundary timer is due three days after this round's task started, not the first round's.
    harness.clock.set(harness.clock.now() + timedelta(days=3) - timedelta(seconds=1))
    assert harness.fire_due().fired == 0
    assert harness.advance(seconds=1).fired == 1
    assert harness.task_names("sam") == ["催办"]
    assert sorted(harness.task_names("ann")) == ["书面报告", "落实整改"]  # non-interrupting

    harness.clock.set(started + timedelta(days=30))
    assert harness.fire_due().fired == 1
    assert sorted(harness.task_names("sam")) == ["催办", "接管"]

    harness.do("ann", "书面报告")
    assert harness.task_names("ann") == ["落实整改"]  # the join waits for the looping branch
    harness.do("ann", "落实整改", {"done": True})
    assert harness.task_names("ann") == ["归档"]
    harness.do("ann", "归档")
    assert harness.show(iid)["status"] == "running"  # 催办 and 接管 still open: the case is not over
    harness.do("sam", "催办")
    harness.do("sam", "接管")
    assert harness.show(iid)["status"] == "completed"
    assert harness.instance(iid).status == InstanceStatus.COMPLETED


def test_a_branch_finished_before_the_loop_is_still_joined_after_hundreds_of_rounds(harness: Harness):
    iid = _parallel_case(harness)
    harness.do("ann", "书面报告")  # this branch waits at the join while the other loops
    _loop(harness, "ann", "落实整改", {"done": False}, ROUNDS)
    assert harness.task_names("ann") == ["落实整改"]
    harness.do("ann", "落实整改", {"done": True})
    assert harness.task_names("ann") == ["归档"]
    harness.do("ann", "归档")
    # The case is over: the event subprocess that watched it is withdrawn with its timer.
    assert harness.show(iid)["status"] == "completed"
    assert _waiting_timers(harness, iid) == []


def test_an_open_reminder_of_an_earlier_round_survives_the_rounds_after_it(harness: Harness):
    iid = _parallel_case(harness)
    harness.advance(days=3)  # round 1 is overdue: a reminder opens and stays open
    assert harness.task_names("sam") == ["催办"]
    _loop(harness, "ann", "落实整改", {"done": False}, ROUNDS)
    assert harness.task_names("sam") == ["催办"]
    harness.do("sam", "催办")
    assert harness.task_names("sam") == []
    harness.do("ann", "书面报告")
    harness.do("ann", "落实整改", {"done": True})
    harness.do("ann", "归档")
    assert harness.show(iid)["status"] == "completed" and _waiting_timers(harness, iid) == []


def test_loops_inside_a_subprocess_and_around_it_are_pruned_and_finish(harness: Harness):
    harness.deploy("loop_subprocess.bpmn")
    harness.user("ann", "office")
    iid = harness.start("loop_subprocess", "ann")
    _loop(harness, "ann", "复核", {"ok": False, "finished": False}, 340)  # round and round inside the stage
    early = _state_bytes(harness, iid)
    _loop(harness, "ann", "复核", {"ok": True, "finished": False}, 340)  # the stage itself, again and again
    assert harness.task_names("ann") == ["复核"]
    assert harness.show(iid)["status"] == "running"
    # Finished stages go with their rounds: what is stored stays the size of one stage.
    assert _state_bytes(harness, iid) <= early + 200
    harness.do("ann", "复核", {"ok": True, "finished": True})
    assert harness.task_names("ann") == ["归档"]
    harness.do("ann", "归档")
    assert harness.show(iid)["status"] == "completed"


def test_a_case_saved_deep_before_pruning_existed_is_pruned_when_next_loaded(harness: Harness, monkeypatch):
    harness.deploy("loop_follow_up.bpmn")
    harness.user("xu", "office")
    iid = harness.start("loop_follow_up", "xu")
    with monkeypatch.context() as m:  # the engine as it was: every round kept in the stored state
        for module in (projection, workflow_module):
            m.setattr(module, "prune_finished_rounds", lambda wf: 0)
        _loop(harness, "xu", "回访家长", {"resolved": False}, 200)
    deep = _state_bytes(harness, iid)
    _loop(harness, "xu", "回访家长", {"resolved": False}, 150)  # past the 333 rounds that closed such a case
    assert _state_bytes(harness, iid) < deep / 10
    assert harness.task_names("xu") == ["回访家长"] and harness.show(iid)["status"] == "running"
    harness.do("xu", "回访家长", {"resolved": True})
    harness.do("xu", "归档")
    assert harness.show(iid)["status"] == "completed"
