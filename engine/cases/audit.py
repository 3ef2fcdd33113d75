"""The append-only audit log: every deployment, claim, completion and firing, chained by hashes.

Each event's hash covers its content and the previous event's hash, and a head row keeps the last
sequence number and hash, so editing, deleting or reordering any event (including the last ones) is
detected by ``verify_chain``. Appending locks the head row: events get gap-free sequence numbers even
with several web processes and workers.

Keyed chain. Plain SHA-256 hashes can be recomputed by anyone who can write to the database, so with an
audit key set by the operator (``SCHOOLFLOW_AUDIT_KEY_FILE``, a file holding the key, or
``SCHOOLFLOW_AUDIT_KEY``, the key itself; kept outside the database) each hash is an HMAC-SHA256 under
that key. A second head row (id 2) holds the head's *seal*, an HMAC of its sequence number and hash, so
that deleting the last events and pointing the head back at an earlier event is found too.

Anchors. ``anchor`` gives the head as ``SEQ:HASH`` for the operator to write down outside the database;
``verify_chain(anchor=...)`` checks the log still leads to it (no event up to it rewritten, none after
it cut off): the only protection without a key, or against someone who also has the key. Events written
before a key was set keep their plain hashes; nothing in the database can tell them from hashes an
intruder recomputed, so with a key they pass only up to an anchor taken when the key was set (and only
before the first keyed event).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import EngineError, InvalidInput
from engine.time.clock import Clock
from engine.storage.models import AuditEvent, AuditHead
from engine.storage.prepared import Prepared

GENESIS = "0" * 64
KEY_FILE_ENV = "SCHOOLFLOW_AUDIT_KEY_FILE"
KEY_ENV = "SCHOOLFLOW_AUDIT_KEY"
MIN_KEY_BYTES = 16
HEAD, SEAL = 1, 2  # ids of the head row and of its seal in ``audit_head``


class AuditKeyError(EngineError):
    """Raised when the operator's audit key is set but cannot be used; nothing is written without it."""

    code = "audit_key"


_KEYS: dict[tuple[str | None, str | None], Any] = {}


def _keyed() -> Any:
    """An HMAC-SHA256 object under the operator's key, to ``copy()`` per digest; None without a key.

    Read from the environment on each call (cheap) and cached per setting, so a test or an operator can
    change it; a file is read once per process.
    """
    setting = (os.environ.get(KEY_FILE_ENV) or None, os.environ.get(KEY_ENV) or None)
    if setting == (None, None):
        return None
    mac = _KEYS.get(setting)
    if mac is None:
        path, text = setting
        if path is not None:
            try:
                key = Path(path).read_bytes().strip()
            except OSError as exc:
                raise AuditKeyError(f"the audit key file {path} ({KEY_FILE_ENV}) cannot be read: "
                                    f"{exc.strerror}") from None
        else:
            key = (text or "").strip().encode()
        if len(key) < MIN_KEY_BYTES:
            where = f"the file {path} ({KEY_FILE_ENV})" if path else KEY_ENV
            raise AuditKeyError(f"the audit key in {where} is shorter than {MIN_KEY_BYTES} bytes; make one "
                                "with: python -c 'import secrets; print(secrets.token_hex(32))'")
        mac = _KEYS[setting] = hmac.new(key, digestmod=hashlib.sha256)
    return mac


def key_is_set() -> bool:
    """Whether the operator set an audit key (``AuditKeyError`` if it is set but unusable)."""
    return _keyed() is not None


def _hash(mac: Any, text: str) -> str:
    if mac is None:
        return hashlib.sha256(text.encode()).hexdigest()
    h = mac.copy()
    h.update(text.encode())
    return h.hexdigest()


def _digest(prev_hash: str, seq: int, at: str, kind: str, actor: str | None,
            instance_id: int | None, payload: str, mac: Any = None) -> str:
    body = json.dumps([seq, at, kind, actor, instance_id, payload], ensure_ascii=False, separators=(",", ":"))
    return _hash(mac, prev_hash + body)


