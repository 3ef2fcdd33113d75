"""The timer sweep: fire every due timer and schedule, each in its own transaction.

Run it from ``schoolflow worker`` (a loop) or ``schoolflow worker --once`` (cron). Several workers on
several machines can share one PostgreSQL database: each claims a due row with
``SELECT … FOR UPDATE SKIP LOCKED``, and marks it fired in the same transaction as the state change it
causes, so a timer fires at most once; a worker that dies mid-transaction leaves the row due, so it
fires after all once a worker runs again. One broken case never blocks the others: its failure is
recorded on the instance (visible in ``show``) and the sweep carries on.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from engine.cases import audit
from engine.storage import store
from engine.time.clock import Clock
from engine.storage.models import Definition, Instance, InstanceStatus, Schedule, Timer, TimerStatus
from engine.runtime.firing import fire_timer, start_scheduled
from engine.definitions.schedules import advance_schedule

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    fired: int = 0
    started: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.fired + self.started + self.failed


def _claim(query: sa.Select, session: Session):  # type: ignore[type-arg,no-untyped-def]
    return session.scalars(query.limit(1).with_for_update(skip_locked=True)).first()


BATCH = 50  # timers fired per transaction; see fire_timers


def fire_timers(Session: sessionmaker[Session], clock: Clock, limit: int = BATCH) -> SweepResult | None:  # noqa: N803
    """Fire up to ``limit`` due timers in one transaction; None if nothing is due.

    Each firing is all-or-nothing on its own: its writes are held back (``store.DeferredWrites``) and
    dropped if it fails, and the failure is recorded on its instance instead; its timer is marked fired in
    the same transaction as the state it changed, so it fires at most once, and a worker that dies
    mid-batch leaves every timer of the batch due, so they all fire once a worker runs again. Sharing
    the transaction saves the round trips that dominated a firing (about two per timer instead of ten).
    If the batch cannot be written (a database error), each of its timers is retried alone.
    """
    now = clock.now()
    result = SweepResult()
    claimed: list[store.DueTimer] = []
    try:
        with Session.begin() as session:
            conn = session.connection()
            claimed = store.claim_due_timers(conn, now, limit)
            if not claimed:
                return None
            writes = store.DeferredWrites(conn)
            events: list[audit.Event] = []
            for due in claimed:
                mark = writes.mark()
                try:
                    fired = fire_timer(session, writes, due, clock)
                except Exception as exc:  # one broken case must not block the others
                    logger.exception("timer %s of instance %s failed", due.id, due.instance.id)
                    writes.discard_since(mark)
                    events.append(_failed(writes, due, str(exc), clock))
                    result.failed += 1
                    continue
                if fired is None:
                    continue
                events.extend(fired)
                result.fired += 1
            writes.flush()
            audit.append(conn, clock, events)
            return result
    except Exception as exc:
        if not claimed:
            raise
        if len(claimed) == 1:
            logger.exception("timer %s of instance %s failed", claimed[0].id, claimed[0].instance.id)
            _mark_failed(Session, clock, claimed[0].instance.id, timer_id=claimed[0].id, reason=str(exc))
            return SweepResult(failed=1)
        logger.exception("a batch of timers could not be written; firing them one by one")
    result = SweepResult()
    for _ in range(len(claimed)):
        one = fire_timers(Session, clock, 1)
        if one is None:
            break
        result.fired, result.failed = result.fired + one.fired, result.failed + one.failed
    return result


def _failed(conn: store.DeferredWrites, due: store.DueTimer, reason: str, clock: Clock) -> audit.Event:
    """Record a failed firing: the instance in error with the reason (``show``), the timer in error."""
    now = clock.now()
    store.mark_failed(conn, due.instance.id, reason, now)
    store.update_timer(conn, due.id, TimerStatus.ERROR, due.due_at, None)
    return audit.Event("instance.error", None, due.instance.id, {"timer": due.id, "reason": reason})


def fire_next_schedule(Session: sessionmaker[Session], clock: Clock) -> str | None:  # noqa: N803
    """Start one instance for the most overdue schedule; returns "started", "failed" or None."""
    now = clock.now()
    claimed: int | None = None
    try:
        with Session.begin() as session:
            schedule = _claim(sa.select(Schedule).where(Schedule.active.is_(True), Schedule.next_due_at <= now)
                              .order_by(Schedule.next_due_at), session)
            if schedule is None:
                return None
            claimed = schedule.id
            definition = session.get(Definition, schedule.definition_id)
            assert definition is not None
            start_scheduled(session, definition, schedule.bpmn_id, clock)
            advance_schedule(schedule, now, session)
            return "started"
    except Exception:  # one broken procedure must not block the whole sweep
        if claimed is None:
            raise
        logger.exception("schedule %s failed", claimed)
        with Session.begin() as session:
            schedule = session.get(Schedule, claimed)
            if schedule is not None:
                advance_schedule(schedule, now, session)  # skip this occurrence rather than retry it forever
        return "failed"


def fire_due(Session: sessionmaker[Session], clock: Clock, limit: int | None = None) -> SweepResult:  # noqa: N803
    """Fire everything due now (or at most ``limit`` items): schedules first, then timers in batches."""
    result = SweepResult()
    while limit is None or result.total < limit:
        outcome = fire_next_schedule(Session, clock)
        if outcome is None:
            break
        if outcome == "started":
            result.started += 1
        else:
            result.failed += 1
    while limit is None or result.total < limit:
        batch = fire_timers(Session, clock, BATCH if limit is None else min(BATCH, limit - result.total))
        if batch is None:
            break
        result.fired, result.failed = result.fired + batch.fired, result.failed + batch.failed
    return result


def _mark_failed(Session: sessionmaker[Session], clock: Clock, instance_id: int, *,  # noqa: N803
                 timer_id: str, reason: str) -> None:
    with Session.begin() as session:
        instance = session.get(Instance, instance_id)
        timer = session.get(Timer, timer_id)
        if timer is not None:
            timer.status = TimerStatus.ERROR
        if instance is not None:
            instance.status, instance.error = InstanceStatus.ERROR, reason
            instance.updated_at = clock.now()
        audit.record(session, "instance.error", clock=clock, instance_id=instance_id, timer=timer_id,
                     reason=reason)


def run_worker(Session: sessionmaker[Session], clock: Clock, *, once: bool = False,  # noqa: N803
               interval: float = 1.0, limit: int | None = None,
               report: Callable[[SweepResult], None] | None = None) -> None:
    """Sweep until stopped (SIGTERM or SIGINT finish the current firing, then exit).

    Between sweeps it rests until the next known due time, but never longer than ``interval``: timers
    created meanwhile by other processes are picked up within ``interval`` seconds.
    """
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        result = fire_due(Session, clock, limit=limit)
        if report is not None and (result.total or once):
            report(result)
        if once:
            return
        if not result.total:
            stop.wait(_rest(Session, clock, interval))


def _rest(Session: sessionmaker[Session], clock: Clock, interval: float) -> float:  # noqa: N803
    with Session() as session:
        nxt = min((d for d in (
            session.scalar(sa.select(sa.func.min(Timer.due_at)).where(Timer.status == TimerStatus.WAITING)),
            session.scalar(sa.select(sa.func.min(Schedule.next_due_at)).where(Schedule.active.is_(True))),
        ) if d is not None), default=None)
    if nxt is None:
        return interval
    return max(0.0, min(interval, (nxt - clock.now()).total_seconds()))
