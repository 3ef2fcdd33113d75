"""Duty cover (P1 clause 10): a colleague sees and does an absent user's tasks for a period, and only then.

The clock starts on Wednesday 30 September 2026 at 10:00 in Shanghai; covers are arranged for later that
day and the fake clock is moved across their start and end.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from engine.cases import audit
from engine.people import substitution
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.storage.models import AuditEvent
from tests.helpers import DATA, Harness, office_case

SH = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    """A moment on the test's day, Wednesday 30 September 2026, Shanghai time."""
    return datetime(2026, 9, 30, hour, minute, tzinfo=SH)


def names(harness: Harness, user: str) -> dict[str, str | None]:
    """What ``user``'s task list shows: task name -> whose task it is when seen as a substitute."""
    return {t["name"]: t["on_behalf_of"] for t in harness.tasks(user)}


def events(harness: Harness, kind: str) -> list[AuditEvent]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)))


@pytest.fixture
def office(harness: Harness) -> tuple[int, str]:
    """ann and bob in the office, carl in the library, root an administrator; ann claimed the case's task."""
    iid, tid = office_case(harness)
    harness.claim(tid, "ann")
    return iid, tid


# --- what the substitute sees and does -------------------------------------------------------------


def test_the_substitute_sees_the_absent_users_task_only_during_the_period(harness, office):
    iid, tid = office
    harness.cover("ann", "carl", at(12), at(16), reason="meeting at the district office")
    assert names(harness, "carl") == {}  # 10:00: not yet
    with pytest.raises(NotAllowed, match="^task 'Fill' is claimed by ann$"):
        harness.complete(tid, "carl", {"approved": True})

    harness.clock.set(at(12))
    assert names(harness, "carl") == {"Fill": "ann"}
    assert names(harness, "ann") == {"Fill": None}  # the absent user still sees their own task
    assert names(harness, "bob") == {}  # a claimed task stays out of the group's other members' lists
    [task] = harness.tasks("carl")
    assert (task["id"], task["assignee"]) == (tid, "ann")

    harness.clock.set(at(16))  # the end is exclusive: back with ann alone, nothing to clean up
    assert names(harness, "carl") == {}
    assert names(harness, "ann") == {"Fill": None}
    with pytest.raises(NotAllowed, match="^task 'Fill' is claimed by ann$"):
        harness.complete(tid, "carl", {"approved": True})
    assert harness.show(iid)["status"] == "running"


def test_the_substitute_completes_the_task_and_the_history_says_for_whom(harness, office):
    iid, tid = office
    harness.cover("ann", "carl", at(9), at(18))
    harness.complete(tid, "carl", {"approved": True})
    view = harness.show(iid)
    assert view["status"] == "completed"
    row = harness.task_row(tid)
    assert (row.completed_by, row.assignee) == ("carl", "carl")
    [done] = [h for h in view["history"] if h["kind"] == "task.completed"]
    assert done["actor"] == "carl"
    assert json.loads(done["detail"])["on_behalf_of"] == "ann"
    # completing one's own task records no one else
    iid2 = harness.start("simple", "ann")
    harness.do("bob", "Fill", {"approved": False})
    [own] = [h for h in harness.show(iid2)["history"] if h["kind"] == "task.completed"]
    assert "on_behalf_of" not in json.loads(own["detail"])


def test_tasks_naming_the_absent_user_are_handed_over_but_not_their_group_tasks(harness):
    harness.deploy("routing.bpmn")
    harness.user("ann", "office")
    for name in ("carl", "dora", "erin", "ivy", "zed"):
        harness.user(name)
    harness.start("routing", "ivy", {"owner": "erin"})
    for absent in ("ann", "dora", "erin"):
        harness.cover(absent, "zed", at(9), at(18))

    assert names(harness, "zed") == {"Named people task": "dora",  # candidateUsers="carl, dora"
                                     "Owner task": "erin"}         # assignee="${owner}"
    # not "Office task": ann's group colleagues see it; an administrator adds zed to the group if wanted
    with pytest.raises(NotAllowed, match="^zed may not claim task 'Office task'$"):
        harness.claim(harness.task("ann", "Office task")["id"], "zed")

    named = harness.task("zed", "Named people task")["id"]
    harness.claim(named, "zed")  # claiming for dora makes it zed's
    assert harness.task_row(named).assignee == "zed"
    assert names(harness, "zed")["Named people task"] is None
    assert "Named people task" not in names(harness, "dora")
    assert "Named people task" not in names(harness, "carl")
    [claimed] = events(harness, "task.claimed")
    assert (claimed.actor, json.loads(claimed.payload)["on_behalf_of"]) == ("zed", "dora")

    owner = harness.task("zed", "Owner task")["id"]
    with pytest.raises(NotAllowed, match=r"^task 'Owner task' is claimed by erin; as their substitute, "
                                         r"complete it directly \(an administrator can reassign it\)$"):
        harness.claim(owner, "zed")
    assert harness.task_row(owner).assignee == "erin"


