"""Who sees which task, who may claim, release, reassign and complete it, and in what order tasks are listed.
"""
from __future__ import annotations

import json

import pytest

from engine.people.assignment import set_lane_group
from engine.errors import NotAllowed, NotFound
from tests.helpers import Harness, office_case


def inboxes(harness: Harness, *people: str) -> dict[str, list[str]]:
    return {p: sorted(harness.task_names(p)) for p in people}


def audit_kinds(harness: Harness, iid: int) -> list[str]:
    return [h["kind"] for h in harness.show(iid)["history"]]


# --- where tasks go --------------------------------------------------------------------------------


def test_tasks_go_to_groups_users_the_assignee_expression_or_the_initiator(harness):
    harness.deploy("routing.bpmn")
    harness.user("ann", "office")
    for name in ("carl", "dora", "erin", "ivy", "zed"):
        harness.user(name)
    iid = harness.start("routing", "ivy", {"owner": "erin"})

    assert inboxes(harness, "ann", "carl", "dora", "erin", "ivy", "zed") == {
        "ann": ["Office task"],                # camunda:candidateGroups="office"
        "carl": ["Named people task"],         # camunda:candidateUsers="carl, dora"
        "dora": ["Named people task"],
        "erin": ["Owner task"],                # camunda:assignee="${owner}" from the start data
        "ivy": ["Initiator task"],             # no attributes and no lane: the person who started it
        "zed": [],
    }
    tasks = {t["name"]: t for t in harness.show(iid)["open_tasks"]}
    assert tasks["Owner task"]["assignee"] == "erin"
    assert tasks["Office task"]["assignee"] is None
    assert tasks["Office task"]["candidate_groups"] == ["office"]


def test_a_lane_sends_its_tasks_to_the_group_named_like_it(harness):
    harness.deploy("lanes.bpmn")
    harness.user("tom", "teachers")
    harness.user("pam", "principal")
    harness.start("lanes", "tom")
    [grade] = harness.tasks("tom")
    assert (grade["name"], grade["lane"], grade["candidate_groups"]) == ("Grade", "teachers", ["teachers"])
    assert harness.task_names("pam") == []
    harness.do("tom", "Grade")
    assert inboxes(harness, "tom", "pam") == {"tom": [], "pam": ["Sign"]}


def test_an_administrator_can_map_a_lane_to_another_group_for_new_tasks(harness):
    harness.deploy("lanes.bpmn")
    harness.user("tom", "teachers")
    harness.user("pam", "principal")
    harness.user("hal", "heads")
    harness.start("lanes", "tom")
    harness.start("lanes", "tom")
    harness.do("tom", "Grade")  # the first case's Sign task is created before the mapping
    with harness.Session.begin() as s:
        set_lane_group(s, "lanes", "principal", "heads")
    harness.do("tom", "Grade")  # ... the second case's after it

    assert harness.task_names("pam") == ["Sign"]
    assert harness.task_names("hal") == ["Sign"]
    [for_hal] = harness.tasks("hal")
    assert (for_hal["lane"], for_hal["candidate_groups"]) == ("principal", ["heads"])

    with harness.Session.begin() as s:  # mapping again replaces the mapping
        set_lane_group(s, "lanes", "principal", "principal")
    harness.start("lanes", "tom")
    harness.do("tom", "Grade")
    assert harness.task_names("pam") == ["Sign", "Sign"]


# --- inbox, claim, release, reassign ---------------------------------------------------------------


@pytest.fixture
def office(harness: Harness) -> tuple[int, str]:
    """A simple case waiting for the office group (ann, bob); carl is outside it, root is an administrator."""
    return office_case(harness)


def test_a_claimed_task_leaves_the_other_candidates_inboxes(harness, office):
    iid, tid = office
    assert inboxes(harness, "ann", "bob", "carl", "root") == {"ann": ["Fill"], "bob": ["Fill"], "carl": [],
                                                             "root": []}
    harness.claim(tid, "ann")
    assert inboxes(harness, "ann", "bob") == {"ann": ["Fill"], "bob": []}
    assert harness.task("ann", "Fill")["assignee"] == "ann"
    harness.unclaim(tid, "ann")
    assert inboxes(harness, "ann", "bob") == {"ann": ["Fill"], "bob": ["Fill"]}
    assert audit_kinds(harness, iid) == ["instance.started", "task.claimed", "task.unclaimed"]


def test_claim_rules(harness, office):
    iid, tid = office
    with pytest.raises(NotAllowed, match="^carl may not claim task 'Fill'$"):
        harness.claim(tid, "carl")
    harness.claim(tid, "ann")
    harness.claim(tid, "ann")  # claiming one's own task again changes nothing
    with pytest.raises(NotAllowed, match="^task 'Fill' is already claimed by ann$"):
        harness.claim(tid, "bob")
    with pytest.raises(NotAllowed, match="^task 'Fill' is already claimed by ann$"):
        harness.claim(tid, "root")  # administrators reassign, they do not snatch
    assert harness.task_row(tid).assignee == "ann"
    assert audit_kinds(harness, iid) == ["instance.started", "task.claimed"]


def test_only_the_assignee_or_an_administrator_may_release_a_task(harness, office):
    iid, tid = office
    harness.claim(tid, "ann")
    with pytest.raises(NotAllowed, match="^only ann or an administrator can release this task$"):
        harness.unclaim(tid, "bob")
    assert harness.task_row(tid).assignee == "ann"
    harness.unclaim(tid, "root")
    assert harness.task_row(tid).assignee is None
    assert harness.task_names("bob") == ["Fill"]


