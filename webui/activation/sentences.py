"""The engine's English sentences about activation, parameters and version changes, in the reader's language.

The sentences are written by ``engine.definitions.activation``, ``params`` and ``compare``; each pattern
here matches one of them whole. A sentence no pattern matches is shown as the engine wrote it, so a new
engine sentence is never lost, only untranslated.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import _

Patterns = list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]

_STEP = re.compile(r"'(.*)' \(([^()]*)\)|'([^']*)'")


def step(label: str) -> str:
    """The engine's ``'name' (id)`` or ``'id'`` as “name”（id）."""
    def quote(m: re.Match[str]) -> str:
        return f"“{m[1]}”（{m[2]}）" if m[1] is not None else f"“{m[3]}”"
    return _STEP.sub(quote, label)


def translate(message: str, patterns: Patterns) -> str:
    for pattern, text in patterns:
        match = pattern.fullmatch(message)
        if match:
            return str(text(match))
    return message


def _attr(name: str) -> str:
    names = {"candidateGroups": _("candidate groups"), "candidateUsers": _("candidate users"),
             "assignee": _("assignee"), "dueDate": _("due date"), "priority": _("priority")}
    return str(names.get(name, name))


def _timer(text: str) -> str:
    """``timeDuration P5D`` (compare's timer description) with the kind in words."""
    kinds = {"timeDuration": _("after"), "timeDate": _("at"), "timeCycle": _("every cycle")}
    kind, _sep, value = text.partition(" ")
    if kind == "no" and text == "no time given":
        return _("no time given")
    return f"{kinds.get(kind, kind)} {value}".strip()


def _field_diffs(text: str) -> str:
    words = {"label": _("label"), "type": _("type"), "default": _("default value"), "values": _("options"),
             "constraint": _("rule")}
    return re.sub(r"\b(label|type|default|values|constraint)\b", lambda m: str(words[m[1]]), text)


_BLOCKERS: Patterns = [
    (re.compile(r"version (\d+) is already active or was active before"),
     lambda m: _("Version %(v)s is already active or was active before.", v=m[1])),
    (re.compile(r"version (\d+), newer than this one, is active"),
     lambda m: _("Version %(v)s, newer than this one, is active.", v=m[1])),
    (re.compile(r"lane '(.*)' sends its tasks \((.*)\) to group '(.*)', which has no members: "
                r"map the lane to a group with members"),
     lambda m: _("Lane “%(lane)s” sends its tasks (%(tasks)s) to group “%(group)s”, which has no members: "
                 "map the lane to a group with members.", lane=m[1], tasks=m[2], group=m[3])),
    (re.compile(r"tasks (.*) name group '(.*)', which has no members: add people to it or change the file"),
     lambda m: _("Tasks %(tasks)s name group “%(group)s”, which has no members: add people to it or change "
                 "the file.", tasks=m[1], group=m[2])),
]

_PARAMS: Patterns = [
    (re.compile(r"parameter '(.*)' is true or false, not '(.*)'"), lambda m: _("Choose yes or no.")),
    (re.compile(r"parameter '(.*)' is a whole number, not '(.*)'"),
     lambda m: _("Enter a whole number (“%(value)s” is not one).", value=m[2])),
    (re.compile(r"parameter '(.*)' needs a text of 1 to (\d+) characters"),
     lambda m: _("Enter 1 to %(n)s characters.", n=m[2])),
    (re.compile(r"procedure '(.*)' has no parameter '(.*)' \(it has: (.*)\)"),
     lambda m: _("This procedure has no parameter “%(name)s”.", name=m[2])),
    (re.compile(r"procedure '(.*)' has no lane '(.*)'"),
     lambda m: _("This procedure has no lane “%(lane)s”.", lane=m[2])),
    (re.compile(r"there is no group '(.*)'"), lambda m: _("There is no group “%(group)s”.", group=m[1])),
]

_CHANGES: Patterns = [
    (re.compile(r"step '(.*)' is now called '(.*)'"),
     lambda m: _("Step “%(old)s” is now called “%(new)s”.", old=m[1], new=m[2])),
    (re.compile(r"step (.+) is new"), lambda m: _("New step %(step)s.", step=step(m[1]))),
    (re.compile(r"step (.+) is removed"), lambda m: _("Step %(step)s is removed.", step=step(m[1]))),
    (re.compile(r"(.+): (candidateGroups|candidateUsers|assignee|dueDate|priority) '(.*)' → '(.*)'"),
     lambda m: _("%(step)s: %(what)s “%(old)s” → “%(new)s”.", step=step(m[1]), what=_attr(m[2]), old=m[3],
                 new=m[4])),
    (re.compile(r"(.+): form field '(.*)' \((.*)\) is new"),
     lambda m: _("%(step)s: new form field “%(field)s” (%(id)s).", step=step(m[1]), field=m[2], id=m[3])),
    (re.compile(r"(.+): form field '(.*)' \((.*)\) is removed"),
     lambda m: _("%(step)s: form field “%(field)s” (%(id)s) is removed.", step=step(m[1]), field=m[2],
                 id=m[3])),
    (re.compile(r"(.+): form field (\S+): (.*)"),
     lambda m: _("%(step)s: form field %(id)s: %(changes)s.", step=step(m[1]), id=m[2],
                 changes=_field_diffs(m[3]))),
    (re.compile(r"timer (.+) is new: (.*)"),
     lambda m: _("New timer %(step)s: %(when)s.", step=step(m[1]), when=_timer(m[2]))),
    (re.compile(r"(.+) now waits on a timer: (.*)"),
     lambda m: _("%(step)s now waits on a timer: %(when)s.", step=step(m[1]), when=_timer(m[2]))),
    (re.compile(r"(.+) no longer has its timer \((.*)\)"),
     lambda m: _("%(step)s no longer has its timer (%(when)s).", step=step(m[1]), when=_timer(m[2]))),
    (re.compile(r"timer (.+): (.*) → (.*)"),
     lambda m: _("Timer %(step)s: %(old)s → %(new)s.", step=step(m[1]), old=_timer(m[2]), new=_timer(m[3]))),
]


def blocker(message: str) -> str:
    return translate(message, _BLOCKERS)


def refusal(message: str) -> str:
    """A parameter's or a lane mapping's refusal."""
    return translate(message, _PARAMS)


def change(message: str) -> str:
    return translate(message, _CHANGES)

