"""The inbox (engine.views.inbox) lists exactly the tasks of the visibility rule (queries.visible_to), with
its counts, whatever the mix: groups, named candidates, assignees, duty cover, excluded people, claims,
reassignments and completions. The inbox reads copies of the task columns kept on the candidate rows by
database triggers (migration 0013); these tests would see a copy left behind.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.storage import store
from engine.views import inbox, queries
from tests.helpers import Harness

_NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
       'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')
_TASKS = {
    "group": 'camunda:candidateGroups="office"',
    "two_groups": 'camunda:candidateGroups="office, annex"',
    "group_and_user": 'camunda:candidateGroups="office" camunda:candidateUsers="dora"',
    "users": 'camunda:candidateUsers="carl, dora"',
    "owner": 'camunda:assignee="${owner}"',
}


def _bpmn(key: str, exclude: bool = False) -> bytes:
    props = ('<bpmn:extensionElements><camunda:properties><camunda:property name="excludeUsers" '
             'value="${accused}"/></camunda:properties></bpmn:extensionElements>') if exclude else ""
    tasks = "".join(f'<bpmn:userTask id="{t}" name="{t}" {attrs}/>' for t, attrs in _TASKS.items())
    flows = "".join(f'<bpmn:sequenceFlow id="a_{t}" sourceRef="fork" targetRef="{t}"/>'
                    f'<bpmn:sequenceFlow id="b_{t}" sourceRef="{t}" targetRef="join"/>' for t in _TASKS)
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {_NS} id="d" targetNamespace="t">'
            f'<bpmn:process id="{key}" name="{key}" isExecutable="true">{props}<bpmn:startEvent id="s"/>'
            '<bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>'
            f'<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="e"/>{tasks}{flows}'
            '</bpmn:process></bpmn:definitions>').encode()


PEOPLE = ["ann", "bob", "carl", "dora", "eve"]


@pytest.fixture
def office(harness: Harness) -> Harness:
    """Two procedures, five people, a cover (carl for dora), eve accused in one case; tasks claimed,
    reassigned and completed, due times moved after the tasks were created."""
    harness.deploy_bytes(_bpmn("mix"), "mix.bpmn")
    harness.deploy_bytes(_bpmn("complaint", exclude=True), "complaint.bpmn")
    harness.user("ann", "office")
    harness.user("bob", "office", "annex")
    harness.user("carl")
    harness.user("dora", "annex")
    harness.user("eve", "office")
    harness.user("zed", admin=True)
    now = harness.clock.now()
    harness.cover("dora", "carl", now - timedelta(hours=1), now + timedelta(days=1))
    first = harness.start("mix", "ann", {"owner": "bob"})
    harness.start("mix", "ann", {"owner": "dora"})
    harness.start("complaint", "ann", {"owner": "ann", "accused": "eve"})
    ids = {t["name"]: t["id"] for t in harness.tasks("bob") if t["instance_id"] == first}
    harness.claim(ids["group"], "ann")
    harness.reassign(ids["two_groups"], "zed", "carl")
    harness.complete(ids["owner"], "bob")
    harness.claim(ids["group_and_user"], "eve")
    harness.unclaim(ids["group_and_user"], "eve")
    with harness.Session.begin() as s:  # due times, past and future, set on the task rows only
        task_ids = sorted(s.execute(sa.select(store.TASKS.c.id)).scalars())
        for i, task_id in enumerate(task_ids):
            due = None if i % 3 == 0 else now + timedelta(hours=(-1) ** i * i)
            s.execute(store.TASKS.update().where(store.TASKS.c.id == task_id).values(due_at=due, priority=i % 4))
    return harness


def _walk(harness: Harness, user: str, **kwargs) -> tuple[list[inbox.InboxRow], dict[str, int]]:
    """Every row of a view, page by page (pages of two), and the counts the first page showed."""
    rows, cursor, counts = [], None, None
    with harness.ReadSession() as s:
        while True:
            page = inbox.inbox_page(s, user, harness.clock.now(), cursor=cursor, limit=2, **kwargs)
            counts = counts or page.counts
            rows += page.rows
            cursor = page.next_cursor
            if cursor is None:
                return rows, counts


def _expected(harness: Harness, user: str, procedure: str | None = None) -> dict[str, set[str]]:
    now = harness.clock.now()
    with harness.ReadSession() as s:
        tasks = [t for t in queries.task_list(s, user, now) if procedure in (None, t.process_key)]
    return {
        "all": {t.id for t in tasks},
        "mine": {t.id for t in tasks if t.assignee == user},
        "queue": {t.id for t in tasks if t.assignee is None and t.own},
        "covered": {t.id for t in tasks if not t.own},
        "overdue": {t.id for t in tasks if t.due_at and t.due_at < now},
    }


@pytest.mark.parametrize("user", PEOPLE)
def test_every_view_lists_the_tasks_of_the_visibility_rule_with_their_counts(office, user):
    expected = _expected(office, user)
    assert expected["all"], f"{user} should see something in this set-up"
    for view in inbox.VIEWS:
        for sort in inbox.SORTS:
            rows, counts = _walk(office, user, view=view, sort=sort)
            ids = [r.id for r in rows]
            assert len(ids) == len(set(ids)), "a task listed twice"
            assert set(ids) == expected[view], (view, sort)
            assert counts == {v: len(expected[v]) for v in inbox.VIEWS}


@pytest.mark.parametrize("user", ["bob", "carl"])
def test_the_procedure_filter_and_the_search_narrow_the_list_and_the_counts(office, user):
    expected = _expected(office, user, "complaint")
    rows, counts = _walk(office, user, procedure="complaint")
    assert {r.id for r in rows} == expected["all"]
    assert counts == {v: len(expected[v]) for v in inbox.VIEWS}
    with office.ReadSession() as s:
        number = queries.task_list(s, user, office.clock.now())[0].case_number
        page = inbox.inbox_page(s, user, office.clock.now(), case_number=number.lower())
    assert page.rows and {r.case_number for r in page.rows} == {number}
    assert page.counts["all"] == len(page.rows)
    assert {k for k, _name in page.procedures} == {"mix", "complaint"}  # the list ignores the search


def test_a_substitute_counts_the_covered_colleagues_tasks_apart_and_the_accused_never_counts_theirs(office):
    rows, counts = _walk(office, "carl")
    covered = {r.name for r in rows if not r.own}
    # dora's assigned task and the one naming her; not annex's group tasks, nor "users", which names carl
    assert covered == {"owner", "group_and_user"}
    assert counts["covered"] == sum(not r.own for r in rows)
    assert "two_groups" in {r.name for r in rows if r.own}  # reassigned to carl: his own
    eve_rows, eve_counts = _walk(office, "eve")
    complaint = {r.process_key for r in eve_rows}
    assert complaint == {"mix"} and eve_counts["all"] == len(eve_rows)


def test_claiming_completing_and_releasing_move_the_task_between_the_counts(office):
    def counts(user: str) -> dict[str, int]:
        with office.ReadSession() as s:
            return inbox.inbox_page(s, user, office.clock.now(), procedure="mix").counts

    before = counts("eve"), counts("ann")
    task = next(r for r in _walk(office, "eve", view="queue", procedure="mix")[0])
    office.claim(task.id, "ann")
    assert counts("eve")["queue"] == before[0]["queue"] - 1  # gone from the group's queue
    assert counts("ann")["mine"] == before[1]["mine"] + 1
    office.unclaim(task.id, "ann")
    assert (counts("eve"), counts("ann")) == before
    office.claim(task.id, "ann")
    office.complete(task.id, "ann")
    assert counts("ann")["all"] == before[1]["all"] - 1
    assert counts("eve")["all"] == before[0]["all"] - 1


@pytest.mark.parametrize("user", ["carl", "eve"])
def test_rendering_a_page_of_ids_keeps_only_the_tasks_the_user_sees(office, user):
    expected = _expected(office, user)
    with office.ReadSession() as s:
        every = sorted(s.execute(sa.select(store.TASKS.c.id)).scalars())
        shown = queries.tasks_json(s, user, office.clock.now(), every)
    assert {t["id"] for t in shown} == expected["all"]  # not the done ones, nor the accused's
    assert {t["id"] for t in shown if t["on_behalf_of"]} == expected["covered"]