def test_only_an_administrator_may_reassign(harness, office):
    iid, tid = office
    with pytest.raises(NotAllowed, match="^only an administrator can reassign tasks$"):
        harness.reassign(tid, "ann", "bob")
    with pytest.raises(NotFound, match="no user named 'nobody'"):
        harness.reassign(tid, "root", "nobody")
    assert harness.task_row(tid).assignee is None

    harness.claim(tid, "ann")
    harness.reassign(tid, "root", "carl")  # carl is not in the group; he becomes the assignee anyway
    assert inboxes(harness, "ann", "bob", "carl") == {"ann": [], "bob": [], "carl": ["Fill"]}
    history = harness.show(iid)["history"]
    [reassigned] = [json.loads(h["detail"]) for h in history if h["kind"] == "task.reassigned"]
    assert (reassigned["previous"], reassigned["to"]) == ("ann", "carl")

    harness.unclaim(tid, "carl")  # and having become a candidate, he keeps it in view when released
    assert inboxes(harness, "ann", "bob", "carl") == {"ann": ["Fill"], "bob": ["Fill"], "carl": ["Fill"]}
    harness.do("carl", "Fill", {"approved": True})
    assert harness.show(iid)["status"] == "completed"


def test_completing_an_unclaimed_task_as_a_candidate_claims_it(harness, office):
    iid, tid = office
    harness.complete(tid, "bob", {"approved": False})
    row = harness.task_row(tid)
    assert (row.state, row.assignee, row.completed_by) == ("completed", "bob", "bob")
    [completed] = [h for h in harness.show(iid)["history"] if h["kind"] == "task.completed"]
    assert completed["actor"] == "bob"


def test_who_may_not_complete(harness, office):
    iid, tid = office
    with pytest.raises(NotAllowed, match="^carl may not work on task 'Fill'$"):
        harness.complete(tid, "carl", {"approved": True})
    harness.claim(tid, "ann")
    with pytest.raises(NotAllowed, match="^task 'Fill' is claimed by ann$"):
        harness.complete(tid, "bob", {"approved": True})
    with pytest.raises(NotAllowed, match="claimed by ann"):
        harness.complete(tid, "root", {"approved": True})
    assert harness.show(iid)["status"] == "running"
    harness.complete(tid, "ann", {"approved": True})
    assert harness.show(iid)["status"] == "completed"


def test_acting_on_a_task_that_does_not_exist(harness, office):
    with pytest.raises(NotFound, match="no task 00000000-0000-0000-0000-000000000000"):
        harness.claim("00000000-0000-0000-0000-000000000000", "ann")


# --- excluded people -------------------------------------------------------------------------------


@pytest.fixture
def complaint(harness: Harness) -> tuple[int, str]:
    """A complaint about acc, who is in the staff group the investigation goes to."""
    harness.deploy("exclude.bpmn")
    harness.user("sam", "staff")
    harness.user("acc", "staff")
    harness.user("parent")
    harness.user("root", admin=True)
    iid = harness.start("complaint", "parent", {"accused": "acc"})
    return iid, harness.task("sam", "Investigate")["id"]


def test_the_accused_never_sees_the_task_about_them(harness, complaint):
    iid, tid = complaint
    assert inboxes(harness, "sam", "acc") == {"sam": ["Investigate"], "acc": []}
    with pytest.raises(NotAllowed, match="^acc may not claim task 'Investigate'$"):
        harness.claim(tid, "acc")
    with pytest.raises(NotAllowed, match="^acc may not work on task 'Investigate'$"):
        harness.complete(tid, "acc", {})
    assert audit_kinds(harness, iid) == ["instance.started"]
    harness.claim(tid, "sam")
    harness.unclaim(tid, "sam")
    assert inboxes(harness, "sam", "acc") == {"sam": ["Investigate"], "acc": []}


def test_exclusion_is_per_case(harness, complaint):
    harness.start("complaint", "parent", {"accused": "sam"})
    assert inboxes(harness, "sam", "acc") == {"sam": ["Investigate"], "acc": ["Investigate"]}
    harness.start("complaint", "parent", {"accused": ["sam", "acc"]})
    assert inboxes(harness, "sam", "acc") == {"sam": ["Investigate"], "acc": ["Investigate"]}


def test_an_administrator_cannot_hand_the_accused_their_own_case(harness, complaint):
    iid, tid = complaint
    with pytest.raises(NotAllowed):
        harness.reassign(tid, "root", "acc")


# --- order and deadlines ---------------------------------------------------------------------------


def test_task_list_puts_the_soonest_due_first_and_flags_overdue_ones(harness, clock):
    harness.deploy("deadlines.bpmn")
    harness.user("ann", "office")
    harness.start("deadlines", "ann")  # Wednesday 30 September 2026, 10:00 in Shanghai

    tasks = harness.tasks("ann")
    assert [(t["name"], t["due_at"]) for t in tasks] == [
        ("Soon", "2026-10-01T09:00:00+08:00"),
        ("Middle", "2026-10-03T10:00:00+08:00"),  # P3D from the start
        ("Later", "2026-10-20T10:00:00+08:00"),
        ("No deadline", None),
    ]
    assert not any(t["overdue"] for t in tasks)

    clock.advance(hours=23)  # 1 October, 09:00: exactly due is not yet overdue
    assert [t["name"] for t in harness.tasks("ann") if t["overdue"]] == []
    clock.advance(minutes=1)
    assert [t["name"] for t in harness.tasks("ann") if t["overdue"]] == ["Soon"]
    clock.advance(days=30)
    assert [t["name"] for t in harness.tasks("ann") if t["overdue"]] == ["Soon", "Middle", "Later"]
    assert [t["name"] for t in harness.tasks("ann")] == ["Soon", "Middle", "Later", "No deadline"]