def _seal(seq: int, head_hash: str, mac: Any) -> str:
    return _hash(mac, f"schoolflow-audit-head\0{seq}\0{head_hash}")


@dataclass(frozen=True)
class Event:
    """One event to append; ``payload`` becomes its JSON detail."""

    kind: str
    actor: str | None = None
    instance_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


_EVENTS, _HEAD = AuditEvent.__table__, AuditHead.__table__
# Prepared once: every operation appends, so SQLAlchemy's per-execution cost would be a measurable share.
# The head and its seal are read, locked and written together: still three statements per append.
_READ_HEAD = Prepared(sa.select(_HEAD.c.id, _HEAD.c.seq, _HEAD.c.hash)
                      .where(sa.or_(_HEAD.c.id == HEAD, _HEAD.c.id == SEAL)).order_by(_HEAD.c.id)
                      .with_for_update())
_WRITE_HEAD = Prepared(_HEAD.update().where(sa.or_(_HEAD.c.id == HEAD, _HEAD.c.id == SEAL)).values(
    seq=sa.bindparam("b_seq"),
    hash=sa.case((_HEAD.c.id == HEAD, sa.bindparam("b_hash")), else_=sa.bindparam("b_seal"))))
_INSERT_HEAD = Prepared(_HEAD.insert(), keys=["id", "seq", "hash"])
_INSERT_EVENTS = Prepared(_EVENTS.insert(), keys=[
    "seq", "at", "kind", "actor", "instance_id", "payload", "prev_hash", "hash"])


def append(conn: sa.Connection, clock: Clock, events: list[Event]) -> None:
    """Append ``events`` in order, in the caller's transaction, with three statements whatever their number.

    Call it last in a transaction: on PostgreSQL it holds the chain's head row until commit.

    :raises AuditKeyError: an audit key is set but unusable (nothing is written).
    """
    if not events:
        return
    mac = _keyed()
    rows_read = {r.id: r for r in _READ_HEAD.rows(conn)}
    head = rows_read.get(HEAD)
    if head is None:  # the migration creates it; guard against a hand-made schema
        _INSERT_HEAD.run(conn, {"id": HEAD, "seq": 0, "hash": GENESIS})
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq, head.hash
    if SEAL not in rows_read:  # the first append since the seal was introduced
        _INSERT_HEAD.run(conn, {"id": SEAL, "seq": seq, "hash": GENESIS})
    at = clock.now()
    stamp = at.isoformat()
    rows = []
    for ev in events:
        text = json.dumps(ev.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        seq += 1
        digest = _digest(prev, seq, stamp, ev.kind, ev.actor, ev.instance_id, text, mac)
        rows.append({"seq": seq, "at": at, "kind": ev.kind, "actor": ev.actor, "instance_id": ev.instance_id,
                     "payload": text, "prev_hash": prev, "hash": digest})
        prev = digest
    _INSERT_EVENTS.many(conn, rows)
    _WRITE_HEAD.run(conn, {"b_seq": seq, "b_hash": prev, "b_seal": _seal(seq, prev, mac)})


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
    keyed: bool = False  # an audit key was set for this check
    unkeyed: int = 0  # events at the start with plain hashes, written before the key was set
    head: tuple[int, str] | None = None  # the last event's number and hash, once the log checked out


def anchor(session: Session) -> str:
    """The head of the chain as ``SEQ:HASH``, for the operator to keep outside the database."""
    head = session.get(AuditHead, HEAD)
    return f"{head.seq}:{head.hash}" if head is not None else f"0:{GENESIS}"


def _parse_anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    if not (seq.isascii() and seq.isdigit() and len(seq) <= 18 and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)):
        raise InvalidInput("an anchor is the line 'schoolflow audit anchor' printed: SEQ:HASH with a "
                           "64-character hexadecimal hash", {"anchor": "not SEQ:HASH"})
    return int(seq), digest


