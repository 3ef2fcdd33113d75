"""The audit log's hash chain: intact after ordinary work; any edit or deletion is found, with its number."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from engine.cases import audit
from tests.helpers import Harness


@pytest.fixture
def history(harness: Harness) -> list[tuple[int, str]]:
    """Deploy, start, claim, release, complete: six events; returns (seq, kind) of each."""
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    iid = harness.start("simple", "ann")
    tid = harness.task("ann", "Fill")["id"]
    harness.claim(tid, "ann")
    harness.unclaim(tid, "ann")
    harness.complete(tid, "ann", {"approved": True})
    assert harness.show(iid)["status"] == "completed"
    with harness.Session() as s:
        return [tuple(r) for r in s.execute(sa.text("SELECT seq, kind FROM audit_events ORDER BY seq"))]


def verify(harness: Harness) -> audit.ChainReport:
    with harness.Session() as s:
        return audit.verify_chain(s)


def sql(harness: Harness, statement: str, **params) -> None:
    with harness.Session.begin() as s:
        s.execute(sa.text(statement), params)


def test_the_chain_of_ordinary_work_verifies(harness, history):
    assert history == [(1, "definition.deployed"), (2, "instance.started"), (3, "task.claimed"),
                       (4, "task.unclaimed"), (5, "task.completed"), (6, "instance.completed")]
    report = verify(harness)
    assert (report.ok, report.checked, report.keyed, report.head[0]) == (True, 6, False, 6)


def test_verification_reads_in_batches(harness, history):
    with harness.Session() as s:
        report = audit.verify_chain(s, batch=4)
        assert (report.ok, report.checked) == (True, 6)
    sql(harness, "DELETE FROM audit_events WHERE seq = 5")
    with harness.Session() as s:
        report = audit.verify_chain(s, batch=2)
    assert (report.ok, report.first_bad_seq) == (False, 5)


@pytest.mark.parametrize("column, value", [
    ("payload", '{"approved":false}'),
    ("actor", "mallory"),
    ("kind", "task.reassigned"),
])
def test_an_altered_event_is_reported_by_number(harness, history, column, value):
    sql(harness, f"UPDATE audit_events SET {column} = :v WHERE seq = 3", v=value)
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 2, 3)
    kind = value if column == "kind" else "task.claimed"
    assert report.reason == f"event #3 ({kind}) was altered"


def test_a_changed_time_is_an_alteration(harness, history):
    sql(harness, "UPDATE audit_events SET at = '2020-01-01 00:00:00' WHERE seq = 4")
    report = verify(harness)
    assert (report.ok, report.first_bad_seq) == (False, 4)
    assert report.reason == "event #4 (task.unclaimed) was altered"


def test_an_event_rehashed_after_editing_still_breaks_the_next_link(harness, history):
    # someone who edits an event and recomputes its own hash still breaks the event after it
    with harness.Session.begin() as s:
        ev = s.get(audit.AuditEvent, 3)
        ev.actor = "mallory"
        ev.hash = audit._digest(ev.prev_hash, ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id,
                                ev.payload)
    report = verify(harness)
    assert (report.ok, report.first_bad_seq) == (False, 4)
    assert report.reason == "event #4 (task.unclaimed) was altered"


def test_a_deleted_event_in_the_middle_is_reported(harness, history):
    sql(harness, "DELETE FROM audit_events WHERE seq = 4")
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 3, 4)
    assert report.reason == "event #4 is missing (deleted)"


def test_a_deleted_first_event_is_reported(harness, history):
    sql(harness, "DELETE FROM audit_events WHERE seq = 1")
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 0, 1)
    assert report.reason == "event #1 is missing (deleted)"


def test_deleted_last_events_are_reported(harness, history):
    sql(harness, "DELETE FROM audit_events WHERE seq = 6")
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 5, 6)
    assert report.reason == "events #6 to #6 are missing (deleted)"

    sql(harness, "DELETE FROM audit_events WHERE seq = 5")
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 4, 5)
    assert report.reason == "events #5 to #6 are missing (deleted)"


def test_the_cli_reports_a_damaged_log_and_exits_1(harness, history, db_url):
    runner = CliRunner()
    ok = runner.invoke(cli, ["--db", db_url, "audit", "verify"])
    assert (ok.exit_code, ok.stdout) == (0, "audit log intact: 6 events\n")
    assert ok.stderr.startswith("note: no audit key is set")

    sql(harness, "UPDATE audit_events SET payload = '{}' WHERE seq = 5")
    damaged = runner.invoke(cli, ["--db", db_url, "audit", "verify"])
    assert damaged.exit_code == 1
    assert damaged.stdout == ""
    assert damaged.stderr.split("\n", 1)[1] == ("audit log damaged: event #5 (task.completed) was altered "
                              "(after 4 good events)\n")

