"""A case as staff read it (engine.views.case_detail) and the cases a person dealt with (my_cases)."""
from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.views import case_detail, my_cases


def detail(harness, number: str) -> case_detail.CaseDetail:
    with harness.ReadSession() as s:
        return case_detail.case_detail(s, number, harness.clock.now())


def number_of(harness, iid: int) -> str:
    return harness.show(iid)["case_number"]


def test_diagram_marks_done_current_and_overdue_steps(harness):
    harness.deploy("deadlines.bpmn")
    harness.user("ann", "office")
    number = number_of(harness, harness.start("deadlines", "ann"))
    marks = detail(harness, number).marks
    assert marks.done == ["start", "fork"]
    assert sorted(marks.current) == ["later", "middle", "no_deadline", "soon"]
    assert marks.overdue == []
    harness.do("ann", "No deadline")
    harness.clock.advance(days=1)  # 1 October 10:00: "Soon" was due at 09:00, "Middle" (P3D) on 3 October
    marks = detail(harness, number).marks
    assert marks.done == ["start", "fork", "no_deadline"]
    assert sorted(marks.current) == ["later", "middle", "soon"]
    assert marks.overdue == ["soon"]
    for name in ("Soon", "Middle", "Later"):
        harness.do("ann", name)
    marks = detail(harness, number).marks
    assert marks.current == [] and marks.overdue == []
    assert set(marks.done) == {"start", "fork", "no_deadline", "soon", "middle", "later", "join", "end"}


def test_forms_are_labelled_and_the_timeline_names_who_did_what(harness):
    harness.deploy("form.bpmn")
    harness.user("rita", "reception")
    harness.user("sam", "reception")
    harness.user("root", admin=True)
    number = number_of(harness, harness.start("visit", "rita", {"note": "walk-in"}))
    task = harness.task("rita", "Register visitor")["id"]
    harness.claim(task, "rita")
    harness.reassign(task, "root", "sam")
    harness.clock.advance(hours=1)
    harness.complete(task, "sam", {"visitor": "Zhang Wei", "party_size": 2, "purpose": "delivery",
                                   "has_car": True})
    seen = detail(harness, number)
    assert (seen.case_number, seen.procedure, seen.version) == (number, "Visitor registration", 1)
    assert seen.status == "running"
    start, register = seen.forms
    assert start.form == case_detail.START_FORM and start.by == "rita"
    assert [(e.label, e.shown) for e in start.entries] == [("note", "walk-in")]  # no start form: ids
    assert register.form == "Register visitor" and register.by == "sam"
    assert register.at.isoformat() == "2026-09-30T11:00:00+08:00"
    assert [(e.label, e.shown) for e in register.entries] == [
        ("Visitor name", "Zhang Wei"), ("Number of people", 2), ("Arrives by car?", True),
        ("Purpose", "Delivery")]
    assert [(e.kind, e.actor, e.subject) for e in seen.timeline] == [
        ("instance.started", "rita", None), ("task.claimed", "rita", "Register visitor"),
        ("task.reassigned", "root", "Register visitor"), ("task.completed", "sam", "Register visitor")]
    assert seen.timeline[2].detail == {"previous": "rita", "to": "sam"}
    assert [t.name for t in seen.open_tasks] == ["Check visit"]


def test_a_case_number_that_does_not_exist_is_not_found(harness):
    with harness.ReadSession() as s, pytest.raises(NotFound):
        case_detail.case_detail(s, "TS-2026-999999", harness.clock.now())


def cases_of(harness, user: str, **kwargs) -> my_cases.Page:
    with harness.ReadSession() as s:
        return my_cases.my_cases(s, user, **kwargs)


def test_my_cases_are_those_i_started_or_acted_on_newest_first_with_keyset_pages(harness):
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    harness.user("bob", "office")
    harness.user("carl", "library")
    by_ann = [number_of(harness, harness.start("simple", "ann")) for _ in range(3)]
    by_carl = number_of(harness, harness.start("simple", "carl"))
    first = next(t for t in harness.tasks("bob") if t["case_number"] == by_ann[0])
    harness.complete(first["id"], "bob", {"approved": True})  # bob acts on one of ann's
    page = cases_of(harness, "ann", page_size=2)
    assert [c.case_number for c in page.cases] == [by_ann[2], by_ann[1]] and page.next_after == by_ann[1]
    rest = cases_of(harness, "ann", page_size=2, after=page.next_after)
    assert [c.case_number for c in rest.cases] == [by_ann[0]] and rest.next_after is None
    bob = cases_of(harness, "bob")
    assert [(c.case_number, c.status) for c in bob.cases] == [(by_ann[0], "completed")]
    assert by_carl not in [c.case_number for c in cases_of(harness, "ann").cases]
    closed = [c.case_number for c in cases_of(harness, "ann", which="closed").cases]
    still_open = [c.case_number for c in cases_of(harness, "ann", which="open").cases]
    assert closed == [by_ann[0]] and still_open == [by_ann[2], by_ann[1]]


def test_my_cases_search_by_part_of_the_case_number_ignores_case_and_spaces(harness):
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    numbers = [number_of(harness, harness.start("simple", "ann")) for _ in range(12)]
    assert numbers[10].endswith("-000011")
    assert [c.case_number for c in cases_of(harness, "ann", search=" 000 011 ").cases] == [numbers[10]]
    typed_lower = cases_of(harness, "ann", search=numbers[10].lower())
    assert [c.case_number for c in typed_lower.cases] == [numbers[10]]
    assert len(cases_of(harness, "ann", search="-00001").cases) == 3  # -000010, -000011, -000012
    assert cases_of(harness, "ann", search="%").cases == []  # a wildcard is a character, not "anything"
