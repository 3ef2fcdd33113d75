"""Who may do a task: its assignee and candidate users and groups, and the checks on claim and complete.

Precedence: ``camunda:assignee`` / ``candidateUsers`` / ``candidateGroups`` (literals or expressions);
otherwise the task's lane, mapped to a group (the group named like the lane unless an administrator
mapped it elsewhere); otherwise the person who started the case. The checks also take the people a
substitute covers now (duty cover, ``engine.people.substitution``): their own tasks count as the substitute's.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import NotAllowed, ScriptError, UndefinedName
from engine.storage.models import CandidateKind, HumanTask, LaneGroup, User
from engine.scripting import Evaluator, is_expression

EXCLUDE_PROPERTY = "excludeUsers"


@dataclass
class Assignment:
    assignee: str | None = None
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _names(value: str | None, evaluator: Evaluator, data: Mapping[str, Any]) -> list[str]:
    if value is None:
        return []
    result: Any = evaluator.evaluate(value, data) if is_expression(value) else value
    if result is None:
        return []
    if isinstance(result, str):
        return [n.strip() for n in result.split(",") if n.strip()]
    if isinstance(result, (list, tuple)) and all(isinstance(n, str) for n in result):
        return [n.strip() for n in result if n.strip()]
    raise ScriptError(f"'{value}' must give a name or a list of names, not {result!r}")


def assign(extensions: Mapping[str, Any], lane: str | None, data: Mapping[str, Any], evaluator: Evaluator,
           lane_groups: Mapping[str, str], initiator: str | None, exclude: str | None = None) -> Assignment:
    """Work out who may do a task that just became ready.

    ``exclude`` is the procedure's ``excludeUsers`` property (a literal list or an expression such as
    ``${accused_user}``): those people never see or act on the task, even as assignee. A task's own
    ``excludeUsers`` property (e.g. ``${initiator}`` on an approval: nobody approves what they filed)
    adds people kept away from that task only.
    """
    assignee = _names(extensions.get("camunda:assignee"), evaluator, data)
    excluded: list[str] = []
    for rule in (exclude, extensions.get(EXCLUDE_PROPERTY)):
        try:
            excluded += _names(rule, evaluator, data)
        except UndefinedName:
            pass  # the case names nobody (e.g. a complaint about a department, not a person)
    a = Assignment(
        assignee=assignee[0] if assignee and assignee[0] not in excluded else None,
        users=[u for u in _names(extensions.get("camunda:candidateUsers"), evaluator, data) if u not in excluded],
        groups=_names(extensions.get("camunda:candidateGroups"), evaluator, data),
        excluded=excluded,
    )
    if not (a.assignee or a.users or a.groups):
        if lane:
            a.groups = [lane_groups.get(lane, lane)]
        elif initiator:
            a.users = [initiator]
    if a.assignee and a.assignee not in a.users:
        a.users.append(a.assignee)  # so that after unclaiming they can still take it back
    return a


def lane_groups(session: Session, process_key: str) -> dict[str, str]:
    rows = session.scalars(sa.select(LaneGroup).where(LaneGroup.process_key == process_key))
    return {r.lane: r.group_name for r in rows}


def set_lane_group(session: Session, process_key: str, lane: str, group: str) -> None:
    """Map a lane of a procedure to a group for tasks created from now on."""
    row = session.get(LaneGroup, (process_key, lane))
    if row is None:
        session.add(LaneGroup(process_key=process_key, lane=lane, group_name=group))
    else:
        row.group_name = group
    session.flush()


def is_excluded(user: User, task: HumanTask) -> bool:
    return any(c.kind == CandidateKind.EXCLUDED and c.name == user.name for c in task.candidates)


def is_candidate(user: User, task: HumanTask) -> bool:
    if is_excluded(user, task):
        return False
    groups = {g.name for g in user.groups}
    return any(
        (c.kind == CandidateKind.USER and c.name == user.name) or (c.kind == CandidateKind.GROUP and c.name in groups)
        for c in task.candidates
    )


def covered_owner(assignee: str | None, candidate_users: Iterable[str], covered: Collection[str]) -> str | None:
    """Which of the ``covered`` people (those a substitute covers now) a task belongs to, if any.

    A task assigned to one of them, or an unclaimed one naming one of them as a candidate user
    (``candidate_users``, sorted). Their group tasks are not handed over: the group's other members see
    those already.
    """
    if assignee is not None:
        return assignee if assignee in covered else None
    return next((name for name in candidate_users if name in covered), None)


def check_may_complete(user: str, label: str, assignee: str | None, standing: Any,
                       covered_owner: Callable[[], str | None]) -> str | None:
    """The assignee may complete a task; a candidate may complete an unclaimed one (claiming it).

    ``standing`` says whether the user is excluded from or a candidate for the task (``store.lock_task_for``);
    ``covered_owner`` names the absent colleague whose task this is, if the user covers them now (duty
    cover) -- asked only when the user may not act as themselves, so the common path costs no query.
    Returns the one the user acts for, or None when they act as themselves.

    :raises NotAllowed: anyone else, and always the procedure's excluded people.
    """
    if standing.excluded:
        raise NotAllowed(f"{user} may not work on task '{label}'")
    if assignee == user or (assignee is None and standing.candidate):
        return None
    owner = covered_owner()
    if owner is not None:
        return owner
    if assignee is not None:
        raise NotAllowed(f"task '{label}' is claimed by {assignee}")
    raise NotAllowed(f"{user} may not work on task '{label}'")


def check_may_claim(user: User, task: HumanTask, covered: Collection[str] = ()) -> str | None:
    """A candidate may claim an unclaimed task; claiming one's own task again changes nothing.

    ``covered`` are the people ``user`` covers now: an unclaimed task naming one of them as a candidate
    user may be claimed, and becomes the substitute's. Returns the one the user acts for, or None.

    :raises NotAllowed: the task is claimed by someone else (even by a covered colleague: their substitute
        completes it directly, it is not taken from them), or the user is not a candidate.
    """
    label = task.name or task.bpmn_id
    if is_excluded(user, task):
        raise NotAllowed(f"{user.name} may not claim task '{label}'")
    if task.assignee is None:
        if is_candidate(user, task):
            return None
        owner = covered_owner(task.assignee, task.candidate_names(CandidateKind.USER), covered)
        if owner is None:
            raise NotAllowed(f"{user.name} may not claim task '{label}'")
        return owner
    if task.assignee == user.name:
        return None
    if task.assignee in covered:
        raise NotAllowed(f"task '{label}' is claimed by {task.assignee}; as their substitute, complete it "
                         "directly (an administrator can reassign it)")
    raise NotAllowed(f"task '{label}' is already claimed by {task.assignee}")
