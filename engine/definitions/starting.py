"""Starting a case by hand: who may start a procedure, and the form its start event asks for.

Who may start: the groups of the start event's lane (a lane is its group's unless ``lanes set`` maps it
elsewhere) and those the process names in ``camunda:candidateStarterGroups`` (or users in
``camunda:candidateStarterUsers``); administrators may start any procedure. A procedure that names
none of these is startable by everyone (as it was before this rule).

The start form is ``start_form.start_form``: what ``runtime.start_process`` checks the data against.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.definitions.forms import FormField
from engine.definitions.start_form import start_form
from engine.definitions.xml_input import parse_xml

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
_CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
_TRIGGERS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
             "conditionalEventDefinition")


@dataclass(frozen=True)
class StartInfo:
    start_event: str | None
    lane: str | None
    starter_groups: tuple[str, ...]
    starter_users: tuple[str, ...]
    fields: list[FormField]


_CACHE: dict[tuple[str, str], StartInfo] = {}


def start_info(definition: Any) -> StartInfo:
    """What starting ``definition`` (a ``Definition`` or ``DefinitionRef``) by hand involves; cached."""
    key = (definition.process_key, definition.content_hash)
    if key not in _CACHE:
        tree, _ = parse_xml(definition.bpmn_xml.encode("utf-8"), definition.process_key)
        info = _read(tree, definition.process_key) if tree is not None else StartInfo(None, None, (), (), [])
        # The form as start_process checks it (one reading of the start event's form).
        _CACHE[key] = StartInfo(info.start_event, info.lane, info.starter_groups, info.starter_users,
                                start_form(definition))
    return _CACHE[key]


def may_start(info: StartInfo, user: str, groups: Collection[str], lane_groups: dict[str, str], *,
              is_admin: bool) -> bool:
    """Whether a person may start the procedure ``info`` describes (see the module's rule)."""
    allowed = set(info.starter_groups)
    if info.lane:
        allowed.add(lane_groups.get(info.lane, info.lane))
    if is_admin or (not allowed and not info.starter_users):
        return True
    return user in info.starter_users or bool(allowed & set(groups))


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (text or "").split(",") if n.strip())


def _read(tree: etree._ElementTree, process_key: str) -> StartInfo:
    process = next((p for p in tree.iterfind("bpmn:process", _NS) if p.get("id") == process_key), None)
    if process is None:
        return StartInfo(None, None, (), (), [])
    starter_groups = _names(process.get(f"{_CAMUNDA}candidateStarterGroups"))
    starter_users = _names(process.get(f"{_CAMUNDA}candidateStarterUsers"))
    start = next((e for e in process.iterfind("bpmn:startEvent", _NS)
                  if not any(e.find(f"bpmn:{t}", _NS) is not None for t in _TRIGGERS)), None)
    if start is None:
        return StartInfo(None, None, starter_groups, starter_users, [])
    lane = None
    for lane_el in process.iterfind(".//bpmn:lane", _NS):
        if any((ref.text or "").strip() == start.get("id") for ref in lane_el.iterfind("bpmn:flowNodeRef", _NS)):
            lane = lane_el.get("name") or lane_el.get("id")
    return StartInfo(start.get("id"), lane, starter_groups, starter_users, [])


def startable(session: Any, user: str) -> list[tuple[Any, StartInfo]]:
    """The latest version of each procedure ``user`` may start by hand, with what starting it asks for.

    Procedures without a plain start event (only timers or messages start them) are not listed.
    :raises NotFound: no such user.
    """
    from engine.definitions.deploy import list_definitions
    from engine.people.assignment import lane_groups
    from engine.people.users import get_user, group_names

    person = get_user(session, user)
    groups = group_names(person)
    out = []
    for definition, _versions in list_definitions(session):
        info = start_info(definition)
        if info.start_event is None:
            continue
        if may_start(info, user, groups, lane_groups(session, definition.process_key), is_admin=person.is_admin):
            out.append((definition, info))
    return out


def check_may_start(session: Any, user: str, process_key: str) -> tuple[Any, StartInfo]:
    """The procedure and its start info, when ``user`` may start it.

    :raises NotFound: no such procedure, or one this user may not start (the same answer: a page of
        procedures one may not start is not shown either).
    """
    from engine.errors import NotFound

    for definition, info in startable(session, user):
        if definition.process_key == process_key:
            return definition, info
    raise NotFound(f"no procedure '{process_key}' that {user} may start")
