"""Truncating or rewriting the audit log (issue #10, 6): a missing or moved head fails; with the operator's
key the hashes cannot be recomputed; an anchor kept elsewhere catches what the database alone cannot."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli.main import cli
from engine.cases import audit
from engine.errors import InvalidInput
from tests.engine.test_audit import history, sql, verify  # noqa: F401 - the fixture
from tests.helpers import Harness

KEY = "k" * 32


def events(harness: Harness) -> list[audit.AuditEvent]:
    with harness.Session() as s:
        return list(s.scalars(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.seq)))


def rehash_plainly(harness: Harness, *, head: bool = True) -> None:
    """What someone with write access but no key does after editing: recompute every plain hash and the head."""
    with harness.Session.begin() as s:
        prev = audit.GENESIS
        for ev in s.scalars(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.seq)):
            ev.prev_hash = prev
            ev.hash = prev = audit._digest(prev, ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id,
                                           ev.payload)
            last = ev.seq
        if head:
            row = s.get(audit.AuditHead, audit.HEAD)
            row.seq, row.hash = last, prev
            seal = s.get(audit.AuditHead, audit.SEAL)
            seal.seq, seal.hash = last, audit._seal(last, prev, None)


def cut_after(harness: Harness, seq: int) -> None:
    """Delete the events after ``seq`` and point the head (and its plain seal) at event ``seq``."""
    kept = events(harness)[seq - 1]
    sql(harness, "DELETE FROM audit_events WHERE seq > :s", s=seq)
    sql(harness, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", s=seq, h=kept.hash)
    sql(harness, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 2", s=seq,
        h=audit._seal(seq, kept.hash, None))


@pytest.fixture
def keyed(monkeypatch) -> None:
    monkeypatch.setenv(audit.KEY_ENV, KEY)
    monkeypatch.delenv(audit.KEY_FILE_ENV, raising=False)


@pytest.fixture
def keyed_history(keyed, history):
    return history


def test_deleting_the_last_events_and_the_head_row_is_reported(harness, history):
    sql(harness, "DELETE FROM audit_events WHERE seq > 4")
    sql(harness, "DELETE FROM audit_head")
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 4, 5)
    assert report.reason == "the head row of the chain is missing (deleted)"


def test_a_head_pointed_back_at_an_earlier_event_is_reported(harness, history):
    fourth = events(harness)[3]
    sql(harness, "UPDATE audit_head SET seq = 4, hash = :h WHERE id = 1", h=fourth.hash)
    report = verify(harness)
    assert (report.ok, report.first_bad_seq) == (False, 5)
    assert report.reason == "the head of the chain points at event #4 but the log goes on to #6: the head was moved"


def test_with_the_key_a_cut_log_with_its_head_moved_back_is_reported(harness, keyed_history):
    report = verify(harness)
    assert (report.ok, report.checked, report.keyed, report.head) == (True, 6, True, (6, events(harness)[5].hash))
    cut_after(harness, 4)
    report = verify(harness)
    assert (report.ok, report.first_bad_seq) == (False, 4)
    assert report.reason == ("the seal of the head (event #4) is missing or does not match: the head was "
                             "moved or the last events were deleted")
    sql(harness, "DELETE FROM audit_head WHERE id = 2")
    assert verify(harness).first_bad_seq == 4


def test_without_the_key_only_an_anchor_catches_a_cut_log(harness, history):
    with harness.Session() as s:
        kept = audit.anchor(s)
    assert kept == f"6:{events(harness)[5].hash}"
    cut_after(harness, 4)
    assert verify(harness).ok  # consistent in itself: nothing in the database tells
    with harness.Session() as s:
        report = audit.verify_chain(s, anchor=kept)
    assert (report.ok, report.first_bad_seq) == (False, 5)
    assert report.reason == "the anchor recorded event #6, but the log ends at #4: events were deleted"


def test_with_the_key_recomputed_plain_hashes_are_reported(harness, keyed_history):
    sql(harness, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    rehash_plainly(harness)
    report = verify(harness)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 0, 1)
    assert report.reason.startswith("event #1 (definition.deployed) has a plain hash: it was written before the "
                                    "audit key was set, or recomputed by someone without the key")


def test_an_anchor_catches_a_log_rewritten_from_the_start(harness, history):
    with harness.Session() as s:
        kept = audit.anchor(s)
    sql(harness, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    rehash_plainly(harness)
    assert verify(harness).ok  # plain hashes: recomputed by anyone
    with harness.Session() as s:
        report = audit.verify_chain(s, anchor=kept)
    assert (report.ok, report.first_bad_seq) == (False, 6)
    assert report.reason == "event #6 is not the one the anchor recorded: the log was rewritten up to it"


def test_events_from_before_the_key_pass_with_the_anchor_taken_when_it_was_set(harness, history, monkeypatch):
    with harness.Session() as s:
        when_keyed = audit.anchor(s)  # what the README tells the operator to do before setting the key
    monkeypatch.setenv(audit.KEY_ENV, KEY)
    harness.user("bob", "office")
    harness.start("simple", "bob")  # event 7, the first keyed one
    tid = harness.task("bob", "Fill")["id"]
    harness.complete(tid, "bob", {"approved": False})  # the case still works: events 8 and 9
    assert verify(harness).first_bad_seq == 1  # plain hashes, and nothing vouches for them
    with harness.Session() as s:
        report = audit.verify_chain(s, anchor=when_keyed)
    assert (report.ok, report.checked, report.keyed, report.unkeyed) == (True, 9, True, 6)
    # Editing a keyed event and rehashing it plainly does not pass as one from before the key.
    with harness.Session.begin() as s:
        ev = s.get(audit.AuditEvent, 9)
        ev.actor = "mallory"
        ev.hash = audit._digest(ev.prev_hash, ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id,
                                ev.payload)
        head = s.get(audit.AuditHead, audit.HEAD)
        head.hash = ev.hash
    with harness.Session() as s:
        report = audit.verify_chain(s, anchor=when_keyed)
    assert (report.ok, report.first_bad_seq) == (False, 9)
    monkeypatch.delenv(audit.KEY_ENV)  # without the key, the keyed events cannot be checked
    assert verify(harness).first_bad_seq == 7


def test_a_malformed_anchor_is_refused_with_a_sentence(harness, history):
    with harness.Session() as s, pytest.raises(InvalidInput, match="^an anchor is the line 'schoolflow audit"):
        audit.verify_chain(s, anchor="6:abc")


def test_the_cli_says_when_no_key_is_set_and_checks_an_anchor(harness, history, db_url, monkeypatch):
    runner = CliRunner()
    run = lambda *args: runner.invoke(cli, ["--db", db_url, "audit", *args])  # noqa: E731
    anchor = run("anchor")
    assert anchor.exit_code == 0
    kept = anchor.stdout.strip()
    assert kept == f"6:{events(harness)[5].hash}"

    plain = run("verify", "--anchor", kept)
    assert (plain.exit_code, plain.stdout) == (0, "audit log intact: 6 events (leads to the anchor #6)\n")
    assert plain.stderr.startswith("note: no audit key is set (SCHOOLFLOW_AUDIT_KEY_FILE or SCHOOLFLOW_AUDIT_KEY)")

    cut_after(harness, 5)
    cut = run("verify", "--anchor", kept)
    assert cut.exit_code == 1
    assert cut.stderr.endswith("audit log damaged: the anchor recorded event #6, but the log ends at #5: "
                               "events were deleted (after 5 good events)\n")
    assert run("verify", "--anchor", "six").stderr.startswith("error: an anchor is the line")


def test_the_key_comes_from_a_file_and_a_bad_key_is_refused_with_a_sentence(harness, db_url, tmp_path,
                                                                           monkeypatch):
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.setenv(audit.KEY_FILE_ENV, str(key_file))
    harness.deploy("simple.bpmn")
    runner = CliRunner()
    ok = runner.invoke(cli, ["--db", db_url, "audit", "verify"])
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "audit log intact: 1 events (keyed)\n", "")

    monkeypatch.setenv(audit.KEY_FILE_ENV, str(tmp_path / "missing.key"))
    missing = runner.invoke(cli, ["--db", db_url, "audit", "verify"])
    assert missing.exit_code == 1
    assert missing.stderr == (f"error: the audit key file {tmp_path / 'missing.key'} (SCHOOLFLOW_AUDIT_KEY_FILE) "
                              "cannot be read: No such file or directory\n")
    monkeypatch.delenv(audit.KEY_FILE_ENV)
    monkeypatch.setenv(audit.KEY_ENV, "short")
    with pytest.raises(audit.AuditKeyError, match="shorter than 16 bytes"):
        harness.deploy("lanes.bpmn")  # nothing is written unkeyed by mistake
    with harness.Session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(audit.AuditEvent)) == 1
