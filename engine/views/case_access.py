"""Who may open a case (DESIGN.md, security model), until ``engine.views.visibility`` takes this over.

A person sees a case when they started it, acted on it, hold or may claim one of its tasks (open or
done), through their groups or as the duty cover of someone who does, or are an administrator. The
people a procedure keeps away from a case (``excludeUsers``, e.g. the accused staff member) never see
it, whatever else is true. Anyone else is told the case does not exist: the same ``NotFound`` as for a
number no case has, so a stranger cannot learn which numbers are in use.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.people.substitution import active_for
from engine.storage.models import AuditEvent, CandidateKind, Case, HumanTask, Instance, TaskCandidate, User
from engine.people.users import group_names


def check_may_see(session: Session, case_number: str, user: str, now: datetime) -> None:
    """Return quietly when ``user`` may see the case with that number.

    :raises NotFound: no such case, no such user, or the user may not see it (one answer for all three).
    """
    missing = NotFound(f"no case {case_number}")
    person = session.scalar(sa.select(User).where(User.name == user))
    found = session.execute(sa.select(Case.instance_id, Instance.started_by)
                            .join(Instance, Instance.id == Case.instance_id)
                            .where(Case.number == case_number.strip().upper())).first()
    if person is None or found is None:
        raise missing
    instance_id, started_by = found
    tasks = sa.select(HumanTask.id).where(HumanTask.instance_id == instance_id)
    excluded = session.scalar(sa.select(sa.exists().where(
        TaskCandidate.task_id.in_(tasks), TaskCandidate.kind == CandidateKind.EXCLUDED,
        TaskCandidate.name == person.name)))
    if excluded:
        raise missing
    if person.is_admin or started_by == person.name:
        return
    people = [person.name, *active_for(session, person.name, now)]
    groups = group_names(person)
    holds = session.scalar(sa.select(sa.exists().where(
        HumanTask.instance_id == instance_id,
        sa.or_(HumanTask.assignee.in_(people), HumanTask.completed_by == person.name,
               sa.exists().where(TaskCandidate.task_id == HumanTask.id, sa.or_(
                   sa.and_(TaskCandidate.kind == CandidateKind.USER, TaskCandidate.name.in_(people)),
                   sa.and_(TaskCandidate.kind == CandidateKind.GROUP, TaskCandidate.name.in_(groups))))))))
    acted = holds or session.scalar(sa.select(sa.exists().where(
        AuditEvent.instance_id == instance_id, AuditEvent.actor == person.name)))
    if not acted:
        raise missing
