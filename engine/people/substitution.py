"""Duty cover (PROCEDURES.md P1 clause 10, seed §四(一)2): staff who leave their post arrange a substitute.

A user (or an administrator for them) arranges for a colleague to cover them from ``starts_at`` until
``ends_at``. While the cover is active (``starts_at <= now < ends_at`` and not cancelled) the substitute
sees, and may claim and complete, the absent user's open tasks: those assigned to them, and unclaimed
ones naming them as a candidate user (``camunda:candidateUsers``). The absent user still sees them too.

Nothing is moved: visibility is computed from this table by the task list (``engine.views.queries``) and by
the claim and complete checks (``engine.people.assignment``, ``engine.runtime.operations``), so when the period
ends or the cover is cancelled the tasks are the user's alone again, with no clean-up job.

What is deliberately not handed over:

- **Group tasks.** The absent user's colleagues in the group already see them (clause 10 asks that
  someone be on duty, and the group is); an administrator adds the substitute to a group when that is
  wanted (``schoolflow users add NAME --groups …``).
- **Cases kept away from the substitute.** A procedure's excluded people (``excludeUsers``, e.g. the
  accused staff member in a complaint) never see or act on its tasks, whoever they cover.
- **Covers of covers.** Only one level is followed, so a chain would strand tasks with someone who is
  away: a substitute who is themselves covered during the period, or a user who covers someone else
  during it, is refused; an administrator rearranges the covers instead.

Called by the CLI (``schoolflow cover``) and, for ``covered_by`` / ``active_for``, by the task list and
the claim and complete operations. Each function flushes; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from engine.cases import audit
from engine.time.clock import Clock
from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.storage.models import Substitution, User
from engine.time.school_time import school_time
from engine.people.users import get_user

MAX_REASON = 255

_Absent = aliased(User, name="absent")
_Substitute = aliased(User, name="substitute")


@dataclass(frozen=True)
class Cover:
    """One arranged cover, with the people's names."""

    id: int
    user: str
    substitute: str
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    created_at: datetime
    created_by: str | None
    cancelled_at: datetime | None

    def state(self, now: datetime) -> str:
        """``upcoming``, ``active``, ``ended`` or ``cancelled`` at ``now``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if now >= self.ends_at:
            return "ended"
        return "active" if now >= self.starts_at else "upcoming"

    def period(self, zone: ZoneInfo) -> str:
        """``from 2026-10-08 14:00 to 2026-10-08 16:00`` in ``zone``, the school's."""
        return f"from {_when(self.starts_at, zone)} to {_when(self.ends_at, zone)}"

    def to_json(self, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
        """The shape ``schoolflow cover list --json`` prints (see README, "JSON shapes")."""
        return {"id": self.id, "user": self.user, "substitute": self.substitute,
                "starts_at": self.starts_at.astimezone(zone).isoformat(),
                "ends_at": self.ends_at.astimezone(zone).isoformat(), "reason": self.reason,
                "state": self.state(now), "created_by": self.created_by,
                "created_at": self.created_at.astimezone(zone).isoformat(),
                "cancelled_at": self.cancelled_at.astimezone(zone).isoformat() if self.cancelled_at else None}


def covered_by(substitute_id: Any, now: Any) -> sa.Select[tuple[str]]:
    """A select of the names of the people ``substitute_id`` covers at ``now`` (values or bound parameters).

    The task list embeds it in its one prebuilt statement, so seeing covered tasks costs no extra query.
    """
    return (
        sa.select(User.name)
        .join(Substitution, Substitution.user_id == User.id)
        .where(Substitution.substitute_id == substitute_id, Substitution.cancelled_at.is_(None),
               Substitution.starts_at <= now, Substitution.ends_at > now)
    )


def active_for(session: Session, substitute: str, now: datetime) -> list[str]:
    """Names of the users ``substitute`` covers at ``now``, sorted; empty for an unknown name."""
    substitute_id = sa.select(User.id).where(User.name == substitute).scalar_subquery()
    return sorted(session.scalars(covered_by(substitute_id, now)))


def arrange(session: Session, user: str, substitute: str, starts_at: datetime, ends_at: datetime, *,
            clock: Clock, reason: str | None = None, actor: str | None = None) -> Cover:
    """Have ``substitute`` cover ``user``'s tasks from ``starts_at`` until ``ends_at`` (exclusive).

    ``actor`` is who arranges it: the user themselves (the default) or an administrator.

    :raises NotFound: the user, the substitute or the actor does not exist.
    :raises NotAllowed: the actor is neither the user nor an administrator.
    :raises InvalidInput: the substitute is the user; the period has no time zone, is empty or is already
        over; the reason is too long; the user already has cover for part of the period; the substitute
        is away (covered) during it, or the user covers someone else during it.
    """
    absent, colleague = get_user(session, user), get_user(session, substitute)
    by = get_user(session, actor) if actor is not None else absent
    if by.id != absent.id and not by.is_admin:
        raise NotAllowed(f"only {absent.name} or an administrator can arrange {absent.name}'s cover")
    if colleague.id == absent.id:
        raise InvalidInput(f"{absent.name} cannot cover for themselves; name a colleague",
                           {"substitute": "a colleague, not the absent user"})
    now, zone = clock.now(), school_time(session).tz
    _check_period(starts_at, ends_at, now, zone)
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters", {"reason": "too long"})
    # Only the part from now on can clash: a cover that already ended is history, not a conflict.
    start = max(starts_at, now)
    clash = _first_overlap(session, Substitution.user_id == absent.id, start, ends_at)
    if clash:
        raise InvalidInput(f"{absent.name} already has cover by {clash.substitute} {clash.period(zone)} "
                           f"(cover #{clash.id}); cancel it first", {"starts_at": "overlaps another cover"})
    away = _first_overlap(session, Substitution.user_id == colleague.id, start, ends_at)
    if away:
        raise InvalidInput(f"{colleague.name} is away then too (covered by {away.substitute} "
                           f"{away.period(zone)}); choose a colleague who is on duty",
                           {"substitute": "is away during the period"})
    covering = _first_overlap(session, Substitution.substitute_id == absent.id, start, ends_at)
    if covering:
        raise InvalidInput(f"{absent.name} covers for {covering.user} {covering.period(zone)} "
                           f"(cover #{covering.id}); an administrator should hand that cover to someone "
                           "else first",
                           {"user": "covers someone else during the period"})
    row = Substitution(user_id=absent.id, substitute_id=colleague.id, starts_at=starts_at, ends_at=ends_at,
                       reason=reason, created_at=now, created_by=by.name)
    session.add(row)
    session.flush()
    audit.record(session, "cover.arranged", clock=clock, actor=by.name, cover_id=row.id, user=absent.name,
                 substitute=colleague.name, starts_at=starts_at.astimezone(zone).isoformat(),
                 ends_at=ends_at.astimezone(zone).isoformat(), reason=reason)
    return _view(row, absent.name, colleague.name)


def cancel(session: Session, cover_id: int, *, clock: Clock, actor: str | None = None) -> Cover:
    """End a cover at once (or drop one not started yet); the tasks are the user's alone again.

    ``actor`` is the covered user (the default) or an administrator.

    :raises NotFound: no such cover, or no such actor.
    :raises NotAllowed: the actor is neither the covered user nor an administrator.
    :raises InvalidInput: the cover was already cancelled or has already ended.
    """
    found = session.execute(_covers().where(Substitution.id == cover_id)).one_or_none()
    if found is None:
        raise NotFound(f"no cover #{cover_id}")
    row, user, substitute = found
    by = get_user(session, actor) if actor is not None else get_user(session, user)
    if by.name != user and not by.is_admin:
        raise NotAllowed(f"only {user} or an administrator can cancel {user}'s cover")
    now = clock.now()
    if row.cancelled_at is not None:
        when = _when(row.cancelled_at, school_time(session).tz)
        raise InvalidInput(f"cover #{cover_id} was already cancelled on {when}")
    if row.ends_at <= now:
        when = _when(row.ends_at, school_time(session).tz)
        raise InvalidInput(f"cover #{cover_id} already ended on {when}")
    row.cancelled_at = now
    session.flush()
    audit.record(session, "cover.cancelled", clock=clock, actor=by.name, cover_id=row.id, user=user,
                 substitute=substitute)
    return _view(row, user, substitute)


def list_covers(session: Session, *, now: datetime, involving: str | None = None,
                include_past: bool = False) -> list[Cover]:
    """Covers that are active or upcoming at ``now`` (all of them with ``include_past``), earliest first.

    ``involving`` keeps those where that person is the absent user or the substitute.
    """
    query = _covers().order_by(Substitution.starts_at, Substitution.id)
    if involving is not None:
        query = query.where(sa.or_(_Absent.name == involving, _Substitute.name == involving))
    if not include_past:
        query = query.where(Substitution.cancelled_at.is_(None), Substitution.ends_at > now)
    return [_view(row, user, substitute) for row, user, substitute in session.execute(query)]


def _covers() -> sa.Select[tuple[Substitution, str, str]]:
    return (
        sa.select(Substitution, _Absent.name, _Substitute.name)
        .join(_Absent, Substitution.user_id == _Absent.id)
        .join(_Substitute, Substitution.substitute_id == _Substitute.id)
    )


def _first_overlap(session: Session, who: sa.ColumnElement[bool], start: datetime,
                   end: datetime) -> Cover | None:
    """The earliest uncancelled cover matching ``who`` that shares some time with ``[start, end)``."""
    found = session.execute(
        _covers().where(who, Substitution.cancelled_at.is_(None), Substitution.starts_at < end,
                        Substitution.ends_at > start)
        .order_by(Substitution.starts_at).limit(1)
    ).one_or_none()
    return _view(*found) if found else None


def _check_period(starts_at: datetime, ends_at: datetime, now: datetime, zone: ZoneInfo) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("a cover's start and end need a time zone", {"starts_at": "no time zone"})
    if ends_at <= starts_at:
        raise InvalidInput(f"the cover must end after it starts (from {_when(starts_at, zone)} "
                           f"to {_when(ends_at, zone)})", {"ends_at": "not after the start"})
    if ends_at <= now:
        raise InvalidInput(f"that period is already over (it ended {_when(ends_at, zone)})",
                           {"ends_at": "in the past"})


def _view(row: Substitution, user: str, substitute: str) -> Cover:
    return Cover(id=row.id, user=user, substitute=substitute, starts_at=row.starts_at, ends_at=row.ends_at,
                 reason=row.reason, created_at=row.created_at, created_by=row.created_by,
                 cancelled_at=row.cancelled_at)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as people write it in the school's time zone: ``2026-10-08 14:00``."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