def test_an_excluded_substitute_never_sees_the_complaint_against_them(harness):
    harness.deploy("exclude.bpmn")
    harness.user("sam", "staff")
    harness.user("acc")
    harness.user("parent")
    about_acc = harness.start("complaint", "parent", {"accused": "acc"})
    about_other = harness.start("complaint", "parent", {"accused": "nobody"})
    ids = {}
    for iid in (about_acc, about_other):
        [task] = harness.show(iid)["open_tasks"]
        harness.claim(task["id"], "sam")
        ids[iid] = task["id"]
    harness.cover("sam", "acc", at(9), at(18), reason="sick leave")

    visible = [t["instance_id"] for t in harness.tasks("acc")]
    assert visible == [about_other]  # sam's other case is handed over, the one about acc is not
    with pytest.raises(NotAllowed, match="^acc may not work on task 'Investigate'$"):
        harness.complete(ids[about_acc], "acc", {})
    with pytest.raises(NotAllowed, match="^acc may not claim task 'Investigate'$"):
        harness.claim(ids[about_acc], "acc")
    assert harness.show(about_acc)["status"] == "running"
    harness.complete(ids[about_other], "acc", {})
    assert harness.show(about_other)["status"] == "completed"


def test_cancelling_ends_the_cover_at_once(harness, office):
    iid, tid = office
    cover = harness.cover("ann", "carl", at(9), at(18))
    assert names(harness, "carl") == {"Fill": "ann"}
    with pytest.raises(NotAllowed, match="^only ann or an administrator can cancel ann's cover$"):
        _cancel(harness, cover, "carl")
    harness.clock.set(at(11))
    _cancel(harness, cover, "ann")
    assert names(harness, "carl") == {}
    with pytest.raises(NotAllowed, match="^task 'Fill' is claimed by ann$"):
        harness.complete(tid, "carl", {"approved": True})
    with pytest.raises(InvalidInput, match=f"^cover #{cover} was already cancelled on 2026-09-30 11:00$"):
        _cancel(harness, cover, "root")
    with harness.Session() as s:
        assert substitution.list_covers(s, now=harness.clock.now()) == []
        [past] = substitution.list_covers(s, now=harness.clock.now(), include_past=True)
        assert (past.user, past.substitute, past.state(harness.clock.now())) == ("ann", "carl", "cancelled")
        assert audit.verify_chain(s).ok
    [arranged], [cancelled] = events(harness, "cover.arranged"), events(harness, "cover.cancelled")
    assert arranged.actor == "ann" and json.loads(arranged.payload)["substitute"] == "carl"
    assert json.loads(arranged.payload)["starts_at"] == "2026-09-30T09:00:00+08:00"
    assert (cancelled.actor, json.loads(cancelled.payload)["cover_id"]) == ("ann", cover)


def _cancel(harness: Harness, cover_id: int, actor: str) -> None:
    with harness.Session.begin() as s:
        substitution.cancel(s, cover_id, clock=harness.clock, actor=actor)


# --- arranging: who may, and what is refused -------------------------------------------------------


@pytest.fixture
def staff(harness: Harness) -> Harness:
    for name in ("ann", "bob", "carl", "dan"):
        harness.user(name, "office")
    harness.user("root", admin=True)
    return harness


def test_a_user_arranges_their_own_cover_or_an_administrator_does(staff):
    with pytest.raises(NotAllowed, match="^only ann or an administrator can arrange ann's cover$"):
        staff.cover("ann", "bob", at(12), at(14), actor="bob")
    staff.cover("ann", "bob", at(12), at(14), actor="root")
    staff.cover("ann", "bob", at(14), at(16))  # back to back with the first: no overlap
    with staff.Session() as s:
        covers = substitution.list_covers(s, now=staff.clock.now(), involving="bob")
        assert [(c.created_by, c.state(staff.clock.now())) for c in covers] == [("root", "upcoming"),
                                                                              ("ann", "upcoming")]
        assert substitution.active_for(s, "bob", at(15)) == ["ann"]
        assert substitution.active_for(s, "bob", at(16)) == []


@pytest.mark.parametrize(("args", "error", "message"), [
    (("ann", "ann", at(12), at(14)), InvalidInput, "ann cannot cover for themselves; name a colleague"),
    (("nobody", "bob", at(12), at(14)), NotFound, "no user named 'nobody'"),
    (("ann", "nobody", at(12), at(14)), NotFound, "no user named 'nobody'"),
    (("ann", "bob", at(14), at(12)), InvalidInput,
     "the cover must end after it starts (from 2026-09-30 14:00 to 2026-09-30 12:00)"),
    (("ann", "bob", at(8), at(9, 30)), InvalidInput,
     "that period is already over (it ended 2026-09-30 09:30)"),
    (("ann", "bob", datetime(2026, 9, 30, 12), at(14)), InvalidInput,
     "a cover's start and end need a time zone"),
])
def test_refusals(staff, args, error, message):
    with pytest.raises(error) as exc:
        staff.cover(*args)
    assert str(exc.value) == message
    assert events(staff, "cover.arranged") == []


