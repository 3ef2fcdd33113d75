"""The append-only audit log: every deployment, claim, completion and firing, chained by hashes.

Each event's hash covers its content and the previous event's hash, and a head row keeps the last
sequence number and hash, so editing, deleting or reordering any event (including the last ones) is
detected by ``verify_chain``. Appending locks the head row: events get gap-free sequence numbers even
with several web processes and workers.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.time.clock import Clock
from engine.storage.models import AuditEvent, AuditHead
from engine.storage.prepared import Prepared

GENESIS = "0" * 64
KEY_ENV, KEY_FILE_ENV = "SCHOOLFLOW_AUDIT_KEY", "SCHOOLFLOW_AUDIT_KEY_FILE"


@functools.cache
def audit_key() -> bytes | None:
    """The operator's key for the chain's HMAC, kept outside the database: ``SCHOOLFLOW_AUDIT_KEY`` or
    the file named by ``SCHOOLFLOW_AUDIT_KEY_FILE``. Without one, events are chained by plain SHA-256,
    which anyone who can write to the database can recompute. Every process (web, worker, command line)
    must have the same key."""
    text = os.environ.get(KEY_ENV)
    if not text and os.environ.get(KEY_FILE_ENV):
        text = Path(os.environ[KEY_FILE_ENV]).read_text(encoding="utf-8")
    text = (text or "").strip()
    if text and len(text) < 16:
        raise ValueError(f"{KEY_ENV} must be at least 16 characters (e.g. 'openssl rand -hex 32')")
    return text.encode() if text else None


def _digest(prev_hash: str, seq: int, at: str, kind: str, actor: str | None,
            instance_id: int | None, payload: str, key: bytes | None = None) -> str:
    body = json.dumps([seq, at, kind, actor, instance_id, payload], ensure_ascii=False, separators=(",", ":"))
    data = (prev_hash + body).encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest() if key else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Event:
    """One event to append; ``payload`` becomes its JSON detail."""

    kind: str
    actor: str | None = None
    instance_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


_EVENTS, _HEAD = AuditEvent.__table__, AuditHead.__table__
# Prepared once: every operation appends, so SQLAlchemy's per-execution cost would be a measurable share.
_READ_HEAD = Prepared(sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update())
_WRITE_HEAD = Prepared(_HEAD.update().where(_HEAD.c.id == 1).values(
    seq=sa.bindparam("b_seq"), hash=sa.bindparam("b_hash")))
_INSERT_HEAD = Prepared(_HEAD.insert(), keys=["id", "seq", "hash"])
_INSERT_EVENTS = Prepared(_EVENTS.insert(), keys=[
    "seq", "at", "kind", "actor", "instance_id", "payload", "prev_hash", "hash"])


def append(conn: sa.Connection, clock: Clock, events: list[Event]) -> None:
    """Append ``events`` in order, in the caller's transaction, with three statements whatever their number.

    Call it last in a transaction: on PostgreSQL it holds the chain's head row until commit.
    """
    if not events:
        return
    head = _READ_HEAD.first(conn)
    if head is None:  # the migration creates it; guard against a hand-made schema
        _INSERT_HEAD.run(conn, {"id": 1, "seq": 0, "hash": GENESIS})
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq, head.hash
    at = clock.now()
    stamp = at.isoformat()
    key = audit_key()
    rows = []
    for ev in events:
        text = json.dumps(ev.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        seq += 1
        digest = _digest(prev, seq, stamp, ev.kind, ev.actor, ev.instance_id, text, key)
        rows.append({"seq": seq, "at": at, "kind": ev.kind, "actor": ev.actor, "instance_id": ev.instance_id,
                     "payload": text, "prev_hash": prev, "hash": digest})
        prev = digest
    _INSERT_EVENTS.many(conn, rows)
    _WRITE_HEAD.run(conn, {"b_seq": seq, "b_hash": prev})


def record(session: Session, kind: str, *, clock: Clock, actor: str | None = None,
           instance_id: int | None = None, **payload: Any) -> None:
    """Append one event in the session's transaction (see ``append``)."""
    append(session.connection(), clock, [Event(kind, actor, instance_id, payload)])


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    keyed: bool = False  # checked with the operator's key (HMAC) rather than plain hashes
    head: tuple[int, str] | None = None  # the last event's number and hash: what ``audit anchor`` prints


def verify_chain(session: Session, batch: int = 2000, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole log and report the first event that was altered, deleted or inserted.

    The head row must exist and point at the last event (a moved or deleted head hides truncation).
    ``anchor`` (an earlier ``audit anchor``: event number and hash, kept outside the database) must
    still be in the chain: truncating the log and moving the head back is then detected too.
    """
    key = audit_key()
    prev_hash, expected, checked = GENESIS, 1, 0
    last_seq = 0
    anchored = anchor is None

    def bad(seq: int, reason: str) -> ChainReport:
        return ChainReport(False, checked, seq, reason, key is not None)

    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq >= expected).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected:
                return bad(expected, f"event #{expected} is missing (deleted)")
            recomputed = _digest(prev_hash, ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id,
                                 ev.payload, key)
            if ev.prev_hash != prev_hash or ev.hash != recomputed:
                return bad(ev.seq, f"event #{ev.seq} ({ev.kind}) was altered")
            if anchor is not None and ev.seq == anchor[0]:
                if ev.hash != anchor[1]:
                    return bad(ev.seq, f"event #{ev.seq} is not the one anchored: the log was rewritten")
                anchored = True
            prev_hash, expected, checked, last_seq = ev.hash, expected + 1, checked + 1, ev.seq
    head = session.get(AuditHead, 1)
    if head is None:
        return bad(last_seq + 1, "the chain's head row is missing (deleted): the last events may be gone too")
    if head.seq > last_seq:
        return bad(last_seq + 1, f"events #{last_seq + 1} to #{head.seq} are missing (deleted)")
    if head.seq != last_seq or head.hash != prev_hash:
        return bad(head.seq, f"the chain's head points at event #{head.seq}, not at the last event #{last_seq}")
    if not anchored:
        return bad(anchor[0], f"the anchored event #{anchor[0]} is missing: the log was truncated")  # type: ignore[index]
    return ChainReport(True, checked, keyed=key is not None, head=(last_seq, prev_hash))


def instance_events(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    ))
