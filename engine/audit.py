"""The append-only audit log: every deployment, claim, completion and firing, chained by hashes.

Each event's hash covers its content and the previous event's hash, and a head row keeps the last
sequence number and hash, so editing, deleting or reordering any event (including the last ones) is
detected by ``verify_chain``. Appending locks the head row: events get gap-free sequence numbers even
with several web processes and workers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .clock import Clock
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: str, kind: str, actor: str | None,
            instance_id: int | None, payload: str) -> str:
    body = json.dumps([seq, at, kind, actor, instance_id, payload], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def record(session: Session, kind: str, *, clock: Clock, actor: str | None = None,
           instance_id: int | None = None, **payload: Any) -> AuditEvent:
    """Append one event; call it last in a transaction, since it holds the chain's lock until commit."""
    head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
    if head is None:  # the migration creates it; guard against a hand-made schema
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    at = clock.now()
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    seq = head.seq + 1
    event = AuditEvent(seq=seq, at=at, kind=kind, actor=actor, instance_id=instance_id, payload=text,
                       prev_hash=head.hash,
                       hash=_digest(head.hash, seq, at.isoformat(), kind, actor, instance_id, text))
    session.add(event)
    head.seq, head.hash = seq, event.hash
    return event


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
