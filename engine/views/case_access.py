"""Who may see a case (its task pages' data, its evidence files).

A person sees a case when they started it, acted on it (the audit log names them), or are a candidate
of one of its tasks (a candidate user, or a member of a candidate group); administrators see every case.
With ``now``, also the duty cover of such a candidate or assignee at that moment (they see its tasks in
their list, so they may open its case). The procedure's excluded people (``excludeUsers``) never see it,
whatever else holds.

``check_may_see`` is the same rule for a case addressed by its number, and answers a case one may not
see exactly as a number nobody uses: the same ``NotFound``, so a stranger cannot tell which numbers exist.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.people.substitution import active_for
from engine.storage.models import (AuditEvent, Case, CandidateKind, Group, HumanTask, Instance, TaskCandidate,
                                   User, user_groups)


def check_may_see(session: Session, case_number: str, user: str, now: datetime) -> int:
    """The instance id of the case with that number (``TS-2026-000001``, case and spaces ignored), when
    ``user`` may see it.

    :raises NotFound: no such case, or one ``user`` may not see (the same error).
    """
    number = case_number.strip().upper()
    instance_id = session.scalar(sa.select(Case.instance_id).where(Case.number == number))
    if instance_id is None or not may_see_case(session, user, instance_id, now):
        raise NotFound(f"no case {number}")
    return instance_id


def may_see_case(session: Session, user: str, instance_id: int, now: datetime | None = None) -> bool:
    found = session.execute(sa.select(User.id, User.is_admin).where(User.name == user)).first()
    if found is None:
        return False
    user_id, is_admin = found
    tasks = sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id)
    excluded = session.scalar(sa.select(sa.exists().where(
        TaskCandidate.task_id.in_(tasks), TaskCandidate.kind == CandidateKind.EXCLUDED,
        TaskCandidate.name == user)))
    if excluded:
        return False
    if is_admin:
        return True
    started = session.scalar(sa.select(sa.exists().where(Instance.id == instance_id,
                                                         Instance.started_by == user)))
    acted = session.scalar(sa.select(sa.exists().where(AuditEvent.instance_id == instance_id,
                                                       AuditEvent.actor == user)))
    groups = sa.select(Group.name).join(user_groups, user_groups.c.group_id == Group.id).where(
        user_groups.c.user_id == user_id)
    candidate = session.scalar(sa.select(sa.exists().where(
        TaskCandidate.task_id.in_(tasks),
        sa.or_(sa.and_(TaskCandidate.kind == CandidateKind.USER, TaskCandidate.name == user),
               sa.and_(TaskCandidate.kind == CandidateKind.GROUP, TaskCandidate.name.in_(groups))))))
    if started or acted or candidate:
        return True
    covered = active_for(session, user, now) if now is not None else []
    return bool(covered) and bool(session.scalar(sa.select(sa.exists().where(
        HumanTask.instance_id == instance_id,
        sa.or_(HumanTask.assignee.in_(covered), sa.exists().where(
            TaskCandidate.task_id == HumanTask.id, TaskCandidate.kind == CandidateKind.USER,
            TaskCandidate.name.in_(covered)))))))
