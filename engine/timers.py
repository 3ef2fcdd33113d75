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

from . import audit
from .clock import Clock
from .models import Definition, Instance, InstanceStatus, Schedule, Timer, TimerStatus
from .runtime.firing import fire_timer, start_scheduled
from .schedules import advance_schedule

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


def fire_next_timer(Session: sessionmaker[Session], clock: Clock) -> str | None:  # noqa: N803
    """Fire the most overdue timer; returns "fired", "stale", "failed", or None if nothing is due."""
    now = clock.now()
    claimed: tuple[str, int] | None = None
    try:
        with Session.begin() as session:
            timer = _claim(sa.select(Timer).where(Timer.status == TimerStatus.WAITING, Timer.due_at <= now)
                           .order_by(Timer.due_at), session)
            if timer is None:
                return None
            claimed = (timer.id, timer.instance_id)
            return "fired" if fire_timer(session, timer, clock) else "stale"
    except Exception as exc:  # one broken case must not block the whole sweep
        if claimed is None:
            raise
        logger.exception("timer %s of instance %s failed", *claimed)
        _mark_failed(Session, clock, claimed[1], timer_id=claimed[0], reason=str(exc))
        return "failed"


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
            advance_schedule(schedule, now)
            return "started"
    except Exception:  # one broken procedure must not block the whole sweep
        if claimed is None:
            raise
        logger.exception("schedule %s failed", claimed)
        with Session.begin() as session:
            schedule = session.get(Schedule, claimed)
            if schedule is not None:
                advance_schedule(schedule, now)  # skip this occurrence rather than retry it forever
        return "failed"


def fire_due(Session: sessionmaker[Session], clock: Clock, limit: int | None = None) -> SweepResult:  # noqa: N803
    """Fire everything due now (or at most ``limit`` items): schedules first, then timers."""
    result = SweepResult()
    for fire_next in (fire_next_schedule, fire_next_timer):
        while limit is None or result.total < limit:
            outcome = fire_next(Session, clock)
            if outcome is None:
                break
            if outcome == "started":
                result.started += 1
            elif outcome == "fired":
                result.fired += 1
            elif outcome == "failed":
                result.failed += 1
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
