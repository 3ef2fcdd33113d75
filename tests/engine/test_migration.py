"""Moving open cases to a new version of their procedure (issue #13, point 5).

An administrator deploys a corrected procedure; the cases already open stay on their version until moved.
A case moves only when every step it waits on and every step it passed exist in the new version under
the same element id; otherwise it stays exactly as it was, with the reason said. Timers are recomputed
from the new version, each from when it started waiting.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.errors import InvalidInput, NotFound
from engine.runtime import migration
from engine.storage.models import AuditEvent, Instance, Timer, TimerStatus

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def procedure(*tasks: tuple[str, str, str], deadline: str | None = "P10D") -> bytes:
    """A line start → tasks… → end; ``tasks`` are (id, name, group); a boundary timer on ``work``."""
    nodes = "".join(
        f'<bpmn:userTask id="{i}" name="{n}" camunda:candidateGroups="{g}"/>' for i, n, g in tasks
    )
    ids = ["start", *(t[0] for t in tasks), "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
        for a, b in zip(ids, ids[1:], strict=False)
    )
    timer = ""
    if deadline and any(t[0] == "work" for t in tasks):
        timer = (
            f'<bpmn:boundaryEvent id="late" name="Too late" attachedToRef="work">'
            f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{deadline}'
            f"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
            f'<bpmn:userTask id="late_work" name="Late work" camunda:candidateGroups="office"/>'
            f'<bpmn:endEvent id="end_late"/>'
            f'<bpmn:sequenceFlow id="fl1" sourceRef="late" targetRef="late_work"/>'
            f'<bpmn:sequenceFlow id="fl2" sourceRef="late_work" targetRef="end_late"/>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {NS} id="d" targetNamespace="t">'
        f'<bpmn:process id="fix" isExecutable="true"><bpmn:startEvent id="start"/>{nodes}{timer}'
        f'<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>'
    ).encode()


V1 = procedure(("work", "Do the work", "office"))
V2 = procedure(("work", "Do the work", "office"), ("review", "Review", "heads"), deadline="P5D")
V3 = procedure(("work", "Do the work", "office"))  # review removed again
V4 = procedure(("check", "Check", "office"), ("work", "Do the work", "office"))  # a new first step


@pytest.fixture
def office(harness):
    harness.user("ann", "office")
    harness.user("hal", "heads")
    harness.user("root", admin=True)
    return harness


def deploy(h, data: bytes) -> int:
    [result] = h.deploy_bytes(data, f"fix_{len(data)}.bpmn")
    return result.version


def move(h, instance_id: int, to: int, *, frm: int | None = None, dry_run: bool = False):
    with h.Session.begin() as s:
        source, target = migration.versions(s, "fix", frm or to - 1, to)
        return migration.move_case(
            s, instance_id, target, h.clock, actor="root", source=source, dry_run=dry_run
        )


def timers(h, instance_id: int) -> list[tuple[str, object]]:
    with h.Session() as s:
        return [
            (t.bpmn_id, t.due_at)
            for t in s.scalars(
                sa.select(Timer).where(Timer.instance_id == instance_id, Timer.status == TimerStatus.WAITING)
            )
        ]


def stored(h, instance_id: int) -> tuple[int, str]:
    with h.Session() as s:
        inst = s.get(Instance, instance_id)
        return inst.definition.version, inst.state


def test_a_waiting_case_moves_keeps_its_claim_and_follows_the_new_diagram(office):
    h = office
    deploy(h, V1)
    case = h.start("fix", "ann")
    [task] = h.tasks("ann")
    h.claim(task["id"], "ann")
    started = h.clock.now()
    deploy(h, V2)
    h.clock.advance(days=2)

    result = move(h, case, 2)

    assert (result.movable, result.moved, result.reasons) == (True, True, [])
    assert h.show(case)["version"] == 2
    [still] = h.tasks("ann")
    assert (still["id"], still["assignee"]) == (task["id"], "ann")  # the claim survives the move
    # The deadline timer follows version 2 (P5D instead of P10D), counted from when the task began.
    [(bpmn_id, due)] = timers(h, case)
    assert bpmn_id == "late" and abs(due - (started + timedelta(days=5))) < timedelta(seconds=1)
    h.complete(task["id"], "ann")
    assert h.task_names("hal") == ["Review"]  # a step only version 2 has
    with h.Session() as s:
        [event] = s.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "instance.migrated")).all()
        assert (event.actor, event.instance_id) == ("root", case)


def test_a_case_waiting_on_a_removed_step_stays_where_it_is_and_says_why(office):
    h = office
    deploy(h, V1)
    deploy(h, V2)
    case = h.start("fix", "ann")  # on version 2
    h.do("ann", "Do the work")
    assert h.task_names("hal") == ["Review"]
    deploy(h, V3)
    before = stored(h, case)

    result = move(h, case, 3)

    assert not result.movable and not result.moved
    assert result.reasons == ["it waits on 'Review' (review), which version 3 does not have"]
    assert stored(h, case) == before
    h.do("hal", "Review")  # still workable on its own version
    assert h.show(case)["status"] == "completed"


def test_a_case_that_passed_a_step_the_new_version_removed_stays(office):
    h = office
    deploy(h, V4)  # version 1 here: check → work
    case = h.start("fix", "ann")
    h.do("ann", "Check")
    deploy(h, V1)  # version 2: work only
    before = stored(h, case)

    result = move(h, case, 2)

    assert result.reasons == ["it has passed 'Check' (check), which version 2 no longer has"]
    assert stored(h, case) == before


def test_a_dry_run_says_what_a_move_would_do_and_changes_nothing(office):
    h = office
    deploy(h, V1)
    case = h.start("fix", "ann")
    deploy(h, V2)
    before, before_timers = stored(h, case), timers(h, case)

    result = move(h, case, 2, dry_run=True)

    assert (result.movable, result.moved) == (True, False)
    assert stored(h, case) == before and timers(h, case) == before_timers
    with h.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).where(AuditEvent.kind == "instance.migrated")) == 0


def test_a_case_on_another_version_or_closed_is_not_moved(office):
    h = office
    deploy(h, V1)
    done = h.start("fix", "ann")
    h.do("ann", "Do the work")
    deploy(h, V2)
    deploy(h, V3)
    assert move(h, done, 2).reasons == ["the case is completed, not open"]
    on_two = h.start("fix", "ann")  # on version 3
    assert move(h, on_two, 3, frm=1).reasons == ["the case is on version 3, not 1"]


def test_versions_must_exist_and_differ(office):
    deploy(office, V1)
    with office.Session() as s:
        with pytest.raises(NotFound, match="has no version 7"):
            migration.versions(s, "fix", 1, 7)
        with pytest.raises(InvalidInput, match="both the source and the target"):
            migration.versions(s, "fix", 1, 1)


def test_versions_are_listed_oldest_first_with_their_open_cases(harness):
    h = harness
    h.user("ann", "office")
    h.user("root", admin=True)
    h.deploy_bytes(V1, "fix.bpmn")
    h.start("fix", "ann")
    h.start("fix", "ann")
    h.deploy_bytes(V2, "fix.bpmn")
    with h.Session() as s:
        assert [(d.version, n) for d, n in migration.versions_with_open_cases(s, "fix")] == [(1, 2), (2, 0)]
        assert migration.versions_with_open_cases(s, "nosuch") == []
