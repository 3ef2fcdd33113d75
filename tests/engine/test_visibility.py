"""Who may see a case (engine.views.visibility): the rule the web UI, the API and ``show --as`` share.

The clock starts on Wednesday 30 September 2026 at 10:00 in Shanghai.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.errors import NotFound
from engine.people.assignment import set_lane_group
from engine.storage.models import Group, Instance, User
from engine.views import visibility
from tests.helpers import Harness, office_case

SH = ZoneInfo("Asia/Shanghai")


def sees(harness: Harness, instance_id: int, *people: str) -> dict[str, bool]:
    with harness.ReadSession() as s:
        now = harness.clock.now()
        return {p: visibility.may_see_case(s, p, instance_id, now=now) for p in people}


def find(harness: Harness, ref: str | int, user: str | None) -> int:
    with harness.ReadSession() as s:
        return visibility.find_case(s, ref, user, now=harness.clock.now()).id


def number_of(harness: Harness, instance_id: int) -> str:
    number = harness.show(instance_id)["case_number"]
    assert number
    return number


@pytest.fixture
def lanes(harness: Harness) -> int:
    """lanes.bpmn waiting at "Grade" (lane teachers: tea); pri is in the principal lane's group, out in
    another group, root an administrator; the case was started by par, who is in no group."""
    harness.deploy("lanes.bpmn")
    harness.user("tea", "teachers")
    harness.user("pri", "principal")
    harness.user("out", "library")
    harness.user("par")
    harness.user("root", admin=True)
    return harness.start("lanes", "par")


def test_the_task_holders_the_owning_groups_the_starter_and_administrators_see_a_case(harness, lanes):
    assert sees(harness, lanes, "tea", "pri", "par", "root", "out") == {
        "tea": True,  # can claim its open task
        "pri": True,  # their group owns a later lane of the procedure
        "par": True,  # started it
        "root": True,
        "out": False,
    }
    assert sees(harness, lanes, "nobody") == {"nobody": False}


def test_a_lane_mapped_elsewhere_moves_who_owns_the_procedure(harness, lanes):
    harness.user("dep", "deputies")
    with harness.Session.begin() as s:
        set_lane_group(s, "lanes", "principal", "deputies")
    assert sees(harness, lanes, "dep", "pri") == {"dep": True, "pri": False}


def test_someone_who_worked_the_case_still_sees_it_after_leaving_the_group(harness, lanes):
    harness.do("tea", "Grade")
    with harness.Session.begin() as s:  # tea moves to another department
        tea = s.scalar(sa.select(User).where(User.name == "tea"))
        tea.groups = [s.scalar(sa.select(Group).where(Group.name == "library"))]
    harness.user("new", "teachers")
    assert sees(harness, lanes, "tea", "new", "out") == {"tea": True, "new": True, "out": False}


def test_the_accused_never_sees_the_case_not_even_as_an_administrator(harness):
    harness.deploy("exclude.bpmn")
    harness.user("sam", "staff")
    harness.user("acc", "staff")
    harness.user("boss", "staff", admin=True)
    harness.user("parent")
    about_acc = harness.start("complaint", "parent", {"accused": "acc"})
    about_boss = harness.start("complaint", "parent", {"accused": "boss"})
    assert sees(harness, about_acc, "sam", "acc", "boss") == {"sam": True, "acc": False, "boss": True}
    assert sees(harness, about_boss, "sam", "acc", "boss") == {"sam": True, "acc": True, "boss": False}

    number = number_of(harness, about_acc)
    with pytest.raises(NotFound) as refused:
        find(harness, number, "acc")
    with pytest.raises(NotFound) as missing:
        find(harness, "TS-2026-999999", "acc")
    assert str(refused.value) == f"no such case: {number}"
    assert str(missing.value) == "no such case: TS-2026-999999"  # the same words: nothing is given away
    assert find(harness, number, "sam") == about_acc
    # The case stays workable: sam investigates and closes it.
    [task] = [t for t in harness.tasks("sam") if t["instance_id"] == about_acc]  # not about_boss's twin
    harness.complete(task["id"], "sam")
    assert harness.show(about_acc)["status"] == "completed"
    assert sees(harness, about_acc, "sam", "acc") == {"sam": True, "acc": False}


def test_a_substitute_sees_the_case_of_the_colleague_they_cover_only_during_the_cover(harness):
    iid, tid = office_case(harness)  # ann, bob in office; carl in the library
    harness.claim(tid, "ann")
    harness.cover("ann", "carl", datetime(2026, 9, 30, 12, tzinfo=SH), datetime(2026, 9, 30, 16, tzinfo=SH))
    assert sees(harness, iid, "carl") == {"carl": False}
    harness.clock.set(datetime(2026, 9, 30, 12, tzinfo=SH))
    assert sees(harness, iid, "carl", "bob") == {"carl": True, "bob": True}
    harness.clock.set(datetime(2026, 9, 30, 16, tzinfo=SH))
    assert sees(harness, iid, "carl") == {"carl": False}


def test_find_case_takes_a_case_number_or_an_id(harness, lanes):
    number = number_of(harness, lanes)
    assert find(harness, number, "tea") == lanes
    assert find(harness, number.lower(), "tea") == lanes
    assert find(harness, str(lanes), "tea") == lanes
    assert find(harness, lanes, None) == lanes  # the operator sees every case
    for ref in ("", "999999", "LANES-2026-000099", "9" * 40, "x" * 10_000):
        with pytest.raises(NotFound, match="^no such case: "):
            find(harness, ref, None)
    with pytest.raises(NotFound) as refused:
        find(harness, number, "out")
    assert str(refused.value) == f"no such case: {number}"
    with pytest.raises(NotFound) as long:
        find(harness, "x" * 10_000, None)
    assert len(str(long.value)) < 100  # an over-long reference is not echoed back whole


def test_visible_cases_filters_a_listing(harness, lanes):
    other = harness.start("lanes", "out")  # out started this one
    with harness.ReadSession() as s:
        condition = visibility.visible_cases(s, "out", now=harness.clock.now())
        ids = list(s.scalars(sa.select(Instance.id).where(condition).order_by(Instance.id)))
    assert ids == [other]


def test_an_id_beyond_any_integer_is_no_such_case(harness):
    """A 64-bit number from a URL used to make PostgreSQL fail (found by fuzzing the API)."""
    import pytest as _pytest

    from engine.errors import NotFound
    from engine.views.visibility import find_case
    with harness.Session() as s, _pytest.raises(NotFound, match="no such case"):
        find_case(s, 21272693942701104)