def verify_chain(session: Session, batch: int = 2000, anchor: str | None = None) -> ChainReport:
    """Walk the whole log and report the first event that was altered, deleted or inserted.

    With an audit key set, hashes must be HMACs under it (plain ones only up to ``anchor`` and before the
    first keyed event) and the head's seal must match. ``anchor`` (from ``anchor``) is a head recorded earlier that the log
    must still contain unchanged.

    :raises InvalidInput: ``anchor`` is not of the form ``SEQ:HASH``.
    :raises AuditKeyError: an audit key is set but unusable.
    """
    anchored = _parse_anchor(anchor) if anchor is not None else None
    mac = _keyed()
    report = ChainReport(True, 0, keyed=mac is not None)

    def bad(seq: int, reason: str) -> ChainReport:
        report.ok, report.first_bad_seq, report.reason = False, seq, reason
        return report

    prev_hash, expected = GENESIS, 1
    last_keyed = False
    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq >= expected).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected:
                return bad(expected, f"event #{expected} is missing (deleted)")
            fields = (ev.seq, ev.at.isoformat(), ev.kind, ev.actor, ev.instance_id, ev.payload)
            if ev.prev_hash != prev_hash:
                return bad(ev.seq, f"event #{ev.seq} ({ev.kind}) was altered")
            if mac is not None and hmac.compare_digest(ev.hash, _digest(prev_hash, *fields, mac)):
                last_keyed = True
            elif mac is None or (not last_keyed and anchored is not None and ev.seq <= anchored[0]):
                # No key, or (with the key) written before it was set: the anchor vouches for those.
                if ev.hash != _digest(prev_hash, *fields):
                    # (without the key, an event written with one lands here too: the CLI says no key is set)
                    return bad(ev.seq, f"event #{ev.seq} ({ev.kind}) was altered")
                report.unkeyed += mac is not None
            elif not last_keyed and ev.hash == _digest(prev_hash, *fields):
                return bad(ev.seq, f"event #{ev.seq} ({ev.kind}) has a plain hash: it was written before the "
                                   "audit key was set, or recomputed by someone without the key; if the key "
                                   "came later, verify with the anchor printed when it was set")
            else:
                return bad(ev.seq, f"event #{ev.seq} ({ev.kind}) was altered")
            if anchored is not None and ev.seq == anchored[0] and ev.hash != anchored[1]:
                return bad(ev.seq, f"event #{ev.seq} is not the one the anchor recorded: the log was "
                                   "rewritten up to it")
            prev_hash, expected = ev.hash, expected + 1
            report.checked += 1
    last_seq = expected - 1
    heads = {h.id: h for h in session.scalars(sa.select(AuditHead))}
    head, seal = heads.get(HEAD), heads.get(SEAL)
    if head is None:
        if last_seq:
            return bad(last_seq + 1, "the head row of the chain is missing (deleted)")
    elif head.seq > last_seq:
        return bad(last_seq + 1, f"events #{last_seq + 1} to #{head.seq} are missing (deleted)")
    elif head.seq < last_seq or head.hash != prev_hash:
        return bad(head.seq + 1, f"the head of the chain points at event #{head.seq} but the log goes on to "
                                 f"#{last_seq}: the head was moved")
    if last_keyed and (seal is None or seal.seq != last_seq
                       or not hmac.compare_digest(seal.hash, _seal(last_seq, prev_hash, mac))):
        return bad(last_seq, f"the seal of the head (event #{last_seq}) is missing or does not match: the "
                             "head was moved or the last events were deleted")
    if anchored is not None and anchored[0] > last_seq:
        return bad(last_seq + 1, f"the anchor recorded event #{anchored[0]}, but the log ends at "
                                 f"#{last_seq}: events were deleted")
    report.head = (last_seq, prev_hash)
    return report


def instance_events(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    ))