def test_one_cover_at_a_time_and_no_chains(staff):
    first = staff.cover("ann", "bob", at(12), at(16))
    with pytest.raises(InvalidInput) as exc:
        staff.cover("ann", "carl", at(15), at(17))
    assert str(exc.value) == (f"ann already has cover by bob from 2026-09-30 12:00 to 2026-09-30 16:00 "
                              f"(cover #{first}); cancel it first")
    with pytest.raises(InvalidInput) as exc:  # carl would hand ann's tasks to someone who is away
        staff.cover("carl", "ann", at(13), at(14))
    assert str(exc.value) == ("ann is away then too (covered by bob from 2026-09-30 12:00 to "
                              "2026-09-30 16:00); choose a colleague who is on duty")
    with pytest.raises(InvalidInput) as exc:  # bob's own absence would strand ann's tasks with him
        staff.cover("bob", "dan", at(15), at(18))
    assert str(exc.value) == (f"bob covers for ann from 2026-09-30 12:00 to 2026-09-30 16:00 "
                              f"(cover #{first}); an administrator should hand that cover to someone "
                              "else first")
    staff.cover("bob", "dan", at(16), at(18))  # after ann's cover ends, bob may be away
    staff.cover("carl", "ann", at(16), at(17))  # and ann may cover once she is back


def test_a_cover_that_already_ended_does_not_block_a_new_one(staff):
    staff.cover("ann", "bob", at(10), at(11))
    staff.clock.set(at(11, 30))
    staff.cover("ann", "carl", at(10), at(13))  # starts in the past, but only the rest of it matters
    with staff.Session() as s:
        assert substitution.active_for(s, "carl", staff.clock.now()) == ["ann"]
        assert substitution.active_for(s, "bob", staff.clock.now()) == []


# --- the command line -------------------------------------------------------------------------------


def test_cover_on_the_command_line(tmp_path: Path):
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'school.sqlite'}"

    def sf(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, ["--db", url, *args])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result.stdout if code == 0 else result.stderr

    sf("init-db")
    sf("deploy", str(DATA / "simple.bpmn"))
    sf("users", "add", "ann", "--groups", "office")
    sf("users", "add", "carl", "--groups", "library")
    sf("start", "simple", "--as", "ann")
    [task] = json.loads(sf("tasks", "--as", "ann", "--json"))
    sf("claim", task["id"], "--as", "ann")
    # The CLI reads the machine's clock: a cover from yesterday through tomorrow is active now.
    today = datetime.now(SH).date()
    yesterday, tomorrow = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()

    assert sf("cover", "add", "ann", "--to", "ann", "--from", yesterday, "--until", tomorrow,
              code=1) == "error: ann cannot cover for themselves; name a colleague\n"
    assert "is not a date" in sf("cover", "add", "ann", "--to", "carl", "--from", "monday",
                                 "--until", tomorrow, code=1)
    out = sf("cover", "add", "ann", "--to", "carl", "--from", yesterday, "--until", tomorrow,
             "--reason", "培训")
    end = (today + timedelta(days=2)).isoformat()  # a bare --until date covers that whole day
    assert out == f"cover #1: carl covers ann from {yesterday} 00:00 to {end} 00:00\n"
    [row] = json.loads(sf("cover", "list", "--json"))
    assert (row["user"], row["substitute"], row["state"], row["reason"]) == ("ann", "carl", "active", "培训")
    assert row["ends_at"] == f"{end}T00:00:00+08:00"

    [seen] = json.loads(sf("tasks", "--as", "carl", "--json"))
    assert (seen["id"], seen["assignee"], seen["on_behalf_of"]) == (task["id"], "ann", "ann")
    assert "(covering for ann)" in sf("tasks", "--as", "carl")
    sf("complete", task["id"], "--as", "carl", "--data", '{"approved": true}')
    assert "task.completed       carl for ann" in sf("show", "1")

    sf("start", "simple", "--as", "ann")
    [second] = json.loads(sf("tasks", "--as", "ann", "--json"))
    sf("claim", second["id"], "--as", "ann")
    assert sf("cover", "cancel", "1") == "cover #1 cancelled: ann's tasks are no longer shown to carl\n"
    assert sf("tasks", "--as", "carl") == "no tasks for carl\n"
    assert sf("cover", "list") == "no covers\n"
    assert "cancelled" in sf("cover", "list", "--all")
