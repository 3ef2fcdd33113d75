"""Who may see a case (its task pages' data, its evidence files).

A person sees a case when they started it, acted on it (the audit log names them), or are a candidate
of one of its tasks (a candidate user, or a member of a candidate group); administrators see every case.
The procedure's excluded people (``excludeUsers``) never see it, whatever else holds.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.storage.models import (AuditEvent, CandidateKind, Group, HumanTask, Instance, TaskCandidate, User,
                                   user_groups)


def may_see_case(session: Session, user: str, instance_id: int) -> bool:
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
    return bool(started or acted or candidate)
