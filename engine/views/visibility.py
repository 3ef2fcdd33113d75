"""Who may see a case (DESIGN.md, "Security model"): one rule for the web UI, the API and ``show --as``.

A person may see a case when any of these holds:

- they hold or can claim one of its tasks: assignee, candidate user, or member of a candidate group of
  any of its tasks, open or done (the people who worked the case stay able to look it up);
- they cover, at ``now``, a colleague who holds or can claim one of its *open* tasks as a person (duty
  cover, ``engine.people.substitution``: a colleague's group tasks are not handed over);
- they started it, or acted on it (an event of the case in the audit log names them as actor);
- they belong to a group that owns the procedure: the group a lane of its version maps to (an
  administrator's ``lanes set`` mapping, else the group named like the lane);
- they are an administrator.

Whatever else holds, a person the procedure keeps away from the case (``excludeUsers``, e.g. the accused
staff member; recorded on its tasks) never sees it, administrators included.

``find_case`` answers "no such case" both for a case that does not exist and for one the person may not
see, in the same words, so a refusal tells nothing about which cases exist.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.people.assignment import lane_groups
from engine.people.substitution import covered_by
from engine.runtime.workflow import specs_of
from engine.storage.models import (AuditEvent, CandidateKind, Case, Definition, Group, HumanTask, Instance,
                                   TaskCandidate, TaskState, User, user_groups)

MAX_ID = 2**31 - 1
MAX_REF = 64  # longer than any case number or id: refused as "no such case" without a query


def visible_cases(session: Session, user_name: str, *, now: datetime | None = None) -> sa.ColumnElement[bool]:
    """A condition on ``Instance`` that holds for the cases ``user_name`` may see (usable in any listing).

    ``now`` is the moment duty covers are taken at; None counts no cover. An unknown name sees nothing.
    """
    user = session.execute(sa.select(User.id, User.is_admin).where(User.name == user_name)).first()
    if user is None:
        return sa.false()
    excluded = sa.exists().where(
        HumanTask.instance_id == Instance.id, TaskCandidate.task_id == HumanTask.id,
        TaskCandidate.kind == CandidateKind.EXCLUDED, TaskCandidate.name == user_name)
    if user.is_admin:
        return ~excluded
    groups = sa.select(Group.name).join(user_groups, user_groups.c.group_id == Group.id).where(
        user_groups.c.user_id == user.id)
    as_candidate = sa.exists().where(
        HumanTask.instance_id == Instance.id, TaskCandidate.task_id == HumanTask.id,
        sa.or_(sa.and_(TaskCandidate.kind == CandidateKind.USER, TaskCandidate.name == user_name),
               sa.and_(TaskCandidate.kind == CandidateKind.GROUP, TaskCandidate.name.in_(groups))))
    holds = sa.exists().where(HumanTask.instance_id == Instance.id, HumanTask.assignee == user_name)
    acted = sa.exists().where(AuditEvent.instance_id == Instance.id, AuditEvent.actor == user_name)
    allowed = [Instance.started_by == user_name, holds, as_candidate, acted]
    owned = _owned_definitions(session, user.id)
    if owned:
        allowed.append(Instance.definition_id.in_(owned))
    if now is not None:
        covered = covered_by(user.id, now)
        open_task = sa.and_(HumanTask.instance_id == Instance.id, HumanTask.state == TaskState.OPEN)
        allowed += [
            sa.exists().where(open_task, HumanTask.assignee.in_(covered)),
            sa.exists().where(open_task, HumanTask.assignee.is_(None), TaskCandidate.task_id == HumanTask.id,
                              TaskCandidate.kind == CandidateKind.USER, TaskCandidate.name.in_(covered)),
        ]
    return sa.and_(sa.or_(*allowed), ~excluded)


def may_see_case(session: Session, user_name: str, instance: Instance | int, *,
                 now: datetime | None = None) -> bool:
    """Whether ``user_name`` may see the case of ``instance`` (an ``Instance`` or its id); see the module."""
    instance_id = instance if isinstance(instance, int) else instance.id
    condition = visible_cases(session, user_name, now=now)
    return session.scalar(sa.select(sa.exists().where(Instance.id == instance_id, condition))) or False


def find_case(session: Session, ref: str | int, user_name: str | None = None, *,
              now: datetime | None = None) -> Instance:
    """The instance a case number (``TS-2026-000001``) or an internal id names, if ``user_name`` may see it.

    Without ``user_name`` the caller is the server's operator (the command line without ``--as``), who
    sees every case. ``now`` is when duty covers count (see ``visible_cases``).

    :raises NotFound: "no such case: REF", alike for a case that does not exist and one not to be seen.
    """
    text = str(ref).strip()
    instance = _lookup(session, text) if 0 < len(text) <= MAX_REF else None
    if instance is None or (user_name is not None and not may_see_case(session, user_name, instance, now=now)):
        shown = text if len(text) <= MAX_REF else text[:MAX_REF] + "…"
        raise NotFound(f"no such case: {shown}")
    return instance


def _lookup(session: Session, text: str) -> Instance | None:
    if text.isascii() and text.isdigit():
        # Ids are 32-bit integers: a larger number names no case (and would make PostgreSQL fail).
        return session.get(Instance, int(text)) if int(text) <= MAX_ID else None
    return session.scalar(sa.select(Instance).join(Case, Case.instance_id == Instance.id)
                          .where(Case.number == text.upper()))


def _owned_definitions(session: Session, user_id: int) -> list[int]:
    """Ids of the definition versions one of whose lanes maps to a group of the user."""
    mine = set(session.scalars(sa.select(Group.name).join(user_groups, user_groups.c.group_id == Group.id)
                               .where(user_groups.c.user_id == user_id)))
    if not mine:
        return []
    owned = []
    mappings: dict[str, dict[str, str]] = {}
    rows = session.execute(sa.select(Definition.id, Definition.process_key, Definition.content_hash))
    for definition_id, process_key, content_hash in rows:
        mapping = mappings.get(process_key)
        if mapping is None:
            mapping = mappings[process_key] = lane_groups(session, process_key)
        lanes = _LANES.get(f"{process_key}:{content_hash}")
        if lanes is None:
            lanes = _lanes(session.get_one(Definition, definition_id))
        if any(mapping.get(lane, lane) in mine for lane in lanes):
            owned.append(definition_id)
    return owned


_LANES: dict[str, frozenset[str]] = {}


def _lanes(definition: Definition) -> frozenset[str]:
    """The lane names of a definition version's tasks (cached: a version never changes)."""
    key = f"{definition.process_key}:{definition.content_hash}"
    lanes = _LANES.get(key)
    if lanes is None:
        spec, subprocess_specs = specs_of(definition)
        lanes = frozenset(lane for s in (spec, *subprocess_specs.values()) for t in s.task_specs.values()
                          if isinstance(lane := getattr(t, "lane", None), str) and lane)
        _LANES[key] = lanes
    return lanes
