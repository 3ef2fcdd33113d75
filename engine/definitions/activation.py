"""Activating a staged version: what it will use, and what stops it from running.

A school's own file names its lanes and groups as its author wrote them; before it becomes the version
new cases start on, an administrator sees each lane with the group its tasks will go to (mapped with
``lanes set`` or by the lane's name) and how many people that group has, every group a task names
itself, and each named parameter with its value. A lane or group nobody is in would leave tasks that
no one can see: activation is refused until it is mapped to a group with members. Open cases keep the
version they started on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.cases import audit
from engine.definitions import params
from engine.definitions.deploy import _latest_or_none, schedule
from engine.errors import InvalidInput, NotFound
from engine.people.assignment import lane_groups, set_lane_group
from engine.people.users import require_admin
from engine.scripting import is_expression
from engine.spiff.codec import codec
from engine.storage.models import Definition, Group, User, user_groups
from engine.time.clock import Clock


@dataclass(frozen=True)
class LaneUse:
    lane: str
    group: str
    mapped: bool  # True: an administrator's mapping; False: the group named like the lane
    members: int
    tasks: list[str]  # the tasks that fall back to the lane


@dataclass(frozen=True)
class GroupUse:
    group: str
    members: int
    tasks: list[str]


@dataclass
class ActivationCheck:
    definition: Definition
    active_version: int | None
    lanes: list[LaneUse] = field(default_factory=list)
    groups: list[GroupUse] = field(default_factory=list)
    params: list[params.ParamView] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers


def staged_version(session: Session, key: str, version: int) -> Definition:
    """:raises NotFound: no such version."""
    found = session.scalar(
        sa.select(Definition).where(Definition.process_key == key, Definition.version == version)
    )
    if found is None:
        raise NotFound(f"procedure '{key}' has no version {version}")
    return found


def check_activation(session: Session, definition: Definition) -> ActivationCheck:
    """What ``definition`` will use once active, and the sentences that stop its activation."""
    active = _latest_or_none(session, definition.process_key)
    check = ActivationCheck(definition, active.version if active else None)
    if not definition.staged:
        check.blockers.append(f"version {definition.version} is already active or was active before")
    elif active is not None and active.version > definition.version:
        check.blockers.append(f"version {active.version}, newer than this one, is active")
    mapping = lane_groups(session, definition.process_key)
    members = _member_counts(session)
    by_lane: dict[str, list[str]] = {}
    named: dict[str, list[str]] = {}
    for task in _user_tasks(definition):
        ext = getattr(task, "extensions", {}) or {}
        who = [ext.get(k) for k in ("camunda:assignee", "camunda:candidateUsers", "camunda:candidateGroups")]
        label = getattr(task, "bpmn_name", None) or task.name
        groups = ext.get("camunda:candidateGroups")
        if groups and not is_expression(groups):
            for g in (n.strip() for n in groups.split(",") if n.strip()):
                named.setdefault(g, []).append(label)
        if not any(who) and getattr(task, "lane", None):
            by_lane.setdefault(task.lane, []).append(label)
    for lane, tasks in sorted(by_lane.items()):
        group = mapping.get(lane, lane)
        use = LaneUse(lane, group, lane in mapping, members.get(group, 0), tasks)
        check.lanes.append(use)
        if use.members == 0:
            check.blockers.append(
                f"lane '{lane}' sends its tasks ({', '.join(tasks)}) to group '{group}', "
                "which has no members: map the lane to a group with members"
            )
    for group, tasks in sorted(named.items()):
        use = GroupUse(group, members.get(group, 0), tasks)
        check.groups.append(use)
        if use.members == 0:
            check.blockers.append(
                f"tasks {', '.join(tasks)} name group '{group}', which has no members: "
                "add people to it or change the file"
            )
    check.params = params.describe(session, definition)
    return check


def activate(
    session: Session, key: str, version: int, *, clock: Clock, actor: str | None = None
) -> Definition:
    """Make a staged version the one new cases start on; its schedules start now.

    :raises NotFound: no such version.
    :raises InvalidInput: the check refuses it; every reason is in the message, nothing changes.
    """
    require_admin(session, actor, "activate a procedure version")
    definition = staged_version(session, key, version)
    check = check_activation(session, definition)
    if not check.ready:
        raise InvalidInput("; ".join(check.blockers), {"version": "cannot be activated yet"})
    previous = check.active_version
    definition.staged = False
    session.flush()
    spec = codec.load_spec(f"{key}:{definition.content_hash}", definition.spec_json)[0]
    schedule(session, definition, spec, clock, definition.file_name)
    audit.record(
        session,
        "definition.activated",
        clock=clock,
        actor=actor,
        process_key=key,
        version=version,
        previous=previous,
    )
    return definition


def group_choices(session: Session) -> list[tuple[str, int]]:
    """Every group with its member count, by name: what a lane can be mapped to."""
    rows = session.execute(
        sa.select(Group.name, sa.func.count(user_groups.c.user_id))
        .outerjoin(user_groups, user_groups.c.group_id == Group.id)
        .group_by(Group.name)
        .order_by(Group.name)
    )
    return [(name, n) for name, n in rows]


def map_lane(
    session: Session, definition: Definition, lane: str, group: str, *, clock: Clock, actor: str | None = None
) -> None:
    """Send the tasks of ``lane`` (of ``definition``'s procedure) to the existing ``group`` from now on.

    Unlike ``lanes set`` on the command line, the group must exist: a mapping typed wrong would only
    move the blocker to another empty group.

    :raises InvalidInput: the file has no such lane, or there is no such group; nothing changes.
    """
    require_admin(session, actor, "map a procedure's lanes")
    lanes = {getattr(t, "lane", None) for t in _user_tasks(definition)} - {None}
    if lane not in lanes:
        raise InvalidInput(
            f"procedure '{definition.process_key}' has no lane '{lane}'", {"lane": "unknown lane"}
        )
    if session.scalar(sa.select(Group.id).where(Group.name == group)) is None:
        raise InvalidInput(f"there is no group '{group}'", {"group": "unknown group"})
    set_lane_group(session, definition.process_key, lane, group)
    audit.record(
        session, "lane.mapped", clock=clock, actor=actor, process_key=definition.process_key, lane=lane,
        group=group,
    )


def _user_tasks(definition: Definition) -> list[Any]:
    spec, subprocess_specs = codec.load_spec(
        f"{definition.process_key}:{definition.content_hash}", definition.spec_json
    )
    out = []
    for s in [spec, *subprocess_specs.values()]:
        out += [t for t in s.task_specs.values() if type(t).__name__ == "UserTask"]
    return sorted(out, key=lambda t: t.name)


def _member_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        sa.select(Group.name, sa.func.count(User.id))
        .join(user_groups, user_groups.c.group_id == Group.id)
        .join(User, User.id == user_groups.c.user_id)
        .group_by(Group.name)
    )
    return {name: n for name, n in rows}
