"""The append-only audit log: every deployment, claim, completion and firing, chained by hashes.

Each event's hash covers its content and the previous event's hash, and a head row keeps the last
sequence number and hash, so editing, deleting or reordering any event (including the last ones) is
detected by ``verify_chain``. Appending locks the head row: events get gap-free sequence numbers even
with several web processes and workers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.time.clock import Clock
from engine.storage.models import AuditEvent, AuditHead
from engine.storage.prepared import Prepared

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: str, kind: str, actor: str | None,
            instance_id: int | None, payload: str) -> str:
    body = json.dumps([seq, at, kind, actor, instance_id, payload], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


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
    rows = []
    for ev in events:
        text = json.dumps(ev.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        seq += 1
        digest = _digest(prev, seq, stamp, ev.kind, ev.actor, ev.instance_id, text)
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


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Walk the whole log and report the first event that was altered, deleted or inserted."""
    prev_hash, expected, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq >= expected).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected:
                return ChainReport(False, checked, expected, f"event #{expected} is missing (deleted)")
            recomputed = _digest(prev_hash, ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id,
                                 ev.payload)
            if ev.prev_hash != prev_hash or ev.hash != recomputed:
                return ChainReport(False, checked, ev.seq, f"event #{ev.seq} ({ev.kind}) was altered")
            prev_hash, expected, checked, last_seq = ev.hash, expected + 1, checked + 1, ev.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return ChainReport(False, checked, last_seq + 1,
                           f"events #{last_seq + 1} to #{head.seq} are missing (deleted)")
    return ChainReport(True, checked)


def instance_events(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    ))
